/**
 * npm run bench:scale — the demo network end to end through activations, layout and grids at each of
 * BENCH_SCALE_COUNTS samples (default 100,000, 300,000 and 1,000,000; one image each) of one layer
 * (BENCH_SCALE_LAYER, default mixed5a), as `atlas build` runs them: per stage, wall time and the process's peak
 * resident memory (worker threads included, sampled every 200 ms) next to the build's own estimate, and the
 * layout's trustworthiness (k = 15, 500 points). Each count runs in a process of its own, as a build does, so its
 * peak is that build's; counts run in ascending order in one project with one cache, so each count's
 * activations compute only the chunks the smaller count did not have, and the totals add them up.
 *
 * Also, in the same run:
 * - at BENCH_SCALE_EXACT_AT (default 100,000): recall@15 of the approximate search against the exact one on the
 *   first 50,000 of the layout's rows, and the layout with exact neighbours (trustworthiness to compare);
 * - at BENCH_SCALE_UMAP_LEARN_AT (default 300,000; where `python3 -c 'import umap'` works, Debian's umap-learn):
 *   umap-learn on the same PCA rows, with the same neighbours, min_dist, metric and epochs, on all cores
 *   (no random_state), its numba compilation warmed up first;
 * - at the largest count: the grid-320 level composed at 80 px per cell and cut into a DZI pyramid, with icons
 *   drawn from each cell's mean activation (a stand-in: optimizing 10⁵ icons is bench:icons' business): files
 *   and MB per view.
 *
 * BENCH_SCALE_PROJECT keeps the project (and its cache) in that folder, to rerun later stages without
 * recomputing activations. Writes bench/results/scale.json and the README table between the bench:scale markers.
 * `npm run bench:scale -- --table` rewrites that table from the saved results, with the estimate column from the
 * build's current memory estimate (after its constants are recalibrated against the measured peaks).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, promises as fs, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CacheStore } from '../pipeline/cache/store.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { tasksOf, WorkerPool } from '../pipeline/engine/pool.ts';
import { readRecipe } from '../pipeline/recipes/read.ts';
import { runActivations } from '../pipeline/stages/activations/stage.ts';
import { buildGrid } from '../pipeline/stages/grid/grid.ts';
import { approximateKnn } from '../pipeline/stages/layout/approximate-knn.ts';
import { exactKnnWith } from '../pipeline/stages/layout/knn.ts';
import { layoutActivations, type LayoutParams } from '../pipeline/stages/layout/layout.ts';
import { layoutPeakBytes } from '../pipeline/stages/layout/memory.ts';
import { clipAndScale } from '../pipeline/stages/layout/scale.ts';
import { trustworthiness } from '../pipeline/stages/layout/trustworthiness.ts';
import { loadLayer } from '../pipeline/stages/layer-data.ts';
import { composeGrid } from '../pipeline/stages/render/compose.ts';
import { encodeTiles, type RenderSettings } from '../pipeline/stages/render/pyramid.ts';
import { probeLayer } from '../pipeline/icons/tasks.ts';

const COUNTS = (process.env.BENCH_SCALE_COUNTS ?? '100000,300000,1000000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const LAYER = process.env.BENCH_SCALE_LAYER ?? 'mixed5a';
const EXACT_AT = Number(process.env.BENCH_SCALE_EXACT_AT ?? 100_000);
const UMAP_LEARN_AT = Number(process.env.BENCH_SCALE_UMAP_LEARN_AT ?? 300_000);
const SIZES = [20, 40, 80, 160, 320];
const CELL_PIXELS = 80;
const RECALL_POINTS = 50_000;
const tasks = tasksOf<typeof import('../pipeline/stages/layout/tasks.ts')>(new URL('../pipeline/stages/layout/tasks.ts', import.meta.url));

const layoutSettings = { neighbors: 50, minDist: 0.05, metric: 'cosine', pca: 50, seed: 1 } as const;

interface Row {
  count: number;
  stage: string;
  seconds: number;
  peakMB: number;
  estimateMB?: number;
  detail: string;
}
const mb = (bytes: number) => Math.round(bytes / 1e6);
const TABLE_ONLY = process.argv.includes('--table');
const saved = TABLE_ONLY
  ? (JSON.parse(readFileSync('bench/results/scale.json', 'utf8')) as { date: string; backend: string; rows: Row[]; summary: Record<string, number> })
  : undefined;
const rows: Row[] = saved?.rows ?? [];
const summary: Record<string, number> = saved?.summary ?? {};
const backend = await initBackend({ ATLAS_BACKEND: process.env.ATLAS_BACKEND ?? 'wasm' });
const countArgument = process.argv.indexOf('--count');
if (countArgument > 0) {
  await measureCount(Number(process.argv[countArgument + 1]));
  process.exit(0);
}
if (!TABLE_ONLY) await measure();
// The estimate column: the build's current estimate for each count (one position per image, this recipe).
const depth =
  summary.depth ??
  (await probeLayer({ model: 'content/models/demo', layer: LAYER, preprocess: { size: 64, range: [0, 1], channels: 'rgb', resize: 'stretch' } })).shape[3]!;
for (const row of rows)
  if (['PCA', 'neighbours', 'UMAP'].includes(row.stage))
    row.estimateMB = mb(layoutPeakBytes({ n: row.count, depth, topK: 5, declared: 2, params: layoutSettings }));

/** Runs every count, each in a child process of its own (`--count N`), and fills `rows` and `summary`. */
async function measure(): Promise<void> {
  const root = process.env.BENCH_SCALE_PROJECT ? path.resolve(process.env.BENCH_SCALE_PROJECT) : mkdtempSync(path.join(os.tmpdir(), 'atlas-scale-'));
  mkdirSync(path.join(root, 'content', 'atlases'), { recursive: true });
  if (!existsSync(path.join(root, 'content', 'models', 'demo')))
    cpSync('content/models/demo', path.join(root, 'content', 'models', 'demo'), { recursive: true });
  let activationSeconds = 0;
  try {
    for (const count of COUNTS) {
      const results = path.join(root, `results-${count}.json`);
      const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--count', String(count)], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, BENCH_SCALE_ROOT: root, BENCH_SCALE_RESULTS: results, BENCH_SCALE_ACTIVATIONS_BEFORE: String(activationSeconds) },
      });
      if (child.status !== 0) throw new Error(`bench:scale at ${count} samples failed (exit ${child.status ?? child.signal})`);
      const measured = JSON.parse(readFileSync(results, 'utf8')) as { rows: Row[]; summary: Record<string, number> };
      rows.push(...measured.rows);
      Object.assign(summary, measured.summary);
      activationSeconds = summary[`activations${count}`]!;
    }
  } finally {
    if (!process.env.BENCH_SCALE_PROJECT) rmSync(root, { recursive: true, force: true });
  }
}

