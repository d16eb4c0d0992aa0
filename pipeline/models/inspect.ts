/** `atlas model inspect <dir>`: every layer or node with its output shape, the likely logits marked. */
import { tf } from '../engine/tf.ts';
import type { LoadedModel } from './load.ts';
import { describeModel, type LayerSummary } from './describe.ts';

const show = (shape: (number | null)[] | undefined) => (shape ? `[${shape.map((d) => (d === null || d < 0 ? 'N' : d)).join(', ')}]` : '?');

/**
 * Graph-models do not store output shapes; where the input size is known (from the model or `size`), one
 * forward pass on a blank image measures them.
 */
function measureGraphShapes(loaded: LoadedModel, layers: LayerSummary[], size?: number): void {
  if (loaded.kind !== 'graph') return;
  const input = loaded.model.inputs[0]!;
  const shape = (input.shape ?? []).map((d, i) => (i === 0 ? 1 : d < 0 ? size : d));
  if (shape.some((d) => d === undefined)) return;
  for (const layer of layers) if (layer.type === 'Placeholder') layer.shape = [null, ...(shape.slice(1) as number[])];
  const names = layers.filter((layer) => layer.type !== 'Placeholder').map((layer) => layer.name);
  tf.tidy(() => {
    const outputs = loaded.model.execute({ [input.name]: tf.zeros(shape as number[]) }, names) as tf.Tensor[];
    names.forEach((name, index) => {
      const layer = layers.find((l) => l.name === name)!;
      layer.shape = [null, ...outputs[index]!.shape.slice(1)];
    });
  });
}

export function inspectModel(loaded: LoadedModel, size?: number): string {
  const summary = describeModel(loaded);
  measureGraphShapes(loaded, summary.layers, size);
  const rows = summary.layers.map((layer) => [
    layer.name,
    layer.type,
    show(layer.shape),
    layer.params === undefined ? '' : String(layer.params),
    layer.name === summary.logits ? (summary.logitsInsideLayer ? '← logits (before its softmax)' : '← logits') : '',
  ]);
  const header = ['name', loaded.kind === 'layers' ? 'layer' : 'op', 'output shape', loaded.kind === 'layers' ? 'params' : '', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const inputs = summary.inputs.map((input) => `${input.name} ${show(input.shape)}`).join(', ');
  const total = summary.layers.reduce((sum, layer) => sum + (layer.params ?? 0), 0);
  return [
    `${loaded.folder}: ${loaded.kind}-model, input ${inputs}${total ? `, ${total.toLocaleString('en-US')} parameters` : ''}`,
    line(header),
    ...rows.map(line),
    summary.logits ? `logits: ${summary.logits}` : 'logits: not found (no softmax at the end); name the logits layer in the recipe',
  ].join('\n');
}
