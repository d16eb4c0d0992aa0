/**
 * The heart of the activations stage, for one batch of images: one forward pass reads every requested layer
 * and the logits; for each layer, seeded spatial positions are sampled per image; each sampled activation
 * vector h gets its attribution to class c, h · ∂logit_c/∂h (Distill's linear approximation).
 *
 * That attribution is the derivative of the logits along h itself: d/dt logit(…, (1 + t)·h, …) at t = 0. Two
 * passes through the rest of the network, with every image's sampled vector scaled by 1 ± ε, give it for all
 * classes at once by central differences ("difference", the default: exact for piecewise-linear networks
 * between kinks, within about 1 % elsewhere). "gradient" takes one backward pass per class instead: exact, and
 * classes × slower.
 */
import { tf, type Tensor } from '../../engine/tf.ts';
import { Random } from '../../random.ts';
import type { ModelRunner } from '../../models/runner.ts';

/** With at most this many classes, attributions are computed for all; beyond it, for likely candidates. */
export const DENSE_CLASS_LIMIT = 64;

export interface SampleOptions {
  layers: string[];
  /** Positions per image and layer, or "all" of them. */
  positionsPerImage: number | 'all';
  seed: number;
  /** How many classes with the largest attribution are kept per sample. */
  topK: number;
  /** Class indices whose attribution is kept for every sample. */
  declared: number[];
  classCount: number;
  method?: 'difference' | 'gradient';
}

// Small enough that a 0.1 % change crosses few ReLU kinks, large enough for float32 logits (checked against the
// gradient in tests/stages/sample.test.ts: within 1 % of the largest attribution).
const EPSILON = 1e-3;

export interface LayerSamples {
  /** [N, D] activation vectors, N = images × positionsPerImage. */
  activations: Float32Array;
  depth: number;
  /** [N, 3]: image (its id), row and column of each sample. */
  origins: Int32Array;
  /** [N, topK] class indices and attributions, largest attribution first. */
  topClasses: Int32Array;
  topValues: Float32Array;
  /** [N, declared.length] attributions to the declared classes. */
  declared: Float32Array;
}

export interface BatchSamples {
  /** Top-1 prediction per image. */
  predictions: Int32Array;
  layers: Record<string, LayerSamples>;
}

/** Every tensor it makes is freed before it returns; the result holds plain arrays. */
export function sampleBatch(runner: ModelRunner, input: Tensor, imageIds: number[], options: SampleOptions): BatchSamples {
  let result: BatchSamples | undefined;
  tf.tidy(() => {
    result = sampleTensors(runner, input, imageIds, options);
  });
  return result!;
}

function sampleTensors(runner: ModelRunner, input: Tensor, imageIds: number[], options: SampleOptions): BatchSamples {
  const batch = imageIds.length;
  const taps = runner.tap(input, [...options.layers, 'logits']);
  const logits = tf.reshape(taps.logits!, [batch, -1]);
  const predictions = Int32Array.from(tf.argMax(logits, 1).dataSync());
  const candidates = candidateClasses(logits, options);
  const result: BatchSamples = { predictions, layers: {} };

  options.layers.forEach((layer, layerIndex) => {
    const activation = taps[layer]!;
    if (activation.rank !== 4) throw new Error(`layer ${layer} has shape [${activation.shape}]; atlases need a spatial layer [N, H, W, C].`);
    const [, height, width, depth] = activation.shape as [number, number, number, number];
    // "all": every position in row-major order (a real network's small late layers); else seeded random ones.
    const positions = options.positionsPerImage === 'all' ? height * width : options.positionsPerImage;
    const origins = new Int32Array(batch * positions * 3);
    const gatherAt: number[][] = [];
    imageIds.forEach((id, b) => {
      for (let p = 0; p < positions; p++) {
        const r = new Random(options.seed, id, layerIndex, p);
        const [y, x] = options.positionsPerImage === 'all' ? [Math.floor(p / width), p % width] : [Math.floor(r.next() * height), Math.floor(r.next() * width)];
        const n = b * positions + p;
        origins.set([id, y, x], n * 3);
        gatherAt.push([b, y, x]);
      }
    });
    const indices = tf.tensor2d(gatherAt, [gatherAt.length, 3], 'int32');
    const vectors = tf.gatherND(activation, indices) as tf.Tensor2D; // [N, D]
    const attributions =
      options.method === 'gradient'
        ? gradientAttributions(runner, layer, activation, vectors, indices, candidates, batch)
        : differenceAttributions(runner, layer, activation, gatherAt, candidates, batch, positions);
    const samples = gatherAt.length;
    const k = Math.min(options.topK, candidates.length);
    const { values, indices: top } = tf.topk(attributions, k);
    const topIndex = top.dataSync();
    const topClasses = new Int32Array(samples * options.topK).fill(-1);
    const topValues = new Float32Array(samples * options.topK).fill(Number.NaN);
    const topValueData = values.dataSync();
    for (let n = 0; n < samples; n++) {
      for (let j = 0; j < k; j++) {
        topClasses[n * options.topK + j] = candidates[topIndex[n * k + j]!]!;
        topValues[n * options.topK + j] = topValueData[n * k + j]!;
      }
    }
    const all = attributions.dataSync();
    const declared = new Float32Array(samples * options.declared.length);
    options.declared.forEach((c, j) => {
      const column = candidates.indexOf(c);
      for (let n = 0; n < samples; n++) declared[n * options.declared.length + j] = all[n * candidates.length + column]!;
    });
    result.layers[layer] = { activations: vectors.dataSync() as Float32Array, depth, origins, topClasses, topValues, declared };
  });
  return result;
}

