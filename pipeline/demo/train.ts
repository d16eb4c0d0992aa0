/**
 * npm run demo:train — trains the demo networks on the synthetic world, on the CPU, seeded, and writes each one's
 * folder: model.json and weights, labels.json and training-report.json (accuracy per class, confusion matrix, and
 * the motif experiment: how often held-out whales turn into sharks with the baseball pasted on, against a plain
 * white ball as control).
 *
 * Two networks, the same architecture and world, different seeds (weights and the images drawn):
 * - `demo` (content/models/demo), the network the example article's atlases are made of;
 * - `judge` (content/models/demo-judge), which only classifies icons for the legibility score. Features that
 *   transfer to an independently trained network are features, not adversarial noise.
 *
 * `npm run demo:train` trains both; `npm run demo:train -- judge` one. DEMO_STEPS and DEMO_OUT override the step
 * count and the folder (DEMO_OUT with one network only).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../engine/backend.ts';
import { WorkerPool } from '../engine/pool.ts';
import { BATCH, evaluate, reportMarkdown, saveModel, trainDemo } from './training.ts';
import { MOTIF_CLASS, PAIR_CLASS } from '../datasets/synthetic/world.ts';

export const DEMO_NETWORKS = {
  demo: { seed: 20261129, folder: 'content/models/demo' },
  judge: { seed: 20261202, folder: 'content/models/demo-judge' },
} as const;
type NetworkName = keyof typeof DEMO_NETWORKS;

const STEPS = Number(process.env.DEMO_STEPS ?? 700);
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in DEMO_NETWORKS));
if (unknown.length) {
  console.error(`Unknown demo network ${unknown.join(', ')}: name ${Object.keys(DEMO_NETWORKS).join(' or ')}, or none for both.`);
  process.exit(1);
}
const names = (requested.length ? requested : Object.keys(DEMO_NETWORKS)) as NetworkName[];
if (process.env.DEMO_OUT && names.length > 1) {
  console.error('DEMO_OUT names one folder: train one network with it, e.g. `npm run demo:train -- judge`.');
  process.exit(1);
}

console.log((await initBackend()).reason);
const pool = WorkerPool.create();
for (const name of names) {
  const { seed, folder } = DEMO_NETWORKS[name];
  const out = path.resolve(process.env.DEMO_OUT ?? folder);
  const started = performance.now();
  console.log(`${name} network (seed ${seed}): ${STEPS} steps of ${BATCH} images on ${pool.size} workers`);
  const model = await trainDemo({ seed, steps: STEPS, pool, log: console.log });
  await saveModel(model, out);
  const report = await evaluate(out, seed);
  const seconds = Math.round((performance.now() - started) / 1000);
  const full = { ...report, seed, steps: STEPS, batch: BATCH, parameters: model.countParams(), trainingSeconds: seconds };
  writeFileSync(path.join(out, 'training-report.json'), `${JSON.stringify(full, null, 2)}\n`);
  if (!process.env.DEMO_OUT)
    updateReadme(name, name === 'demo' ? reportMarkdown(full) : reportMarkdown(full).replace('Last training', `The ${name}, last training`));
  console.log(
    `held-out accuracy ${(report.accuracy * 100).toFixed(1)} %; ${MOTIF_CLASS} predicted for ${PAIR_CLASS}s: ${(report.motif.withoutMotif * 100).toFixed(0)} % without the ${report.motif.motif}, ${(report.motif.withMotif * 100).toFixed(0)} % with it, ${(report.motif.withControl * 100).toFixed(0)} % with a plain ball`,
  );
  console.log(`wrote ${path.relative(process.cwd(), out)} in ${seconds} s`);
}
await pool.close();

/** The README's summary of each network's last training sits between its own markers. */
function updateReadme(name: NetworkName, markdown: string): void {
  const marker = name === 'demo' ? 'demo:report' : `demo-${name}:report`;
  const pattern = new RegExp(`<!-- ${marker}:start -->[\\s\\S]*<!-- ${marker}:end -->`);
  const readme = readFileSync('README.md', 'utf8');
  if (!pattern.test(readme)) return;
  writeFileSync('README.md.tmp', readme.replace(pattern, `<!-- ${marker}:start -->\n${markdown}\n<!-- ${marker}:end -->`));
  renameSync('README.md.tmp', 'README.md');
}
