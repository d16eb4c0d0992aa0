/**
 * The tap API: several intermediate layers and the logits from one forward pass, and gradients of any scalar of
 * them with respect to the input. Works the same for layers-models and graph-models.
 */
import { tf, type Tensor } from '../engine/tf.ts';
import { UserError } from '../errors.ts';
import { explainModelError, type LoadedModel } from './load.ts';
import { describeModel, type ModelSummary } from './describe.ts';
import { closestNames } from './names.ts';
import { LayersExecutor } from './layers-executor.ts';

/** The name under which `tap` returns the logits. */
export const LOGITS = 'logits';

export type Taps = Record<string, Tensor>;

export class ModelRunner {
  readonly summary: ModelSummary;
  private readonly executors = new Map<string, LayersExecutor>();

  constructor(readonly loaded: LoadedModel) {
    this.summary = describeModel(loaded);
  }

  get layerNames(): string[] {
    return this.summary.layers.map((layer) => layer.name);
  }

  /** The layer's name if the model has it; otherwise an error listing the closest names. */
  checkLayer(name: string, where = 'layer'): string {
    if (name === LOGITS || this.layerNames.includes(name)) return name;
    throw new UserError(
      `${this.loaded.folder}: the model has no ${where} "${name}"; the closest are ${closestNames(name, this.layerNames).join(', ')} (see atlas model inspect).`,
    );
  }

  /**
   * One forward pass returning each requested layer's output (and "logits"). Tensors belong to the caller.
   * `forGradient` is set by inputGradient: layers-models then run their convolutions as units whose gradient is
   * taken with respect to the input only. `anySize` skips the check of the input's height and width against the
   * model's declared input, for a layers-model cut at a convolutional layer, which accepts any size.
   */
  tap(input: Tensor, layers: string[], options: { forGradient?: boolean; anySize?: boolean } = {}): Taps {
    const [, height, width] = this.inputShape;
    const anySize = options.anySize && this.loaded.kind === 'layers' && input.rank === 4;
    this.checkInput(anySize ? [input.shape[0]!, height ?? input.shape[1]!, width ?? input.shape[2]!, input.shape[3]!] : input.shape);
    const names = layers.map((name) => this.checkLayer(name));
    const outputs = this.loaded.kind === 'layers' ? this.tapLayers(input, names, Boolean(options.forGradient)) : this.tapGraph(input, names);
    return Object.fromEntries(names.map((name, index) => [name, outputs[index]!]));
  }

  /** d scalar(taps) / d input, with the taps computed in the same forward pass. */
  inputGradient(input: Tensor, layers: string[], scalar: (taps: Taps) => tf.Scalar): Tensor {
    return tf.grad((x: Tensor) => scalar(this.tap(x, layers, { forGradient: true })))(input);
  }

  /** The model's declared input shape, with null for sizes it leaves open (the batch, at least). */
  get inputShape(): (number | null)[] {
    return this.summary.inputs[0]?.shape ?? [];
  }

  checkInput(shape: number[]): void {
    const expected = this.inputShape;
    const fits = shape.length === expected.length && expected.every((size, axis) => size === null || size === shape[axis]);
    if (!fits) {
      const show = (s: (number | null)[]) => `[${s.map((d) => d ?? 'N').join(', ')}]`;
      throw new UserError(
        `${this.loaded.folder}: the model takes input ${show(expected)} but was given ${show([null, ...shape.slice(1)])}; set the recipe's preprocess size to match.`,
      );
    }
  }

  /**
   * The logits computed from a layer's activation rather than from the image: the rest of the network after
   * `layer`. Attributions differentiate this with respect to the activation.
   */
  logitsFrom(layer: string, activation: Tensor): Tensor {
    this.checkLayer(layer);
    if (this.loaded.kind === 'graph') {
      const model = this.loaded.model as tf.GraphModel;
      try {
        return model.execute({ [layer]: activation }, this.logitsSource().name) as Tensor;
      } catch (error) {
        throw explainModelError(error, this.loaded.folder);
      }
    }
    const model = this.loaded.model as tf.LayersModel;
    const logits = this.logitsSource();
    const target = logits.inside ? (model.getLayer(logits.name).input as tf.SymbolicTensor) : (model.getLayer(logits.name).output as tf.SymbolicTensor);
    const key = `from ${layer} to ${target.name}`;
    let executor = this.executors.get(key);
    if (!executor) {
      executor = new LayersExecutor(model, new Set([layer, target.sourceLayer.name]));
      this.executors.set(key, executor);
    }
    const [output] = executor.run(activation, [target], true, model.getLayer(layer).output as tf.SymbolicTensor);
    if (!logits.inside) return output!;
    const [kernel, bias] = model.getLayer(logits.name).getWeights();
    const dense = tf.matMul(tf.reshape(output!, [output!.shape[0]!, -1]), kernel!);
    return bias ? tf.add(dense, bias) : dense;
  }

  private logitsSource(): { name: string; inside: boolean } {
    const name = this.summary.logits;
    if (!name) throw new UserError(`${this.loaded.folder}: cannot tell which layer gives the logits; name it in the recipe.`);
    return { name, inside: Boolean(this.summary.logitsInsideLayer) };
  }

  private tapLayers(input: Tensor, names: string[], forGradient: boolean): Tensor[] {
    const model = this.loaded.model as tf.LayersModel;
    const logits = names.includes(LOGITS) ? this.logitsSource() : undefined;
    // A Dense layer with softmax gives its logits as input · kernel + bias, from the layer's input.
    const wanted = names.map((name) => (name === LOGITS ? (logits!.inside ? `${logits!.name}:input` : logits!.name) : name));
    const symbolic = wanted.map((name) =>
      name.endsWith(':input') ? (model.getLayer(name.slice(0, -6)).input as tf.SymbolicTensor) : (model.getLayer(name).output as tf.SymbolicTensor),
    );
    const key = wanted.join('\n');
    let executor = this.executors.get(key);
    if (!executor) {
      executor = new LayersExecutor(model, new Set(symbolic.map((tensor) => tensor.sourceLayer.name)));
      this.executors.set(key, executor);
    }
    const outputs = executor.run(input, symbolic, forGradient);
    return outputs.map((output, index) => {
      if (!wanted[index]!.endsWith(':input')) return output;
      const [kernel, bias] = model.getLayer(logits!.name).getWeights();
      const dense = tf.matMul(tf.reshape(output, [output.shape[0]!, -1]), kernel!);
      return bias ? tf.add(dense, bias) : dense;
    });
  }

  private tapGraph(input: Tensor, names: string[]): Tensor[] {
    const model = this.loaded.model as tf.GraphModel;
    const nodes = names.map((name) => (name === LOGITS ? this.logitsSource().name : name));
    try {
      const result = model.execute({ [model.inputs[0]!.name]: input }, nodes);
      return Array.isArray(result) ? result : [result];
    } catch (error) {
      throw explainModelError(error, this.loaded.folder);
    }
  }
}
