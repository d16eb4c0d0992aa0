/**
 * Runs a layers-model for inference the way a deployment compiler would: each convolution, with the
 * inference-mode batch normalization and the activation that follow it (ReLU, ReLU6, LeakyReLU, ELU, sigmoid),
 * becomes one convolution unit with folded weights and bias — one pass over memory instead of three, and on wasm
 * one XNNPACK call with the activation fused in.
 *
 * Folding is exact algebra (W' = W·γ/√(σ²+ε), b' = β + (b − μ)·γ/√(σ²+ε)), checked against the model's own
 * `apply` in tests. For gradients, a unit differentiates with respect to its input only (conv-unit.ts): the
 * weights are fixed, so no filter gradient is ever computed. ATLAS_GRADIENTS=reference runs the units unfused
 * instead, under TF.js's own gradients, for comparison.
 */
import { tf, type Tensor } from '../engine/tf.ts';
import { ConvUnit } from '../engine/gradients/conv-unit.ts';
import { fastGradients } from '../engine/gradients/mode.ts';
import type { UnitActivation } from '../engine/gradients/activation.ts';

type Layer = tf.layers.Layer;
type Symbolic = tf.SymbolicTensor;

interface Step {
  layer: Layer;
  inputs: Symbolic[];
  output: Symbolic;
  /** Set when this step runs a convolution (→ batch norm → activation) as one unit, ending at `output`. */
  unit?: ConvUnit;
}

const pair = (value: number | number[] | undefined, fallback = 1): [number, number] =>
  value === undefined ? [fallback, fallback] : typeof value === 'number' ? [value, value] : [value[0]!, value[1] ?? value[0]!];

export class LayersExecutor {
  private readonly steps: Step[] = [];

  /** `keep`: layer names whose own outputs are needed (taps); chains are not folded across them. */
  constructor(
    private readonly model: tf.LayersModel,
    keep: Set<string>,
  ) {
    const consumers = new Map<string, number>();
    for (const layer of model.layers) {
      for (const node of layer.inboundNodes) for (const input of node.inputTensors) consumers.set(input.name, (consumers.get(input.name) ?? 0) + 1);
    }
    for (const output of model.outputs) consumers.set(output.name, (consumers.get(output.name) ?? 0) + 1);
    const only = (tensor: Symbolic) => consumers.get(tensor.name) === 1;
    const consumerOf = (tensor: Symbolic) => model.layers.find((l) => l.inboundNodes.some((n) => n.inputTensors.some((t) => t.name === tensor.name)));

    const skip = new Set<Layer>();
    for (const layer of model.layers) {
      if (skip.has(layer) || layer.getClassName() === 'InputLayer') continue;
      if (layer.inboundNodes.length !== 1) throw new Error(`layer ${layer.name} is used more than once; run the model with apply() instead.`);
      const node = layer.inboundNodes[0]!;
      const step: Step = { layer, inputs: node.inputTensors, output: node.outputTensors[0]! };
      const chain = this.unitFrom(layer, step.output, keep, only, consumerOf);
      if (chain) {
        step.unit = chain.unit;
        step.output = chain.output;
        for (const layerInChain of chain.layers) skip.add(layerInChain);
      }
      this.steps.push(step);
    }
  }