/** One count, in this process (a child of `measure`): rows and summary to BENCH_SCALE_RESULTS. */
async function measureCount(count: number): Promise<void> {
  const root = process.env.BENCH_SCALE_ROOT!;
  const recipeFile = path.join(root, 'content', 'atlases', 'scale.yaml');
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);

  const record = (row: Row) => {
    rows.push(row);
    console.log(JSON.stringify(row));
  };
  /** Times `run` as one row; its peak is the highest resident memory seen while it ran. */
  const timed = async <T>(count: number, stage: string, run: () => Promise<T> | T, detail: (value: T) => string, estimate?: number): Promise<T> => {
    peak = process.memoryUsage().rss;
    const start = performance.now();
    const value = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    record({
      count,
      stage,
      seconds: (performance.now() - start) / 1000,
      peakMB: mb(peak),
      ...(estimate ? { estimateMB: mb(estimate) } : {}),
      detail: detail(value),
    });
    return value;
  };
  const python = ['python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import umap'], { stdio: 'ignore' }).status === 0);

  const pool = WorkerPool.create();

  let activationSeconds = Number(process.env.BENCH_SCALE_ACTIVATIONS_BEFORE ?? 0);
  try {
    // (Lines joined rather than one template literal, which re-indenting the code once broke.)
    const layoutFields = Object.entries(layoutSettings).map(([field, value]) => `${field}: ${value}`);
    writeFileSync(
      recipeFile,
      [
        'model: content/models/demo',
        'preprocess: { size: 64, range: [0, 1] }',
        `data: { synthetic: { seed: 7, split: test }, count: ${count} }`,
        `layers: [${LAYER}]`,
        'attribution: { topK: 5, classes: [whale, shark] }',
        `layout: { ${layoutFields.join(', ')} }`,
        `grids: { sizes: [${SIZES.join(', ')}], minCount: 5 }`,
        '',
      ].join('\n'),
    );
    const recipe = readRecipe(recipeFile, root);
    const cache = new CacheStore(path.join(root, '.atlas-cache'));
    const activations = await timed(
      count,
      'activations',
      () => runActivations({ recipe, root, cache, pool }),
      (a) => `${a.computed} new chunks of ${a.chunks.length} on ${pool.size} workers`,
    );
    activationSeconds += rows.at(-1)!.seconds;
    const data = await timed(
      count,
      'load layer',
      () => loadLayer(cache, activations.chunks, LAYER, recipe.attribution.topK, activations.declared.length),
      (d) => `${d.n.toLocaleString('en')} × ${d.depth} in ${d.vectors.blocks} block${d.vectors.blocks > 1 ? 's' : ''}`,
    );
    const params: LayoutParams = { ...recipe.layout };
    summary.depth = data.depth;
    const estimate = layoutPeakBytes({ n: data.n, depth: data.depth, topK: data.topK, declared: data.declaredCount, params });

    // The layout, one row per step (its own peak each).
    peak = process.memoryUsage().rss;
    const layout = await layoutActivations(data.vectors, data.n, data.depth, params, LAYER, pool, undefined, (step, seconds) => {
      peak = Math.max(peak, process.memoryUsage().rss);
      record({
        count,
        stage: step === 'pca' ? 'PCA' : step === 'umap' ? 'UMAP' : 'neighbours',
        seconds,
        peakMB: mb(peak),
        estimateMB: mb(estimate),
        detail: '',
      });
      peak = process.memoryUsage().rss;
    });
    const layoutSeconds = layout.seconds.pca + layout.seconds.neighbours + layout.seconds.umap;
    rows.find((r) => r.count === count && r.stage === 'neighbours')!.detail = `${layout.neighbourSearch}, k = ${params.neighbors}`;
    rows.find((r) => r.count === count && r.stage === 'UMAP')!.detail =
      `trustworthiness ${layout.trustworthiness.toFixed(4)}; layout ${(layoutSeconds / 60).toFixed(1)} min in all`;

    const grids = await timed(
      count,
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
      (built) => built.map((g) => `${g.size}²: ${g.cells.length.toLocaleString('en')}`).join(', '),
    );
    const gridSeconds = rows.at(-1)!.seconds;
    summary[`total${count}`] = activationSeconds + rows.find((r) => r.count === count && r.stage === 'load layer')!.seconds + layoutSeconds + gridSeconds;
    summary[`layout${count}`] = layoutSeconds;
    summary[`peak${count}`] = Math.max(...rows.filter((r) => r.count === count).map((r) => r.peakMB));
    summary[`trust${count}`] = layout.trustworthiness;
    summary[`activations${count}`] = activationSeconds;

    if (count === EXACT_AT) {
      // Recall@15 on the first 50,000 rows the layout searched, and the same layout on exact neighbours.
      const n = Math.min(RECALL_POINTS, data.n);
      const subset = layout.reduced.subarray(0, n * layout.dims);
      await timed(
        count,
        `recall@15 on ${n.toLocaleString('en')} rows`,
        async () => {
          const exact = await exactKnnWith(subset, n, layout.dims, 15, params.metric, (job) => pool.call(tasks.neighbours, job));
          const approximate = await approximateKnn(subset, n, layout.dims, 15, params.metric, params.seed, pool);
          let found = 0;
          for (let i = 0; i < n; i++) {
            const truth = new Set(exact.indices.subarray(i * 15, (i + 1) * 15));
            for (let s = 0; s < 15; s++) if (truth.has(approximate.indices[i * 15 + s]!)) found++;
          }
          return (summary.recall = found / (n * 15));
        },
        (recall) => `recall ${recall.toFixed(4)} (approximate against exact, k = 15)`,
      );
      await timed(
        count,
        'layout, exact neighbours',
        () => layoutActivations(data.vectors, data.n, data.depth, { ...params, neighbourSearch: 'exact' }, LAYER, pool),
        (exact) => {
          summary.trustExact = exact.trustworthiness;
          return `trustworthiness ${exact.trustworthiness.toFixed(4)} (approximate: ${layout.trustworthiness.toFixed(4)}); neighbours ${exact.seconds.neighbours.toFixed(0)} s`;
        },
      );
    }

    if (count === UMAP_LEARN_AT && python) {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'atlas-umap-learn-'));
      writeFileSync(path.join(folder, 'x.f32'), layout.reduced);
      const script = [
        'import numpy as np, time, umap, resource',
        `x = np.fromfile('${folder}/x.f32', dtype=np.float32).reshape(${data.n}, ${layout.dims})`,
        `options = dict(n_neighbors=${params.neighbors}, min_dist=${params.minDist}, metric='${params.metric}', n_epochs=200)`,
        'umap.UMAP(**options).fit_transform(x[:2000])  # numba compiles once',
        't = time.time()',
        'y = umap.UMAP(**options).fit_transform(x)',
        'print(time.time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)',
        `y.astype(np.float32).tofile('${folder}/y.f32')`,
      ].join('\n');
      const [seconds, peakMB] = execFileSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 24 })
        .trim()
        .split(/\s+/)
        .map(Number);
      const y = new Float32Array(readFileSync(path.join(folder, 'y.f32')).buffer.slice(0));
      rmSync(folder, { recursive: true, force: true });
      const sample = Array.from({ length: 500 }, (_, i) => Math.floor((i * data.n) / 500));
      const trust = trustworthiness(
        layout.reduced,
        layout.dims,
        clipAndScale(y, recipe.layout.clipPercentiles, recipe.layout.margin),
        15,
        params.metric,
        sample,
      );
      summary.umapLearnSeconds = seconds!;
      summary.umapLearnTrust = trust;
      summary.oursNeighboursUmap = layout.seconds.neighbours + layout.seconds.umap;
      record({
        count,
        stage: 'umap-learn, same PCA rows',
        seconds: seconds!,
        peakMB: peakMB!,
        detail: `trustworthiness ${trust.toFixed(4)} (ours: ${layout.trustworthiness.toFixed(4)}); ours took ${(layout.seconds.neighbours + layout.seconds.umap).toFixed(0)} s for neighbours + UMAP, ${(seconds! / (layout.seconds.neighbours + layout.seconds.umap)).toFixed(1)}× faster`,
      });
    }

    if (count === COUNTS.at(-1)) {
      const grid = grids.at(-1)!;
      await timed(
        count,
        `render grid ${grid.size} at ${CELL_PIXELS} px`,
        () => renderLevel(grid, data.n, recipe.render),
        (r) =>
          `${(grid.size * CELL_PIXELS).toLocaleString('en')} px wide; ${r.tiles.toLocaleString('en')} tiles, ${r.megabytes.toFixed(0)} MB; with cell data and sprites about ${r.files.toLocaleString('en')} files per view`,
      );
    }
  } finally {
    clearInterval(sampler);
    await pool.close();
  }
  writeFileSync(process.env.BENCH_SCALE_RESULTS!, JSON.stringify({ rows, summary }));
}