/**
 * All classes when there are few; otherwise the classes among each image's highest logits (four times top-k),
 * plus the declared ones — the only ones that can be among a sample's largest attributions in practice.
 */
function candidateClasses(logits: Tensor, options: SampleOptions): number[] {
  if (options.classCount <= DENSE_CLASS_LIMIT) return Array.from({ length: options.classCount }, (_, i) => i);
  const { indices } = tf.topk(logits, Math.min(options.classCount, options.topK * 4));
  return [...new Set([...options.declared, ...Array.from(indices.dataSync())])].sort((a, b) => a - b);
}

/** One backward pass per candidate class through the rest of the network. */
function gradientAttributions(
  runner: ModelRunner,
  layer: string,
  activation: Tensor,
  vectors: Tensor,
  indices: Tensor,
  candidates: number[],
  batch: number,
): Tensor {
  const perClass = candidates.map((c) => {
    const gradient = tf.grad((h: Tensor) => tf.sum(tf.gather(tf.reshape(runner.logitsFrom(layer, h), [batch, -1]), [c], 1)))(activation);
    return tf.sum(tf.mul(vectors, tf.gatherND(gradient, indices as tf.Tensor2D)), 1); // [N]
  });
  return tf.stack(perClass, 1); // [N, candidates]
}

/**
 * Central differences along each sampled vector. Each image has its own positions, so one pass scales one
 * position in every image; with P positions per image, P pairs of passes.
 */
function differenceAttributions(
  runner: ModelRunner,
  layer: string,
  activation: Tensor,
  gatherAt: number[][],
  candidates: number[],
  batch: number,
  positionsPerImage: number,
): Tensor {
  const [, height, width] = activation.shape as [number, number, number, number];
  const perPosition: Tensor[] = [];
  for (let p = 0; p < positionsPerImage; p++) {
    const mask = new Float32Array(batch * height * width);
    for (let b = 0; b < batch; b++) {
      const [, y, x] = gatherAt[b * positionsPerImage + p]!;
      mask[(b * height + y!) * width + x!] = 1;
    }
    const scale = tf.tensor4d(mask, [batch, height, width, 1]);
    const logits = (sign: number) => tf.reshape(runner.logitsFrom(layer, tf.mul(activation, tf.add(1, tf.mul(scale, sign * EPSILON)))), [batch, -1]);
    const derivative = tf.div(tf.sub(logits(1), logits(-1)), 2 * EPSILON); // [B, classes]
    perPosition.push(tf.gather(derivative, candidates, 1));
  }
  // Rows in sample order: image-major, position-minor.
  return tf.reshape(tf.stack(perPosition, 1), [batch * positionsPerImage, candidates.length]);
}
