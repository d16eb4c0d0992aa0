/**
 * npm run bench:icons — feature-visualization speed: icon-steps per second (icons × optimization steps ÷ wall
 * seconds) through the icons stage, on the demo network (mixed4b, 64-px icons on its fixed 64-px input) and on
 * the MobileNet-shaped fixture (conv_pw_5_relu, 64-px icons, any input size), per backend and worker count.
 * Workers are started and the model loaded before timing. Writes bench/results/icons.json and the table
 * between the bench:icons markers in README.md, with tiles per second of the render stage's pyramid cutting
 * (6,400 and 12,800 px levels, JPEG and WebP). About 3 minutes on 2 cores.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CacheStore } from '../pipeline/cache/store.ts';
import { WorkerPool } from '../pipeline/engine/pool.ts';
import { recipeSchema } from '../pipeline/recipes/schema.ts';
import { runIcons } from '../pipeline/stages/icons/stage.ts';
import { Random } from '../pipeline/datasets/synthetic/random.ts';
import { fixtureModels } from '../tests/fixtures/models.ts';
import { benchmarkTiles, type TileBenchmark } from '../pipeline/stages/render/bench.ts';

const models = [
  { name: 'demo network (mixed4b)', folder: 'content/models/demo', layer: 'mixed4b', depth: 224, preprocess: { size: 64, range: [0, 1] as [number, number], channels: 'rgb' as const, resize: 'crop' as const } },
  { name: 'MobileNet-shaped fixture (conv_pw_5_relu)', folder: (await fixtureModels()).mobilenet, layer: 'conv_pw_5_relu', depth: 128, preprocess: { size: 96, range: [-1, 1] as [number, number], channels: 'rgb' as const, resize: 'crop' as const } },
];
// Per backend: icons per worker, steps and batch, sized so that each run takes a few seconds.
const plans = { wasm: { iconsPerWorker: 16, steps: 16, batch: 8 }, cpu: { iconsPerWorker: 2, steps: 4, batch: 2 } };

function directions(count: number, depth: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count * depth }, (_, i) => random.next() * (i % 4 === 0 ? 1 : 0.2));
}

const rows: { model: string; backend: string; workers: number; icons: number; steps: number; batch: number; seconds: number; iconStepsPerSecond: number }[] = [];
for (const backend of ['wasm', 'cpu'] as const) {
  for (const workers of [1, 2]) {
    const pool = WorkerPool.create({ size: workers, env: { ...process.env, ATLAS_BACKEND: backend } });
    await pool.backends();
    for (const model of models) {
      const plan = plans[backend];
      const folder = mkdtempSync(path.join(os.tmpdir(), 'bench-icons-'));
      const cache = new CacheStore(folder);
      const params = recipeSchema.shape.icons.parse({ size: 64, steps: plan.steps, batch: plan.batch });
      const run = (count: number, steps: number, seed: number) =>
        runIcons({ modelFolder: model.folder, modelHash: 'bench', layer: model.layer, directions: directions(count, model.depth, seed), depth: model.depth, params: { ...params, steps }, preprocess: model.preprocess, cache, pool });
      await run(workers, 1, 1); // loads the model in every worker
      const icons = plan.iconsPerWorker * workers;
      const result = await run(icons, plan.steps, 2);
      rows.push({ model: model.name, backend, workers, icons, steps: plan.steps, batch: plan.batch, seconds: result.seconds, iconStepsPerSecond: (icons * plan.steps) / result.seconds });
      console.log(JSON.stringify(rows.at(-1)));
      rmSync(folder, { recursive: true, force: true });
    }
    await pool.close();
  }
}

const demoRate = rows.filter((r) => r.backend === 'wasm' && r.model.startsWith('demo')).reduce((best, r) => Math.max(best, r.iconStepsPerSecond), 0);
const fit = Math.floor((demoRate * 300) / 2000);
const table = [
  '| model | backend | workers | icons × steps (batch) | seconds | icon-steps/s |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.backend} | ${r.workers} | ${r.icons} × ${r.steps} (${r.batch}) | ${r.seconds.toFixed(1)} | ${r.iconStepsPerSecond.toFixed(1)} |`),
].join('\n');
// Tiles: cutting a composed level into its DZI pyramid (the render stage's other heavy step).
const tileRows: TileBenchmark[] = [];
for (const [width, format] of [[6400, 'jpeg'], [12800, 'jpeg'], [6400, 'webp']] as const) tileRows.push(await benchmarkTiles({ width, settings: { format } }));
const tileTable = [
  '| level width (px) | format | tiles (254 px, overlap 1) | MB | seconds | tiles/s |',
  '|---|---|---|---|---|---|',
  ...tileRows.map((r) => `| ${r.width} | ${r.format} | ${r.tiles} | ${(r.bytes / 1e6).toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.tilesPerSecond.toFixed(0)} |`),
].join('\n');
const summary = `At ${demoRate.toFixed(0)} icon-steps/s, 2,000 demo icons fit in 5 minutes at ${fit} steps each.\n\n${tileTable}`;
console.log(`\n${table}\n\n${summary}`);
const stamp = new Date().toISOString().slice(0, 10);
writeFileSync('bench/results/icons.json.tmp', `${JSON.stringify({ date: stamp, cores: os.availableParallelism(), rows, demoStepsFor2000IconsIn5Minutes: fit, tiles: tileRows }, null, 2)}\n`);
renameSync('bench/results/icons.json.tmp', 'bench/results/icons.json');
const readme = readFileSync('README.md', 'utf8');
const section = `<!-- bench:icons:start -->\n${stamp}, ${os.availableParallelism()} cores, 64-px icons, one run each (\`npm run bench:icons\`):\n\n${table}\n\n${summary}\n<!-- bench:icons:end -->`;
const updated = readme.includes('<!-- bench:icons:start -->')
  ? readme.replace(/<!-- bench:icons:start -->[\s\S]*<!-- bench:icons:end -->/, section)
  : readme.replace(/(<!-- bench:layout:end -->\n)/, `$1\n${section}\n`);
writeFileSync('README.md.icons.tmp', updated);
renameSync('README.md.icons.tmp', 'README.md');
