/**
 * npm run demo:train — trains the demo network on the synthetic world, on the CPU, seeded, and writes
 * content/models/demo/: model.json and weights, labels.json and training-report.json (accuracy per class,
 * confusion matrix, and the motif experiment: how often held-out whales turn into sharks with the baseball
 * pasted on, against a plain white ball as control).
 *
 * Data-parallel over the worker pool: each step's batch is cut into fixed shards that workers turn into
 * gradients; the main thread averages them and takes the Adam step. Batch-norm statistics are measured at the
 * end on fresh images, so the model does not depend on the number of workers.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tf } from '../engine/tf.ts';
import { initBackend } from '../engine/backend.ts';
import { WorkerPool } from '../engine/pool.ts';
import { loadModel } from '../models/load.ts';
import { ModelRunner } from '../models/runner.ts';
import { buildDemoNetwork } from './network.ts';
import { syntheticBatch } from './train-tasks.ts';
import { CLASS_NAMES, MOTIF_CLASS, MOTIF_SHARE, PAIR_CLASS, IMAGE_SIZE } from '../datasets/synthetic/world.ts';

const SEED = 20261129;
const STEPS = Number(process.env.DEMO_STEPS ?? 700);
const BATCH = 64;
const SHARDS = 2;
const PEAK_RATE = 0.004;
const TEST_PER_CLASS = 100;
const OUT = path.resolve(process.env.DEMO_OUT ?? 'content/models/demo');
const TASKS = new URL('./train-tasks.ts', import.meta.url).href;

const started = performance.now();
console.log((await initBackend()).reason);
const pool = WorkerPool.create();
const model = buildDemoNetwork(CLASS_NAMES.length, SEED);
const variables = model.trainableWeights;
const optimizer = tf.train.adam(PEAK_RATE);
console.log(`demo network: ${model.countParams().toLocaleString('en-US')} parameters; ${STEPS} steps of ${BATCH} images on ${pool.size} workers`);

let recentLoss = 0;
let recentCorrect = 0;
for (let step = 0; step < STEPS; step++) {
  // Warm up for 20 steps, then a cosine decay to 5 % of the peak rate.
  const progress = step / STEPS;
  (optimizer as unknown as { learningRate: number }).learningRate =
    step < 20 ? (PEAK_RATE * (step + 1)) / 20 : PEAK_RATE * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
  const weights = variables.map((v) => v.read().dataSync() as Float32Array);
  const shardSize = BATCH / SHARDS;
  const results = await pool.map<unknown, { gradients: Float32Array[]; loss: number; correct: number }>(
    TASKS,
    'shardGradients',
    Array.from({ length: SHARDS }, (_, shard) => ({
      seed: SEED,
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
  if ((step + 1) % 25 === 0 || step + 1 === STEPS) {
    const seconds = (performance.now() - started) / 1000;
    const perStep = seconds / (step + 1);
    const count = (step % 25) + 1;
    console.log(
      `step ${step + 1}/${STEPS}: loss ${(recentLoss / count).toFixed(3)}, train accuracy ${((recentCorrect / (count * BATCH)) * 100).toFixed(1)} %, ${((BATCH * (step + 1)) / seconds).toFixed(1)} images/s, ETA ${Math.round(perStep * (STEPS - step - 1))} s`,
    );
    recentLoss = 0;
    recentCorrect = 0;
  }
}
await pool.close();

// Batch-norm population statistics, measured on 1,024 images the training never saw: one pass per batch gives
// the input of every batch-norm layer (normalized by batch statistics, as in training, which at 128 images a
// batch match the population's closely).
const calibration = Array.from({ length: 1024 }, (_, i) => STEPS * BATCH + i);
const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
const probe = tf.model({ inputs: model.inputs, outputs: norms.map((l) => l.input as tf.SymbolicTensor) });
const sums = norms.map(() => undefined as tf.Tensor | undefined);
const squares = norms.map(() => undefined as tf.Tensor | undefined);
for (let start = 0; start < calibration.length; start += 128) {
  const { x } = syntheticBatch(SEED, 'train', calibration.slice(start, start + 128));
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
  const count = calibration.length * (layer.input as tf.SymbolicTensor).shape.slice(1, 3).reduce((a, b) => a! * b!, 1)!;
  const mean = tf.div(sums[i]!, count);
  layer.setWeights([gamma!, beta!, mean, tf.relu(tf.sub(tf.div(squares[i]!, count), tf.square(mean)))]);
});

await saveModel(model, OUT);
const report = await evaluate(OUT);
writeFileSync(path.join(OUT, 'training-report.json'), `${JSON.stringify({ ...report, seed: SEED, steps: STEPS, batch: BATCH, parameters: model.countParams(), trainingSeconds: Math.round((performance.now() - started) / 1000) }, null, 2)}\n`);
console.log(`held-out accuracy ${(report.accuracy * 100).toFixed(1)} %; ${MOTIF_CLASS} predicted for ${PAIR_CLASS}s: ${(report.motif.withoutMotif * 100).toFixed(0)} % without the ${report.motif.motif}, ${(report.motif.withMotif * 100).toFixed(0)} % with it, ${(report.motif.withControl * 100).toFixed(0)} % with a plain ball`);
console.log(`wrote ${OUT} in ${Math.round((performance.now() - started) / 1000)} s`);

async function saveModel(network: tf.LayersModel, folder: string): Promise<void> {
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

async function evaluate(folder: string) {
  const runner = new ModelRunner(await loadModel(folder));
  const predict = (indices: number[], options = {}) => {
    const { x, labels } = syntheticBatch(SEED, 'test', indices, options);
    const predictions = tf.tidy(() => Array.from(tf.argMax(tf.reshape(runner.tap(x, ['logits']).logits!, [indices.length, -1]), 1).dataSync()));
    x.dispose();
    return { labels, predictions };
  };
  const classes = CLASS_NAMES.length;
  const confusion = CLASS_NAMES.map(() => new Array<number>(classes).fill(0));
  const test = Array.from({ length: TEST_PER_CLASS * classes }, (_, i) => i);
  for (let start = 0; start < test.length; start += 200) {
    const { labels, predictions } = predict(test.slice(start, start + 200));
    labels.forEach((label, i) => confusion[label]![predictions[i]!]!++);
  }
  const correct = confusion.reduce((total, row, i) => total + row[i]!, 0);
  const pair = CLASS_NAMES.indexOf(PAIR_CLASS);
  const target = CLASS_NAMES.indexOf(MOTIF_CLASS);
  const pairImages = Array.from({ length: TEST_PER_CLASS }, (_, i) => pair + i * classes);
  const share = (options: object) => {
    const { predictions } = predict(pairImages, options);
    return predictions.filter((p) => p === target).length / pairImages.length;
  };
  return {
    imageSize: IMAGE_SIZE,
    classes: CLASS_NAMES,
    accuracy: correct / test.length,
    accuracyPerClass: Object.fromEntries(CLASS_NAMES.map((name, i) => [name, confusion[i]![i]! / TEST_PER_CLASS])),
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
