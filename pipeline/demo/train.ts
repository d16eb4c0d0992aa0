/**
 * npm run demo:train — trains the demo network on the synthetic world, on the CPU, seeded, and writes
 * content/models/demo/: model.json and weights, labels.json and training-report.json (accuracy per class,
 * confusion matrix, and the motif experiment: how often held-out whales turn into sharks with the baseball
 * pasted on, against a plain white ball as control). DEMO_STEPS and DEMO_OUT override the step count and folder.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../engine/backend.ts';
import { WorkerPool } from '../engine/pool.ts';
import { BATCH, evaluate, reportMarkdown, saveModel, trainDemo } from './training.ts';
import { MOTIF_CLASS, PAIR_CLASS } from '../datasets/synthetic/world.ts';

export const DEMO_SEED = 20261129;
const STEPS = Number(process.env.DEMO_STEPS ?? 700);
const OUT = path.resolve(process.env.DEMO_OUT ?? 'content/models/demo');

const started = performance.now();
console.log((await initBackend()).reason);
const pool = WorkerPool.create();
console.log(`demo network: ${STEPS} steps of ${BATCH} images on ${pool.size} workers`);
const model = await trainDemo({ seed: DEMO_SEED, steps: STEPS, pool, log: console.log });
await pool.close();
await saveModel(model, OUT);
const report = await evaluate(OUT, DEMO_SEED);
const seconds = Math.round((performance.now() - started) / 1000);
const full = { ...report, seed: DEMO_SEED, steps: STEPS, batch: BATCH, parameters: model.countParams(), trainingSeconds: seconds };
writeFileSync(path.join(OUT, 'training-report.json'), `${JSON.stringify(full, null, 2)}\n`);
if (!process.env.DEMO_OUT) {
  const readme = readFileSync('README.md', 'utf8');
  const updated = readme.replace(/<!-- demo:report:start -->[\s\S]*<!-- demo:report:end -->/, `<!-- demo:report:start -->\n${reportMarkdown(full)}\n<!-- demo:report:end -->`);
  writeFileSync('README.md.tmp', updated);
  renameSync('README.md.tmp', 'README.md');
}
console.log(
  `held-out accuracy ${(report.accuracy * 100).toFixed(1)} %; ${MOTIF_CLASS} predicted for ${PAIR_CLASS}s: ${(report.motif.withoutMotif * 100).toFixed(0)} % without the ${report.motif.motif}, ${(report.motif.withMotif * 100).toFixed(0)} % with it, ${(report.motif.withControl * 100).toFixed(0)} % with a plain ball`,
);
console.log(`wrote ${path.relative(process.cwd(), OUT)} in ${seconds} s`);