/** The level composed from stand-in icons (each cell's mean activation as colour and texture) and cut into tiles. */
async function renderLevel(grid: ReturnType<typeof buildGrid>, samples: number, settings: RenderSettings) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'atlas-scale-render-'));
  try {
    const d = grid.means.length / Math.max(1, grid.cells.length);
    const icons = await Promise.all(
      grid.cells.map((_, c) => {
        const mean = grid.means.subarray(c * d, (c + 1) * d);
        const pixels = Buffer.alloc(64 * 64 * 3);
        for (let p = 0; p < 64 * 64; p++)
          for (let channel = 0; channel < 3; channel++) pixels[p * 3 + channel] = Math.min(255, Math.floor(mean[(p * 3 + channel * 7) % d]! * 120));
        return sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } })
          .png()
          .toBuffer();
      }),
    );
    const image = await composeGrid({
      size: grid.size,
      cells: grid.cells,
      icons,
      iconSize: 64,
      pixelsPerCell: CELL_PIXELS,
      samples,
      background: { r: 255, g: 255, b: 255 },
      scratch,
    });
    await encodeTiles(image.open(), settings).tile({ size: settings.tileSize, overlap: settings.overlap, layout: 'dz' }).toFile(path.join(scratch, 'tiles'));
    await image.dispose();
    let tiles = 0;
    let bytes = 0;
    for (const entry of await fs.readdir(path.join(scratch, 'tiles_files'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      tiles++;
      bytes += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
    }
    // The viewer's cell data: a JSON file and a sprite of examples per 16 × 16 cells that hold any.
    const chunks = new Set(grid.cells.map((cell) => `${Math.floor(cell.x / 16)},${Math.floor(cell.y / 16)}`)).size;
    return { tiles, megabytes: bytes / 1e6, files: tiles + 2 * chunks };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
const largest = Math.max(...rows.map((row) => row.count));
const checks = [
  `${largest.toLocaleString('en')} samples through activations, layout and grids: ${minutes(summary[`total${largest}`]!)} (target ≤ 60 min), of which activations ${minutes(summary[`activations${largest}`]!)}; peak memory ${(summary[`peak${largest}`]! / 1000).toFixed(1)} GB (target ≤ 8 GB)`,
  `layout of ${largest.toLocaleString('en')} × ${layoutSettings.pca} PCA rows: ${minutes(summary[`layout${largest}`]!)} (target ≤ 20 min)`,
  ...(summary.recall !== undefined
    ? [`recall@15 of the approximate search on ${Math.min(RECALL_POINTS, EXACT_AT).toLocaleString('en')} rows: ${summary.recall.toFixed(4)} (target ≥ 0.95)`]
    : []),
  ...(summary.trustExact !== undefined
    ? [
        `trustworthiness at ${EXACT_AT.toLocaleString('en')}, approximate against exact neighbours: ${summary[`trust${EXACT_AT}`]!.toFixed(4)} against ${summary.trustExact.toFixed(4)} (target: within 0.01)`,
      ]
    : []),
  ...(summary.umapLearnSeconds !== undefined
    ? [
        `at ${UMAP_LEARN_AT.toLocaleString('en')}: our neighbours + UMAP ${minutes(summary.oursNeighboursUmap!)} (with PCA ${minutes(summary[`layout${UMAP_LEARN_AT}`]!)}) against umap-learn's ${minutes(summary.umapLearnSeconds)} on the PCA rows; trustworthiness ${summary[`trust${UMAP_LEARN_AT}`]!.toFixed(4)} against ${summary.umapLearnTrust!.toFixed(4)} (target: faster, within 0.01)`,
      ]
    : []),
];
const table = [
  `| samples of ${LAYER} | stage | seconds | peak memory (MB) | estimate (MB) | detail |`,
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.count.toLocaleString('en')} | ${r.stage} | ${r.seconds.toFixed(1)} | ${r.peakMB} | ${r.estimateMB ?? ''} | ${r.detail} |`),
  '',
  ...checks.map((line) => `- ${line}`),
].join('\n');
console.log(`\n${table}`);
const stamp = saved?.date ?? new Date().toISOString().slice(0, 10);
writeFileSync(
  'bench/results/scale.json.tmp',
  `${JSON.stringify({ date: stamp, counts: COUNTS, layer: LAYER, backend: backend.name, rows, summary }, null, 2)}\n`,
);
renameSync('bench/results/scale.json.tmp', 'bench/results/scale.json');
const readme = readFileSync('README.md', 'utf8');
const block = `<!-- bench:scale:start -->\n${stamp}, 2 cores, ${backend.name} backend, one run (\`npm run bench:scale\`; each count in a process of its own, whose peak memory is shown, worker threads included; the estimate is the build's own, checked before it starts):\n\n${table}\n<!-- bench:scale:end -->`;
writeFileSync('README.md.tmp', readme.replace(/<!-- bench:scale:start -->[\s\S]*<!-- bench:scale:end -->/, block));
renameSync('README.md.tmp', 'README.md');
