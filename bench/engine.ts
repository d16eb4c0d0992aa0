/**
 * npm run bench:engine — how fast the compute engine runs models on this machine, per backend, with one worker
 * and with all: forward images/s, forward+input-gradient image-steps/s (the feature-visualization step), and the
 * GFLOP/s achieved next to the ceiling of one large convolution on the same backend. Models: the real MobileNet
 * v1 0.25 from ../shared/realdata where present, the MobileNet-shaped fixture, and an Inception-shaped network of
 * dense convolutions (stem, mixed3a, mixed3b), all at 224 px. Rates are medians of BENCH_REPEATS timed rounds.
 * Writes bench/results/engine.json and the table between the bench:engine markers in README.md.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkerPool, workerCount } from '../pipeline/engine/pool.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { loadModel } from '../pipeline/models/load.ts';
import { ModelRunner } from '../pipeline/models/runner.ts';
import { forwardFlops } from '../pipeline/models/flops.ts';
import type { Batch } from '../pipeline/models/tasks.ts';
import { fixtureModels } from '../tests/fixtures/models.ts';
import { seededValues } from '../tests/helpers/random.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const ALL = workerCount();
const TASKS = new URL('../pipeline/models/tasks.ts', import.meta.url).href;
const BENCH_TASKS = new URL('./engine-tasks.ts', import.meta.url).href;
const SIZE = 224;

interface Subject {
  name: string;
  folder: string;
  /** The layer whose mean squared activation the gradient step differentiates. */
  gradientLayer?: string;
  flops: number;
}

const fixtures = await fixtureModels();
const realFolder = path.resolve('../shared/realdata/mobilenet_v1_0.25_224');
await initBackend({ ATLAS_BACKEND: 'wasm' });
const subjects: Subject[] = [];
const describe = async (name: string, folder: string, gradientLayer?: string) => {
  const runner = new ModelRunner(await loadModel(folder));
  subjects.push({ name, folder, gradientLayer, flops: forwardFlops(runner, SIZE, SIZE) ?? 0 });
};
if (existsSync(path.join(realFolder, 'model.json'))) await describe('MobileNet v1 0.25 (real)', realFolder, 'conv_pw_13_relu');
else console.log(`(real MobileNet not found at ${realFolder}; measuring the fixtures only)`);
await describe('MobileNet-shaped fixture', fixtures.mobilenet, 'conv_pw_5_relu');
await describe('Inception-shaped, dense convolutions', fixtures.inceptionDense);

const backends = ['wasm', 'cpu'] as const;
const rows: Record<string, unknown>[] = [];

for (const backend of backends) {
  // The cpu backend is the slow reference: small batches and one round keep the benchmark short.
  const batchSize = backend === 'cpu' ? 2 : 16;
  const repeats = backend === 'cpu' ? 1 : REPEATS;
  for (const workers of [...new Set([1, ALL])]) {
    const pool = WorkerPool.create({ size: workers, env: { ...process.env, ATLAS_BACKEND: backend } });
    await pool.backends();
    const ceilings = await pool.map<{ repeats: number; batch: number }, number>(
      BENCH_TASKS,
      'convolutionCeiling',
      Array.from({ length: workers }, () => ({ repeats: backend === 'cpu' ? 1 : 3, batch: backend === 'cpu' ? 1 : 16 })),
    );
    const ceiling = median(ceilings);
    for (const subject of subjects) {
      if (backend === 'cpu' && subject.flops > 1e9) continue; // minutes per batch on plain JS
      const batches = (count: number) =>
        Array.from({ length: count }, (_, i) => ({ values: seededValues(batchSize * SIZE * SIZE * 3, i + 1), shape: [batchSize, SIZE, SIZE, 3] }) as Batch);
      const forwardJobs = (b: Batch[]) => b.map((batch) => ({ model: subject.folder, layers: ['logits'], batch }));
      // Warm-up: each worker loads the model and runs once.
      await pool.map(TASKS, 'forward', forwardJobs(batches(workers)));
      // Inputs are made before the clock starts (the benchmark times the engine, not the random numbers) and
      // handed to the workers without copying, as the pipeline's stages do.
      const perRound = workers * (backend === 'cpu' ? 1 : 2);
      const forwardRates = await rounds(
        repeats,
        () => forwardJobs(batches(perRound)),
        async (jobs) => {
          await pool.map(TASKS, 'forward', jobs, (job) => [job.batch.values.buffer as ArrayBuffer]);
          return perRound * batchSize;
        },
      );
      let gradientRate: number | undefined;
      if (subject.gradientLayer) {
        const gradientJobs = () => batches(workers).map((batch) => ({ model: subject.folder, layer: subject.gradientLayer!, batch }));
        await pool.map(TASKS, 'inputGradient', gradientJobs());
        gradientRate = median(
          await rounds(repeats, gradientJobs, async (jobs) => {
            await pool.map(TASKS, 'inputGradient', jobs, (job) => [job.batch.values.buffer as ArrayBuffer]);
            return workers * batchSize;
          }),
        );
      }
      const forward = median(forwardRates);
      const achieved = (forward * subject.flops) / 1e9;
      const row = {
        model: subject.name,
        backend,
        workers,
        batch: batchSize,
        forwardImagesPerSecond: round(forward),
        gradientStepsPerSecond: gradientRate === undefined ? null : Number(gradientRate.toPrecision(3)),
        gflopsAchieved: round(achieved),
        gflopsCeilingPerWorker: round(ceiling),
        shareOfCeiling: round(achieved / (ceiling * workers), 2),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    await pool.close();
  }
}

const table = [
  '| model | backend | workers | forward img/s | grad steps/s | GFLOP/s | ceiling × workers | share |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.backend} | ${r.workers} | ${r.forwardImagesPerSecond} | ${r.gradientStepsPerSecond ?? '–'} | ${r.gflopsAchieved} | ${round(
        (r.gflopsCeilingPerWorker as number) * (r.workers as number),
      )} | ${Math.round((r.shareOfCeiling as number) * 100)} % |`,
  ),
].join('\n');
console.log(`\n${table}`);

const stamp = new Date().toISOString().slice(0, 10);
const json = { date: stamp, cpus: os.cpus()[0]?.model, cores: os.availableParallelism(), size: SIZE, repeats: REPEATS, rows };
writeAtomic('bench/results/engine.json', `${JSON.stringify(json, null, 2)}\n`);
const readme = readFileSync('README.md', 'utf8');
const block = `<!-- bench:engine:start -->\n${stamp}, ${os.availableParallelism()} cores (${json.cpus}), 224 px, batch 16 (cpu: 2), median of ${REPEATS} rounds (\`npm run bench:engine\`):\n\n${table}\n<!-- bench:engine:end -->`;
const updated = readme.replace(/<!-- bench:engine:start -->[\s\S]*<!-- bench:engine:end -->/, block);
if (updated !== readme) writeAtomic('README.md', updated);

/** Items per second of `work` (which returns how many items it did) on inputs made by `prepare`, once per round. */
async function rounds<Input>(count: number, prepare: () => Input, work: (input: Input) => Promise<number>): Promise<number[]> {
  const rates: number[] = [];
  for (let i = 0; i < count; i++) {
    const input = prepare();
    const start = performance.now();
    const items = await work(input);
    rates.push(items / ((performance.now() - start) / 1000));
  }
  return rates;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

function writeAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
