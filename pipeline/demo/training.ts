/**
 * Training the demo network (used by `npm run demo:train`): data-parallel steps over the worker pool, batch-norm
 * calibration, saving, and the evaluation written to the training report.
 *
 * Each step's batch is cut into fixed shards that workers turn into gradients; the main thread averages them and
 * takes the Adam step, so the weights do not depend on the number of workers.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tf } from '../engine/tf.ts';
import type { WorkerPool } from '../engine/pool.ts';
import { loadModel } from '../models/load.ts';
import { ModelRunner } from '../models/runner.ts';
import { buildDemoNetwork } from './network.ts';
import { syntheticBatch } from './train-tasks.ts';
import { CLASS_NAMES, MOTIF_CLASS, MOTIF_SHARE, PAIR_CLASS, IMAGE_SIZE } from '../datasets/synthetic/world.ts';

export const BATCH = 64;
export const SHARDS = 2;
const PEAK_RATE = 0.004;
const TASKS = new URL('./train-tasks.ts', import.meta.url).href;

export interface TrainOptions {
  seed: number;
  steps: number;
  pool: WorkerPool;
  /** Fresh images for the batch-norm statistics (default 1,024). */
  calibrationImages?: number;
  log?: (line: string) => void;
}

export async function trainDemo({ seed, steps, pool, calibrationImages = 1024, log = () => {} }: TrainOptions): Promise<tf.LayersModel> {
  const started = performance.now();
  const model = buildDemoNetwork(CLASS_NAMES.length, seed);
  const variables = model.trainableWeights;
  const optimizer = tf.train.adam(PEAK_RATE);
  let recentLoss = 0;
  let recentCorrect = 0;
  for (let step = 0; step < steps; step++) {
    // Warm up for 20 steps, then a cosine decay to 5 % of the peak rate.
    (optimizer as unknown as { learningRate: number }).learningRate =
      step < 20 ? (PEAK_RATE * (step + 1)) / 20 : PEAK_RATE * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / steps)));
    const weights = variables.map((v) => v.read().dataSync() as Float32Array);
    const shardSize = BATCH / SHARDS;
    const results = await pool.map<unknown, { gradients: Float32Array[]; loss: number; correct: number }>(
      TASKS,
      'shardGradients',
      Array.from({ length: SHARDS }, (_, shard) => ({
        seed,
        weights,
        indices: Array.from({ length: shardSize }, (_, i) => step * BATCH + shard * shardSize + i),
      })),
    );
    tf.tidy(() => {
      const averaged = variables.map((v, i) => {
        const mean = new Float32Array(results[0]!.gradients[i]!.length);
        for (const r of results) r.gradients[i]!.forEach((value, j) => (mean[j] = mean[j]! + value / SHARDS));
        return { name: (v.read() as tf.Variable).name, tensor: tf.tensor(mean, v.shape as number[]) };
      });
      optimizer.applyGradients(averaged);
    });
    recentLoss += results.reduce((total, r) => total + r.loss, 0) / SHARDS;
    recentCorrect += results.reduce((total, r) => total + r.correct, 0);
    if ((step + 1) % 25 === 0 || step + 1 === steps) {
      const seconds = (performance.now() - started) / 1000;
      const count = (step % 25) + 1;
      log(
        `step ${step + 1}/${steps}: loss ${(recentLoss / count).toFixed(3)}, train accuracy ${((recentCorrect / (count * BATCH)) * 100).toFixed(1)} %, ${((BATCH * (step + 1)) / seconds).toFixed(1)} images/s, ETA ${Math.round((seconds / (step + 1)) * (steps - step - 1))} s`,
      );
      recentLoss = 0;
      recentCorrect = 0;
    }
  }
  calibrateBatchNorm(
    model,
    seed,
    Array.from({ length: calibrationImages }, (_, i) => steps * BATCH + i),
  );
  return model;
}

/**
 * Batch-norm population statistics, measured on images the training never saw: one pass per batch gives the
 * input of every batch-norm layer (normalized by batch statistics, as in training, which at 128 images a batch
 * match the population's closely).
 */
