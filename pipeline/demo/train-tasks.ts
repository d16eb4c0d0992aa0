/**
 * Work that training spreads over the worker pool: each worker draws its share of a batch from the synthetic
 * world and returns the gradients of the loss for it. The main thread averages them and takes the Adam step,
 * so the result does not depend on the number of workers.
 */
import { tf } from '../engine/tf.ts';
import { buildDemoNetwork } from './network.ts';
import { CLASS_NAMES, IMAGE_SIZE, drawImage, type DrawOptions, type Split } from '../datasets/synthetic/world.ts';

let network: { model: tf.LayersModel; logits: tf.LayersModel; variables: tf.LayerVariable[] } | undefined;

function model(seed: number) {
  if (!network) {
    const full = buildDemoNetwork(CLASS_NAMES.length, seed);
    network = {
      model: full,
      logits: tf.model({ inputs: full.inputs, outputs: full.getLayer('logits').output as tf.SymbolicTensor }),
      variables: full.trainableWeights,
    };
  }
  return network;
}

/** A batch of synthetic images as a [N, 64, 64, 3] tensor scaled to 0..1, and their labels. */
export function syntheticBatch(seed: number, split: Split, indices: number[], options: DrawOptions = {}): { x: tf.Tensor4D; labels: number[] } {
  const size = IMAGE_SIZE * IMAGE_SIZE * 3;
  const pixels = new Float32Array(indices.length * size);
  const labels = indices.map((index, i) => {
    const image = drawImage(seed, split, index, options);
    for (let j = 0; j < size; j++) pixels[i * size + j] = image.pixels[j]! / 255;
    return image.label;
  });
  return { x: tf.tensor4d(pixels, [indices.length, IMAGE_SIZE, IMAGE_SIZE, 3]), labels };
}

export interface ShardInput {
  seed: number;
  /** Training-split image indices of this shard. */
  indices: number[];
  /** The current trainable weights, in the model's order. */
  weights: Float32Array[];
}

export async function shardGradients(input: ShardInput): Promise<{ gradients: Float32Array[]; loss: number; correct: number }> {
  const { logits, variables } = model(input.seed);
  variables.forEach((variable, i) => variable.write(tf.tensor(input.weights[i]!, variable.shape as number[])));
  const { x, labels } = syntheticBatch(input.seed, 'train', input.indices);
  const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASS_NAMES.length);
  let correct = 0;
  const { value, grads } = tf.variableGrads(
    () => {
      const scores = logits.apply(x, { training: true }) as tf.Tensor2D;
      correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), tf.argMax(targets, 1)), 'int32')).dataSync()[0]!);
      return tf.losses.softmaxCrossEntropy(targets, scores) as tf.Scalar;
    },
    variables.map((v) => v.read() as tf.Variable),
  );
  const gradients = await Promise.all(variables.map(async (v) => (await grads[(v.read() as tf.Variable).name]!.data()) as Float32Array));
  const loss = (await value.data())[0]!;
  tf.dispose([x, targets, value, ...Object.values(grads)]);
  return { gradients, loss, correct };
}
