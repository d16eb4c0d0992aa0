/**
 * The receptive field of one position of a layer: how many input pixels, per side, can change its value. Walked
 * through a layers-model's graph from the input: a k×k window with dilation d adds (k − 1)·d·jump pixels, and
 * a stride multiplies the jump (the input pixels between neighbouring positions). Layers that act per position
 * change neither; a merge (add, concatenate) takes the largest of its inputs. Any other layer kind, or a
 * graph-model, leaves it unknown, and the caller falls back to the input size, saying why.
 */
import { tf } from '../engine/tf.ts';
import type { ModelRunner } from './runner.ts';

export type ReceptiveField = { size: [number, number] } | { unknown: string };

interface Field {
  size: [number, number];
  jump: [number, number];
}

/** Layers that map each position to the same position. */
const PER_POSITION = new Set([
  'InputLayer',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'PReLU',
  'ThresholdedReLU',
  'Softmax',
  'Dropout',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'LayerNormalization',
  'ZeroPadding2D',
  'Cropping2D',
  'Add',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'Subtract',
  'Concatenate',
  'Rescaling',
]);

const pair = (value: unknown, fallback = 1): [number, number] =>
  value === undefined || value === null
    ? [fallback, fallback]
    : typeof value === 'number'
      ? [value, value]
      : [(value as number[])[0]!, (value as number[])[1] ?? (value as number[])[0]!];

export function receptiveField(runner: ModelRunner, layer: string): ReceptiveField {
  if (runner.loaded.kind !== 'layers') return { unknown: 'a graph-model (receptive fields are computed for layers-models)' };
  const model = runner.loaded.model as tf.LayersModel;
  const fields = new Map<string, Field>();
  for (const input of model.inputs) fields.set(input.name, { size: [1, 1], jump: [1, 1] });
  for (const current of model.layers) {
    const node = current.inboundNodes[0];
    if (!node || current.getClassName() === 'InputLayer') continue;
    const inputs = node.inputTensors.map((t) => fields.get(t.name));
    if (inputs.some((f) => !f)) return { unknown: `layer "${current.name}" (its inputs are not all known)` };
    const merged: Field = {
      size: [Math.max(...inputs.map((f) => f!.size[0])), Math.max(...inputs.map((f) => f!.size[1]))],
      jump: [Math.max(...inputs.map((f) => f!.jump[0])), Math.max(...inputs.map((f) => f!.jump[1]))],
    };
    const out = grow(current, merged);
    if (!out) return { unknown: `layer "${current.name}" of kind ${current.getClassName()}` };
    fields.set(node.outputTensors[0]!.name, out);
    if (current.name === layer) return { size: out.size };
  }
  return { unknown: `layer "${layer}" (not reached from the input)` };
}

/** The field after one layer, or undefined for a kind this does not know. */
function grow(layer: tf.layers.Layer, field: Field): Field | undefined {
  const kind = layer.getClassName();
  if (PER_POSITION.has(kind)) return field;
  const config = layer.getConfig() as Record<string, unknown>;
  let window: [number, number];
  let strides: [number, number];
  let dilation: [number, number] = [1, 1];
  if (['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D'].includes(kind)) {
    window = pair(config.kernelSize);
    strides = pair(config.strides);
    dilation = pair(config.dilationRate);
  } else if (['MaxPooling2D', 'AveragePooling2D'].includes(kind)) {
    window = pair(config.poolSize, 2);
    strides = pair(config.strides ?? config.poolSize, 2);
  } else if (kind === 'UpSampling2D') {
    const factor = pair(config.size, 2);
    return { size: field.size, jump: [field.jump[0] / factor[0], field.jump[1] / factor[1]] };
  } else return undefined;
  return {
    size: [field.size[0] + (window[0] - 1) * dilation[0] * field.jump[0], field.size[1] + (window[1] - 1) * dilation[1] * field.jump[1]],
    jump: [field.jump[0] * strides[0], field.jump[1] * strides[1]],
  };
}
