/**
 * Runs a layers-model for inference the way a deployment compiler would: each convolution followed by an
 * inference-mode batch normalization (and a ReLU or ReLU6) becomes one convolution with folded weights and bias
 * — one pass over memory instead of three, and on wasm one XNNPACK call with the clamp fused in.
 *
 * Folding is exact algebra (W' = W·γ/√(σ²+ε), b' = β + (b − μ)·γ/√(σ²+ε)), checked against the model's own
 * `apply` in tests. For gradients, the folded convolution runs unfused (conv, add, activation), so TF.js prunes
 * the filter gradient, which the input gradient never needs.
 */
import { tf, type Tensor } from '../engine/tf.ts';

type Layer = tf.layers.Layer;
type Symbolic = tf.SymbolicTensor;

interface Folded {
  kind: 'conv' | 'depthwise';
  filter: Tensor;
  bias: Tensor;
  activation: 'linear' | 'relu' | 'relu6';
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

interface Step {
  layer: Layer;
  inputs: Symbolic[];
  output: Symbolic;
  /** Set when this step runs a whole conv → batch norm → activation chain, ending at `output`. */
  folded?: Folded;
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
      const chain = this.chainFrom(layer, step.output, keep, only, consumerOf);
      if (chain) {
        step.folded = chain.folded;
        step.output = chain.output;
        for (const layerInChain of chain.layers) skip.add(layerInChain);
      }
      this.steps.push(step);
    }
  }

  /** conv (linear) → BatchNormalization → optional ReLU/ReLU6, each the only consumer of the previous. */
  private chainFrom(
    layer: Layer,
    output: Symbolic,
    keep: Set<string>,
    only: (t: Symbolic) => boolean,
    consumerOf: (t: Symbolic) => Layer | undefined,
  ): { folded: Folded; output: Symbolic; layers: Layer[] } | undefined {
    const type = layer.getClassName();
    if (type !== 'Conv2D' && type !== 'DepthwiseConv2D') return undefined;
    const config = layer.getConfig() as Record<string, unknown>;
    if (config.activation !== 'linear' || (config.dataFormat && config.dataFormat !== 'channelsLast') || keep.has(layer.name) || !only(output)) return undefined;
    if (config.padding !== 'same' && config.padding !== 'valid') return undefined;
    const bn = consumerOf(output);
    if (!bn || bn.getClassName() !== 'BatchNormalization' || keep.has(bn.name)) return undefined;
    const bnConfig = bn.getConfig() as { axis: number; epsilon: number; center: boolean; scale: boolean };
    if (bnConfig.axis !== -1 && bnConfig.axis !== 3) return undefined;
    let end = bn.inboundNodes[0]!.outputTensors[0]!;
    const layers = [bn];
    let activation: Folded['activation'] = 'linear';
    const next = only(end) ? consumerOf(end) : undefined;
    if (next && !keep.has(bn.name)) {
      const nextConfig = next.getConfig() as { activation?: string; maxValue?: number | null; negativeSlope?: number; threshold?: number };
      const isRelu = next.getClassName() === 'ReLU' && !nextConfig.negativeSlope && !nextConfig.threshold;
      if (next.getClassName() === 'Activation' && (nextConfig.activation === 'relu' || nextConfig.activation === 'relu6')) activation = nextConfig.activation;
      else if (isRelu && (nextConfig.maxValue == null || nextConfig.maxValue === 6)) activation = nextConfig.maxValue === 6 ? 'relu6' : 'relu';
      if (activation !== 'linear') {
        layers.push(next);
        end = next.inboundNodes[0]!.outputTensors[0]!;
      }
    }
    const folded = tf.tidy(() => {
      const [kernel, convBias] = layer.getWeights() as [Tensor, Tensor | undefined];
      const weights = bn.getWeights() as Tensor[];
      let index = 0;
      const gamma = bnConfig.scale ? weights[index++]! : tf.scalar(1);
      const beta = bnConfig.center ? weights[index++]! : tf.scalar(0);
      const [mean, variance] = [weights[index++]!, weights[index++]!];
      const factor = tf.mul(gamma, tf.rsqrt(tf.add(variance, bnConfig.epsilon))); // [C_out]
      // Conv2D kernel [kh, kw, cin, cout]: scale the last axis. Depthwise [kh, kw, c, m]: output channel c·m + j.
      const filter = type === 'Conv2D' ? tf.mul(kernel, factor) : tf.mul(kernel, tf.reshape(factor, [kernel.shape[2]!, kernel.shape[3]!]));
      const bias = tf.add(beta, tf.mul(tf.sub(convBias ?? tf.scalar(0), mean), factor));
      return { filter: tf.keep(filter), bias: tf.keep(bias) };
    });
    return {
      output: end,
      layers,
      folded: {
        kind: type === 'Conv2D' ? 'conv' : 'depthwise',
        ...folded,
        activation,
        strides: pair(config.strides as number | number[]),
        pad: config.padding as 'same' | 'valid',
        dilations: pair(config.dilationRate as number | number[]),
      },
    };
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
      const output = step.folded ? runFolded(step.folded, inputs[0]!, forGradient) : (step.layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as Tensor);
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
      step.folded?.filter.dispose();
      step.folded?.bias.dispose();
    }
  }
}

function runFolded(f: Folded, x: Tensor, forGradient: boolean): Tensor {
  const x4 = x as tf.Tensor4D;
  const filter = f.filter as tf.Tensor4D;
  if (!forGradient) {
    const args = { x: x4, filter, bias: f.bias, strides: f.strides, pad: f.pad, dilations: f.dilations, activation: f.activation };
    return f.kind === 'conv' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
  }
  const conv = f.kind === 'conv' ? tf.conv2d(x4, filter, f.strides, f.pad, 'NHWC', f.dilations) : tf.depthwiseConv2d(x4, filter, f.strides, f.pad, 'NHWC', f.dilations);
  const biased = tf.add(conv, f.bias);
  return f.activation === 'relu6' ? tf.relu6(biased) : f.activation === 'relu' ? tf.relu(biased) : biased;
}
