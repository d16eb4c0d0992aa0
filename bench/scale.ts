/**
 * npm run bench:scale — the demo network end to end through activations, layout and grids at BENCH_SCALE_COUNT
 * samples (default 100,000; one image each) on one layer (BENCH_SCALE_LAYER, default mixed5a): wall time per
 * stage and the process's peak resident memory (worker threads included), sampled every 200 ms. Runs in a
 * temporary project with its own cache. Writes bench/results/scale.json and the README table between the
 * bench:scale markers.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CacheStore } from '../pipeline/cache/store.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { WorkerPool } from '../pipeline/engine/pool.ts';
import { readRecipe } from '../pipeline/recipes/read.ts';
import { runActivations } from '../pipeline/stages/activations/stage.ts';
import { buildGrid } from '../pipeline/stages/grid/grid.ts';
import { layoutActivations } from '../pipeline/stages/layout/layout.ts';
import { loadLayer } from '../pipeline/stages/layer-data.ts';

const COUNT = Number(process.env.BENCH_SCALE_COUNT ?? 100_000);
const LAYER = process.env.BENCH_SCALE_LAYER ?? 'mixed5a';
const SIZES = [20, 40, 80, 160];

const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-scale-'));
mkdirSync(path.join(root, 'content', 'atlases'), { recursive: true });
cpSync('content/models/demo', path.join(root, 'content', 'models', 'demo'), { recursive: true });
const recipeFile = path.join(root, 'content', 'atlases', 'scale.yaml');
writeFileSync(
  recipeFile,
  `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 7, split: test }, count: ${COUNT} }
layers: [${LAYER}]
attribution: { topK: 5, classes: [whale, shark] }
layout: { neighbors: 50, minDist: 0.05, metric: cosine, pca: 50, seed: 1 }
grids: { sizes: [${SIZES.join(', ')}], minCount: 5 }
`,
);

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
const mb = (bytes: number) => Math.round(bytes / 1e6);
const rows: { stage: string; seconds: number; peakMB: number; detail: string }[] = [];
const timed = async <T>(stage: string, run: () => Promise<T> | T, detail: (value: T) => string): Promise<T> => {
  peak = process.memoryUsage().rss;
  const start = performance.now();
  const value = await run();
  peak = Math.max(peak, process.memoryUsage().rss);
  rows.push({ stage, seconds: (performance.now() - start) / 1000, peakMB: mb(peak), detail: detail(value) });
  console.log(JSON.stringify(rows.at(-1)));
  return value;
};

const backend = await initBackend({ ATLAS_BACKEND: process.env.ATLAS_BACKEND ?? 'wasm' });
const pool = WorkerPool.create();
try {
  const recipe = readRecipe(recipeFile, root);
  const cache = new CacheStore(path.join(root, '.atlas-cache'));
  const activations = await timed(
    'activations',
    () => runActivations({ recipe, root, cache, pool }),
    (a) => `${a.chunks.length} chunks on ${pool.size} workers`,
  );
  const data = await timed(
    'load layer',
    () => loadLayer(cache, activations.chunks, LAYER, recipe.attribution.topK, activations.declared.length),
    (d) => `${d.n} × ${d.depth}`,
  );
  const layout = await timed(
    'layout',
    () => layoutActivations(data.vectors, data.n, data.depth, recipe.layout, LAYER, pool),
    (l) =>
      `trustworthiness ${l.trustworthiness.toFixed(3)}; PCA ${l.seconds.pca.toFixed(0)} s, neighbours ${l.seconds.neighbours.toFixed(0)} s, UMAP ${l.seconds.umap.toFixed(0)} s`,
  );
  await timed(
    'grids',
    () =>
      SIZES.map((size) =>
        buildGrid(
          {
            points: layout.points,
            activations: data.vectors,
            depth: data.depth,
            topClasses: data.topClasses,
            topValues: data.topValues,
            topK: data.topK,
            declared: data.declared,
            declaredCount: data.declaredCount,
          },
          size,
          5,
        ),
      ),
    (grids) => grids.map((g) => `${g.size}²: ${g.cells.length}`).join(', '),
  );
} finally {
  clearInterval(sampler);
  await pool.close();
  rmSync(root, { recursive: true, force: true });
}

const table = [
  `| stage (${COUNT.toLocaleString('en')} samples of ${LAYER}) | seconds | peak memory (MB) | detail |`,
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.stage} | ${r.seconds.toFixed(1)} | ${r.peakMB} | ${r.detail} |`),
].join('\n');
console.log(`\n${table}`);
const stamp = new Date().toISOString().slice(0, 10);
writeFileSync('bench/results/scale.json.tmp', `${JSON.stringify({ date: stamp, count: COUNT, layer: LAYER, backend: backend.name, rows }, null, 2)}\n`);
renameSync('bench/results/scale.json.tmp', 'bench/results/scale.json');
const readme = readFileSync('README.md', 'utf8');
const block = `<!-- bench:scale:start -->\n${stamp}, 2 cores, ${backend.name} backend, one run (\`npm run bench:scale\`; peak memory is the whole process's, worker threads included):\n\n${table}\n<!-- bench:scale:end -->`;
const updated = readme.includes('<!-- bench:scale:start -->')
  ? readme.replace(/<!-- bench:scale:start -->[\s\S]*<!-- bench:scale:end -->/, block)
  : readme.replace('<!-- bench:layout:end -->', `<!-- bench:layout:end -->\n\n${block}`);
writeFileSync('README.md.tmp', updated);
renameSync('README.md.tmp', 'README.md');
