/**
 * The worker task behind an activation grid: one image's activations at every position of a layer, and each
 * position's attribution to the classes, h · ∂logit/∂h summed over channels (one backward pass per class).
 */
import { tf } from '../../engine/tf.ts';
import { runnerFor } from '../../models/tasks.ts';
import { toInput, type Preprocess } from '../../models/preprocess.ts';

/** With more classes than this, attributions are computed for the image's highest logits only. */
const CANDIDATES = 20;

export interface ActivationGridInput {
  model: string;
  layer: string;
  preprocess: Preprocess;
  /** The image's RGB pixels at the model's input size. */
  pixels: Uint8Array;
}

export interface ActivationGridOutput {
  /** [rows, columns, depth] */
  shape: [number, number, number];
  activations: Float32Array;
  /** Classes attributed (label indices), and [rows · columns, classes] attributions. */
  classes: number[];
  attributions: Float32Array;
}

export async function activationGrid(input: ActivationGridInput): Promise<ActivationGridOutput> {
  const runner = await runnerFor(input.model);
  let output: ActivationGridOutput | undefined;
  // Assigned rather than returned: tf.tidy walks every key of what it returns, looking for tensors.
  tf.tidy(() => {
    const image = toInput([input.pixels], input.preprocess);
    const taps = runner.tap(image, [input.layer, 'logits']);
    const activation = taps[input.layer]!;
    if (activation.rank !== 4) throw new Error(`layer ${input.layer} has shape [${activation.shape}]; an activation grid needs a spatial layer [N, H, W, C].`);
    const [, rows, columns, depth] = activation.shape as [number, number, number, number];
    const logits = tf.reshape(taps.logits!, [-1]);
    const count = logits.shape[0]!;
    const classes =
      count <= CANDIDATES ? Array.from({ length: count }, (_, i) => i) : Array.from(tf.topk(logits, CANDIDATES).indices.dataSync()).sort((a, b) => a - b);
    const perClass = classes.map((c) => {
      const gradient = tf.grad((h: tf.Tensor) => tf.sum(tf.gather(tf.reshape(runner.logitsFrom(input.layer, h), [-1]), [c])))(activation);
      return tf.reshape(tf.sum(tf.mul(activation, gradient), 3), [rows * columns]);
    });
    output = {
      shape: [rows, columns, depth],
      activations: activation.dataSync() as Float32Array,
      classes,
      attributions: tf.stack(perClass, 1).dataSync() as Float32Array,
    };
  });
  return output!;
}
