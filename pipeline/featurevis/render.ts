/**
 * The optimization loop (Lucid's `render`): a batch of images, each from its own random stream, transformed,
 * fed to the model, and moved by Adam up the gradient of its objective. Redirected-ReLU gradients for the first
 * steps; best of several attempts per example by final objective.
 */
import { tf, type Tensor } from '../engine/tf.ts';
import type { ModelRunner } from '../models/runner.ts';
import type { Preprocess } from '../models/preprocess.ts';
import type { Random } from '../random.ts';
import type { ImageParam } from './param/index.ts';
import type { Objective } from './objectives.ts';
import { applyTransforms, type Transform } from './transforms.ts';
import { withRedirectedRelu } from './redirected-relu.ts';

export interface RenderOptions {
  runner: ModelRunner;
  objective: Objective;
  param: ImageParam;
  /** One stream per example: its starting values and its transforms' choices. Sets the batch size. */
  randoms: Random[];
  /** Per example, starting values to use instead of random ones (a warm start), where given. */
  starts?: (Float32Array | undefined)[];
  /** Applied before every step. */
  transforms: Transform[];
  /** Applied when judging the final images (no randomness): e.g. only fitting them to the model's input. */
  finalTransforms: Transform[];
  preprocess: Preprocess;
  steps: number;
  learningRate?: number;
  redirectedReluSteps?: number;
  /** Value read where a transform looks outside the image (grey). */
  fill?: number;
  /** The model accepts the canvas at any height and width (a layers-model cut at a convolutional layer). */
  anySize?: boolean;
}

export interface Rendered {
  /** [B, h, w, 3] in [0, 1]. */
  images: Float32Array;
  /** The objective of each final image under `finalTransforms`. */
  objectives: Float32Array;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** An image batch in [0, 1] as the model's input, differentiably (preprocess.ts does the same for bytes). */
export function toModelInput(images: Tensor, preprocess: Preprocess): Tensor {
  let x = tf.mul(images, 255);
  if (preprocess.channels === 'bgr') x = tf.reverse(x, -1);
  if (preprocess.range) {
    const [low, high] = preprocess.range;
    return tf.add(tf.mul(x, (high - low) / 255), low);
  }
  if (preprocess.mean || preprocess.std) {
    const order = preprocess.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
    const mean = preprocess.mean ? order.map((i) => preprocess.mean![i]!) : [0, 0, 0];
    const std = preprocess.std ? order.map((i) => preprocess.std![i]!) : [1, 1, 1];
    return tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std));
  }
  return x;
}

/** The objective of each example for images [B, h, w, 3] in [0, 1], under the given transforms. */
export function objectiveOf(
  options: Pick<RenderOptions, 'runner' | 'objective' | 'randoms' | 'preprocess' | 'fill' | 'anySize'>,
  images: Tensor,
  transforms: Transform[],
): Tensor {
  const transformed = applyTransforms(images, transforms, options.randoms, options.fill ?? 0.5);
  const taps = options.runner.tap(toModelInput(transformed, options.preprocess), options.objective.layers, { forGradient: true, anySize: options.anySize });
  return options.objective.value(taps);
}

export function renderVis(options: RenderOptions): Rendered {
  const { param, randoms, steps } = options;
  const batch = randoms.length;
  const learningRate = options.learningRate ?? 0.05;
  const redirected = options.redirectedReluSteps ?? 16;
  const shape = [batch, ...param.shape];
  const initial = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const perExample = initial.length / batch;
  // The random start is drawn either way, so a warm start leaves the transforms' choices as they were.
  randoms.forEach((random, index) => {
    const drawn = param.initial(random);
    initial.set(options.starts?.[index] ?? drawn, index * perExample);
  });

  let values = tf.tensor(initial, shape);
  let m = tf.zerosLike(values);
  let v = tf.zerosLike(values);
  const total = (x: Tensor) => tf.sum(objectiveOf(options, param.toImage(x), options.transforms)) as tf.Scalar;
  for (let step = 1; step <= steps; step++) {
    const next = tf.tidy(() => {
      const gradient = step <= redirected ? withRedirectedRelu(() => tf.grad(total)(values)) : tf.grad(total)(values);
      const m1 = tf.add(tf.mul(m, BETA1), tf.mul(gradient, 1 - BETA1));
      const v1 = tf.add(tf.mul(v, BETA2), tf.mul(tf.square(gradient), 1 - BETA2));
      const size = (learningRate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
      // Ascent: the objective is maximized.
      const moved = tf.add(values, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), EPSILON)), size));
      return [moved, m1, v1];
    });
    tf.dispose([values, m, v]);
    [values, m, v] = next as [Tensor, Tensor, Tensor];
  }
  const [images, objectives] = tf.tidy(() => {
    const final = param.toImage(values);
    return [final, objectiveOf(options, final, options.finalTransforms)];
  });
  const result = { images: images!.dataSync() as Float32Array, objectives: objectives!.dataSync() as Float32Array };
  tf.dispose([values, m, v, images!, objectives!]);
  return result;
}

/**
 * Best of `attempts` runs per example by final objective. `randomsFor(attempt)` gives each attempt's streams,
 * so every attempt of every example starts and moves independently.
 */
export function renderBest(options: Omit<RenderOptions, 'randoms'>, attempts: number, randomsFor: (attempt: number) => Random[]): Rendered {
  let best: Rendered | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const run = renderVis({ ...options, randoms: randomsFor(attempt) });
    if (!best) {
      best = run;
      continue;
    }
    const perImage = best.images.length / best.objectives.length;
    run.objectives.forEach((value, index) => {
      if (value > best!.objectives[index]!) {
        best!.objectives[index] = value;
        best!.images.set(run.images.subarray(index * perImage, (index + 1) * perImage), index * perImage);
      }
    });
  }
  return best!;
}