  /**
   * A convolution unit: a Conv2D or DepthwiseConv2D, then — where its own activation is linear — a
   * BatchNormalization and an activation layer, each the only consumer of the previous and none of them tapped
   * (a tapped layer's own output must exist).
   */
  private unitFrom(
    layer: Layer,
    output: Symbolic,
    keep: Set<string>,
    only: (t: Symbolic) => boolean,
    consumerOf: (t: Symbolic) => Layer | undefined,
  ): { unit: ConvUnit; output: Symbolic; layers: Layer[] } | undefined {
    const type = layer.getClassName();
    if (type !== 'Conv2D' && type !== 'DepthwiseConv2D') return undefined;
    const config = layer.getConfig() as Record<string, unknown>;
    if (config.dataFormat && config.dataFormat !== 'channelsLast') return undefined;
    if (config.padding !== 'same' && config.padding !== 'valid') return undefined;
    let activation = layerActivation(config.activation);
    if (!activation) return undefined;
    let alpha: number | undefined;
    let end = output;
    const layers: Layer[] = [];
    const next = () => (!keep.has(layers.at(-1)?.name ?? layer.name) && only(end) ? consumerOf(end) : undefined);

    let bn: { layer: Layer; config: { axis: number; epsilon: number; center: boolean; scale: boolean } } | undefined;
    const candidate = activation.name === 'linear' ? next() : undefined;
    if (candidate?.getClassName() === 'BatchNormalization') {
      const bnConfig = candidate.getConfig() as { axis: number; epsilon: number; center: boolean; scale: boolean };
      if (bnConfig.axis === -1 || bnConfig.axis === 3) {
        bn = { layer: candidate, config: bnConfig };
        layers.push(candidate);
        end = candidate.inboundNodes[0]!.outputTensors[0]!;
      }
    }
    const after = activation.name === 'linear' ? next() : undefined;
    const fused = after && activationLayer(after);
    if (fused) {
      activation = fused;
      alpha = fused.alpha;
      layers.push(after!);
      end = after!.inboundNodes[0]!.outputTensors[0]!;
    } else alpha = activation.alpha;

    const weights = tf.tidy(() => {
      const [kernel, convBias] = layer.getWeights() as [Tensor, Tensor | undefined];
      if (!bn) return { filter: tf.keep(tf.clone(kernel)), bias: convBias ? tf.keep(tf.clone(convBias)) : undefined };
      const bnWeights = bn.layer.getWeights() as Tensor[];
      let index = 0;
      const gamma = bn.config.scale ? bnWeights[index++]! : tf.scalar(1);
      const beta = bn.config.center ? bnWeights[index++]! : tf.scalar(0);
      const [mean, variance] = [bnWeights[index++]!, bnWeights[index++]!];
      const factor = tf.mul(gamma, tf.rsqrt(tf.add(variance, bn.config.epsilon))); // [C_out]
      // Conv2D kernel [kh, kw, cin, cout]: scale the last axis. Depthwise [kh, kw, c, m]: output channel c·m + j.
      const filter = type === 'Conv2D' ? tf.mul(kernel, factor) : tf.mul(kernel, tf.reshape(factor, [kernel.shape[2]!, kernel.shape[3]!]));
      const bias = tf.add(beta, tf.mul(tf.sub(convBias ?? tf.scalar(0), mean), factor));
      return { filter: tf.keep(filter), bias: tf.keep(bias) };
    });
    const unit = new ConvUnit({
      kind: type === 'Conv2D' ? 'conv' : 'depthwise',
      ...weights,
      activation: activation.name,
      alpha,
      strides: pair(config.strides as number | number[]),
      pad: config.padding as 'same' | 'valid',
      dilations: pair(config.dilationRate as number | number[]),
    });
    return { unit, output: end, layers };
  }

  /**
   * Outputs of the given symbolic tensors for one input batch. `forGradient` runs folded convolutions unfused.
   * `from` starts the run at an intermediate tensor instead of the model input (the rest of the network after a
   * layer, as attributions need); steps that need anything from before it are skipped.
   */
  run(input: Tensor, wanted: Symbolic[], forGradient: boolean, from: Symbolic = this.model.inputs[0]!): Tensor[] {
    const values = new Map<string, Tensor>([[from.name, input]]);
    for (const step of this.steps) {
      if (!step.inputs.every((symbolic) => values.has(symbolic.name))) continue;
      const inputs = step.inputs.map((symbolic) => values.get(symbolic.name)!);
      const output = step.unit
        ? runUnit(step.unit, inputs[0]!, forGradient)
        : (step.layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as Tensor);
      values.set(step.output.name, output);
    }
    return wanted.map((symbolic) => {
      const value = values.get(symbolic.name);
      if (!value) throw new Error(`${symbolic.name} cannot be computed from ${from.name} alone (it needs a tensor from before it, or was folded away).`);
      return value;
    });
  }

  dispose(): void {
    for (const step of this.steps) {
      if (!step.unit) continue;
      step.unit.spec.filter.dispose();
      step.unit.spec.bias?.dispose();
      step.unit.dispose();
    }
  }
}

function runUnit(unit: ConvUnit, x: Tensor, forGradient: boolean): Tensor {
  if (!forGradient) return unit.forward(x);
  return fastGradients() ? unit.withInputGradient(x) : unit.unfused(x);
}

/** A layer's own activation, where a unit can fuse it. */
function layerActivation(name: unknown): { name: UnitActivation; alpha?: number } | undefined {
  if (name === undefined || name === null || name === 'linear') return { name: 'linear' };
  return typeof name === 'string' && ['relu', 'relu6', 'elu', 'sigmoid'].includes(name) ? { name: name as UnitActivation } : undefined;
}

/** An activation layer a unit can fuse: Activation, ReLU (plain or capped at 6), LeakyReLU, ELU with α = 1. */
function activationLayer(layer: Layer): { name: UnitActivation; alpha?: number } | undefined {
  const config = layer.getConfig() as { activation?: string; maxValue?: number | null; negativeSlope?: number; threshold?: number; alpha?: number };
  switch (layer.getClassName()) {
    case 'Activation': {
      const activation = layerActivation(config.activation);
      return activation?.name === 'linear' ? undefined : activation;
    }
    case 'ReLU':
      if (config.negativeSlope || config.threshold) return undefined;
      if (config.maxValue == null) return { name: 'relu' };
      return config.maxValue === 6 ? { name: 'relu6' } : undefined;
    case 'LeakyReLU':
      return { name: 'leakyrelu', alpha: config.alpha ?? 0.3 };
    case 'ELU':
      return (config.alpha ?? 1) === 1 ? { name: 'elu' } : undefined;
    default:
      return undefined;
  }
}