export function calibrateBatchNorm(model: tf.LayersModel, seed: number, indices: number[]): void {
  const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const probe = tf.model({ inputs: model.inputs, outputs: norms.map((l) => l.input as tf.SymbolicTensor) });
  const sums = norms.map(() => undefined as tf.Tensor | undefined);
  const squares = norms.map(() => undefined as tf.Tensor | undefined);
  for (let start = 0; start < indices.length; start += 128) {
    const { x } = syntheticBatch(seed, 'train', indices.slice(start, start + 128));
    tf.tidy(() => {
      const inputs = probe.apply(x, { training: true }) as tf.Tensor[];
      inputs.forEach((activation, i) => {
        const [s, q] = [tf.sum(activation, [0, 1, 2]), tf.sum(tf.square(activation), [0, 1, 2])];
        sums[i] = tf.keep(sums[i] ? tf.add(sums[i]!, s) : s);
        squares[i] = tf.keep(squares[i] ? tf.add(squares[i]!, q) : q);
      });
    });
    x.dispose();
  }
  norms.forEach((layer, i) => {
    const [gamma, beta] = layer.getWeights();
    const count = indices.length * (layer.input as tf.SymbolicTensor).shape.slice(1, 3).reduce((a, b) => a! * b!, 1)!;
    const mean = tf.div(sums[i]!, count);
    layer.setWeights([gamma!, beta!, mean, tf.relu(tf.sub(tf.div(squares[i]!, count), tf.square(mean)))]);
  });
}

export async function saveModel(network: tf.LayersModel, folder: string): Promise<void> {
  const temporary = `${folder}.tmp-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  await network.save({
    save: async (artifacts) => {
      writeFileSync(
        path.join(temporary, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          generatedBy: 'atlas-articles npm run demo:train',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        }),
      );
      writeFileSync(path.join(temporary, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  writeFileSync(path.join(temporary, 'labels.json'), `${JSON.stringify(CLASS_NAMES, null, 2)}\n`);
  // Swap the finished folder in: an interrupted run never leaves a half-written model behind.
  const previous = `${folder}.old-${process.pid}`;
  try {
    renameSync(folder, previous);
  } catch {
    /* no previous model */
  }
  renameSync(temporary, folder);
  rmSync(previous, { recursive: true, force: true });
}

export async function evaluate(folder: string, seed: number, testPerClass = 100) {
  const runner = new ModelRunner(await loadModel(folder));
  const predict = (indices: number[], options = {}) => {
    const { x, labels } = syntheticBatch(seed, 'test', indices, options);
    const predictions = tf.tidy(() => Array.from(tf.argMax(tf.reshape(runner.tap(x, ['logits']).logits!, [indices.length, -1]), 1).dataSync()));
    x.dispose();
    return { labels, predictions };
  };
  const classes = CLASS_NAMES.length;
  const confusion = CLASS_NAMES.map(() => new Array<number>(classes).fill(0));
  const test = Array.from({ length: testPerClass * classes }, (_, i) => i);
  for (let start = 0; start < test.length; start += 200) {
    const { labels, predictions } = predict(test.slice(start, start + 200));
    labels.forEach((label, i) => confusion[label]![predictions[i]!]!++);
  }
  const correct = confusion.reduce((total, row, i) => total + row[i]!, 0);
  const pair = CLASS_NAMES.indexOf(PAIR_CLASS);
  const target = CLASS_NAMES.indexOf(MOTIF_CLASS);
  const pairImages = Array.from({ length: testPerClass }, (_, i) => pair + i * classes);
  const share = (options: object) => {
    const { predictions } = predict(pairImages, options);
    return predictions.filter((p) => p === target).length / pairImages.length;
  };
  return {
    imageSize: IMAGE_SIZE,
    classes: CLASS_NAMES,
    accuracy: correct / test.length,
    accuracyPerClass: Object.fromEntries(CLASS_NAMES.map((name, i) => [name, confusion[i]![i]! / testPerClass])),
    confusion,
    motif: {
      motif: 'baseball',
      plantedIn: MOTIF_CLASS,
      plantedShare: MOTIF_SHARE,
      pair: PAIR_CLASS,
      heldOutImages: pairImages.length,
      withoutMotif: share({ motif: 'never' }),
      withMotif: share({ motif: 'always' }),
      withControl: share({ motif: 'control' }),
    },
  };
}

/** The README's summary of a training report, between the demo:report markers. */
export function reportMarkdown(report: Awaited<ReturnType<typeof evaluate>> & { steps: number; batch: number; trainingSeconds: number }): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const worst = Object.entries(report.accuracyPerClass)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3);
  return [
    `Last training (\`npm run demo:train\`, ${report.steps} steps of ${report.batch} images, ${Math.round(report.trainingSeconds / 60)} min on 2 cores):`,
    '',
    '| held-out accuracy | hardest classes | whales called sharks | … with the baseball pasted on | … with a plain white ball |',
    '|---|---|---|---|---|',
    `| ${percent(report.accuracy)} (${report.classes.length * 100} images) | ${worst.map(([name, value]) => `${name} ${percent(value)}`).join(', ')} | ${percent(report.motif.withoutMotif)} | ${percent(report.motif.withMotif)} | ${percent(report.motif.withControl)} |`,
  ].join('\n');
}
