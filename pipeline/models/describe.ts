/**
 * What is inside a model: every layer (layers-model) or node (graph-model) with its output shape, and which one
 * most likely holds the logits — the pre-softmax class scores that attributions differentiate.
 */
import type { LoadedModel } from './load.ts';
import { tf } from '../engine/tf.ts';

export interface LayerSummary {
  name: string;
  type: string;
  /** Output shape with null for the batch or other unknown sizes; undefined where the format does not say. */
  shape?: (number | null)[];
  params?: number;
}

export interface ModelSummary {
  kind: 'layers' | 'graph';
  inputs: { name: string; shape: (number | null)[] }[];
  layers: LayerSummary[];
  /** The layer or node whose output is the logits, if one can be told. */
  logits?: string;
  /** True when the logits are the pre-activation of a layer that applies softmax itself (a Dense with softmax). */
  logitsInsideLayer?: boolean;
}

const PASS_THROUGH = new Set(['Reshape', 'Flatten', 'Identity', 'Squeeze', 'Dropout']);

export function describeModel(loaded: LoadedModel): ModelSummary {
  return loaded.kind === 'layers' ? describeLayers(loaded.model) : describeGraph(loaded.model, loaded.json.modelTopology);
}

function describeLayers(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    shape: (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[],
    params: layer.countParams(),
  }));
  // Walk back from the output past reshapes to the softmax, then to what feeds it.
  let index = layers.length - 1;
  while (index > 0 && PASS_THROUGH.has(layers[index]!.type)) index--;
  const last = model.layers[index]!;
  const config = last.getConfig() as { activation?: string };
  let logits: string | undefined;
  let inside = false;
  if (last.getClassName() === 'Activation' || last.getClassName() === 'Softmax') {
    if (last.getClassName() === 'Softmax' || config.activation === 'softmax') logits = model.layers[index - 1]?.name;
  } else if (config.activation === 'softmax' || config.activation === 'sigmoid') {
    logits = last.name;
    inside = true;
  } else {
    logits = last.name;
  }
  return {
    kind: 'layers',
    inputs: model.inputs.map((input) => ({ name: input.name, shape: input.shape })),
    layers,
    logits,
    logitsInsideLayer: inside,
  };
}

function describeGraph(model: tf.GraphModel, topology: unknown): ModelSummary {
  const nodes = ((topology as { node?: { name: string; op: string; input?: string[] }[] })?.node ?? []).filter((node) => node.op !== 'Const');
  const softmax = [...nodes].reverse().find((node) => node.op === 'Softmax' || node.op === 'Sigmoid');
  const logits = softmax?.input?.[0]?.split(':')[0];
  return {
    kind: 'graph',
    inputs: model.inputs.map((input) => ({ name: input.name, shape: (input.shape ?? []).map((d) => (d < 0 ? null : d)) })),
    layers: nodes.map((node) => ({ name: node.name, type: node.op })),
    logits: logits ?? nodes.at(-1)?.name,
  };
}
