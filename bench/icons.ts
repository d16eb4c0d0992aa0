/**
 * npm run bench:icons — what an icon costs, on five architectures: the demo network (mixed4b, its fixed 64-px
 * input), the real MobileNet v1 0.25 from ../shared/realdata where present (conv_pw_13_relu), and the Darknet-,
 * Inception- and ResNet-shaped fixtures. 64-px icons, batch 16, through the icons stage's own worker task.
 *
 * - Speed: icon-steps/s (icons × steps ÷ seconds) with 1 and 2 workers; with 2 workers on the reference
 *   gradients (ATLAS_GRADIENTS=reference: the convolutions unfused under TF.js's own gradients); and with 2
 *   workers on the code of BENCH_BASELINE (default: the commit before this work), checked out in a temporary
 *   worktree and run by its own worker pool, in the same run. GFLOP/s achieved and its share of the
 *   convolution ceiling × workers (measured in the same pools); icons × steps per 15 minutes. Medians of
 *   BENCH_REPEATS rounds. Steps after the redirected-ReLU phase.
 * - Per-op profile: each architecture's time share by kernel, and any kernel that ran through the cpu bridge.
 * - Quality: the median objective of 12 demo mixed5a icons (the 12 most frequent classes' mean activations) at
 *   32–512 steps, and their contact sheet (bench/results/icons-quality.png).
 * - Warm starts: on the demo's mixed5a grids (from the cache of a built demo; `npm run build` first), at least
 *   100 cells of the finer grids rendered from noise at 256 steps and from their parent cell's icon at 64 steps:
 *   the median final objective of each, and of their ratio cell by cell.
 * - Tiles: the render stage's pyramid cutting, tiles/s.
 * BENCH_PARTS=speed,quality,warm,tiles picks parts. Writes bench/results/icons.json and the README's table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { WorkerPool } from '../pipeline/engine/pool.ts';
import { recipeSchema } from '../pipeline/recipes/schema.ts';
import { iconSettings } from '../pipeline/icons/settings.ts';
import type { IconBatchInput, IconBatchOutput } from '../pipeline/icons/tasks.ts';
import type { Batch } from '../pipeline/models/tasks.ts';
import { Random } from '../pipeline/random.ts';
import { drawImage } from '../pipeline/datasets/synthetic/world.ts';
import { benchmarkTiles, type TileBenchmark } from '../pipeline/stages/render/bench.ts';
import { publishBenchmark } from './publish.ts';
import { architectures, BATCH, batchFor, median, SIZE, STEPS, writeSheet, type Architecture } from './icon-architectures.ts';
import { readRecipe } from '../pipeline/recipes/read.ts';
import { CacheStore } from '../pipeline/cache/store.ts';
import { runActivations } from '../pipeline/stages/activations/stage.ts';
import { planViews } from '../pipeline/recipes/plan.ts';
import { gridKeyFor, gridSizesFor } from '../pipeline/stages/grid/keys.ts';
import { parentCells } from '../pipeline/icons/warm-start.ts';
import { layoutKeyFor } from '../pipeline/stages/layout/keys.ts';
import type { IconProfile } from './icons-tasks.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'speed,quality,warm,tiles').split(','));
const ICON_TASKS = new URL('../pipeline/icons/tasks.ts', import.meta.url).href;
const BENCH_TASKS = new URL('./icons-tasks.ts', import.meta.url).href;
const ENGINE_TASKS = new URL('./engine-tasks.ts', import.meta.url).href;
const MODEL_TASKS = new URL('../pipeline/models/tasks.ts', import.meta.url).href;
const BASELINE = process.env.BENCH_BASELINE ?? '16e2413';

interface SpeedRow {
  model: string;
  gradients: 'fast' | 'reference' | 'baseline';
  workers: number;
  canvas: number;
  iconStepsPerSecond: number;
  gflops: number;
  ceiling: number;
  share: number;
  iconStepsPer15Minutes: number;
}

const speed: SpeedRow[] = [];
const profiles: { model: string; wall: number; shares: [string, number][]; bridged: string[]; canvas: [number, number] }[] = [];
if (PARTS.has('speed')) {
  const baseline = checkoutBaseline();
  try {
    const configurations: [number, SpeedRow['gradients']][] = [
      [1, 'fast'],
      [2, 'fast'],
      [2, 'reference'],
      ...(baseline ? [[2, 'baseline'] as [number, 'baseline']] : []),
    ];
    for (const [workers, gradients] of configurations) {
      const Pool = gradients === 'baseline' ? ((await import(path.join(baseline!, 'pipeline/engine/pool.ts'))).WorkerPool as typeof WorkerPool) : WorkerPool;
      const pool = Pool.create({
        size: workers,
        env: { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_GRADIENTS: gradients === 'reference' ? 'reference' : 'fast' },
      });
      await pool.backends();
      const tasks = gradients === 'baseline' ? new URL(`file://${path.join(baseline!, 'pipeline/icons/tasks.ts')}`).href : ICON_TASKS;
      const ceiling = median(
        await pool.map<{ repeats: number; batch: number }, number>(
          ENGINE_TASKS,
          'convolutionCeiling',
          Array.from({ length: workers }, () => ({ repeats: 3, batch: 16 })),
        ),
      );
      for (const arch of architectures) {
        const flops = await pool.run<number>({ module: BENCH_TASKS, task: 'iconStepFlops', input: { model: arch.folder, layer: arch.layer, iconSize: SIZE } });
        // Warm-up: every worker loads the model and compiles its kernels.
        await pool.map(
          tasks,
          'renderIconBatch',
          Array.from({ length: workers }, (_, i) => batchFor(arch, BATCH, 90 + i, 2)),
        );
        const rates: number[] = [];
        for (let round = 0; round < REPEATS; round++) {
          const jobs = Array.from({ length: workers }, (_, i) => batchFor(arch, BATCH, round * 10 + i + 1));
          const started = performance.now();
          await pool.map<IconBatchInput, IconBatchOutput>(tasks, 'renderIconBatch', jobs);
          rates.push((workers * BATCH * STEPS) / ((performance.now() - started) / 1000));
        }
        const rate = median(rates);
        // The baseline ran its own framing (a fixed input padded to its full size): its FLOPs are not these.
        const gflops = gradients === 'baseline' ? 0 : (rate * flops) / 1e9;
        if (gradients === 'fast' && workers === 1) await profileOf(pool, arch);
        const row: SpeedRow = {
          model: arch.name,
          gradients,
          workers,
          canvas: profiles.find((p) => p.model === arch.name)?.canvas[0] ?? 0,
          iconStepsPerSecond: Number(rate.toFixed(1)),
          gflops: Number(gflops.toFixed(1)),
          ceiling: Number((ceiling * workers).toFixed(1)),
          share: Number((gflops / (ceiling * workers)).toFixed(3)),
          iconStepsPer15Minutes: Math.round(rate * 900),
        };
        speed.push(row);
        console.log(JSON.stringify(row));
      }
      await pool.close();
    }
  } finally {
    if (baseline) {
      execFileSync('git', ['worktree', 'remove', '--force', baseline]);
      rmSync(path.dirname(baseline), { recursive: true, force: true });
    }
  }
}

/** The baseline commit in a temporary worktree sharing this checkout's node_modules; undefined without git. */
function checkoutBaseline(): string | undefined {
  try {
    execFileSync('git', ['cat-file', '-e', `${BASELINE}^{commit}`], { stdio: 'ignore' });
  } catch {
    console.log(`(baseline commit ${BASELINE} not found; measuring this code only)`);
    return undefined;
  }
  const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-icons-baseline-')), 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', folder, BASELINE], { stdio: 'ignore' });
  symlinkSync(path.resolve('node_modules'), path.join(folder, 'node_modules'));
  return folder;
}

/** The per-op profile of one batch on a worker. */
async function profileOf(pool: WorkerPool, arch: Architecture): Promise<void> {
  const profile = await pool.run<IconProfile>({ module: BENCH_TASKS, task: 'profileIcons', input: batchFor(arch, BATCH, 77, 8) });
  const total = profile.wall;
  const entries = Object.entries(profile.kernels).sort((a, b) => b[1] - a[1]);
  const inKernels = entries.reduce((sum, [, ms]) => sum + ms, 0);
  const shares: [string, number][] = [...entries.slice(0, 6).map(([name, ms]) => [name, ms / total] as [string, number])];
  const rest = entries.slice(6).reduce((sum, [, ms]) => sum + ms, 0);
  if (rest > 0) shares.push(['other kernels', rest / total]);
  shares.push(['outside kernels (JS: sampling, tape)', Math.max(0, total - inKernels) / total]);
  profiles.push({ model: arch.name, wall: total, shares, bridged: profile.bridged, canvas: profile.canvas });
}

// Quality: the objective against the step count, on the demo's mixed5a, for 12 class-mean directions.
const QUALITY_STEPS = [32, 64, 128, 256, 512];
const quality: { steps: number; medianObjective: number; seconds: number }[] = [];
if (PARTS.has('quality')) {
  const pool = WorkerPool.create({ env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
  await pool.backends();
  const demo: Architecture = { name: 'demo (mixed5a)', folder: path.resolve('content/models/demo'), layer: 'mixed5a', depth: 0, range: [0, 1] };
  const { means: directions, depth } = await classMeans(pool, demo, 12);
  demo.depth = depth;
  const sheet: Buffer[][] = [];
  for (const steps of QUALITY_STEPS) {
    const halves = [0, 6].map((start) => batchFor(demo, 6, 5, steps, directions.subarray(start * demo.depth, (start + 6) * demo.depth)));
    // The recipe's own settings (redirected ReLU included) and the same seeds at every step count.
    for (const job of halves) job.settings = iconSettings(recipeSchema.shape.icons.parse({ size: SIZE, steps }));
    halves[1]!.seeds = halves[1]!.seeds.map((seed) => seed + 6);
    const started = performance.now();
    const outputs = await pool.map<IconBatchInput, IconBatchOutput>(ICON_TASKS, 'renderIconBatch', halves);
    const objectives = outputs.flatMap((o) => [...o.objectives]);
    quality.push({ steps, medianObjective: Number(median(objectives).toFixed(2)), seconds: Number(((performance.now() - started) / 1000).toFixed(1)) });
    console.log(JSON.stringify(quality.at(-1)));
    const per = SIZE * SIZE * 3;
    sheet.push(outputs.flatMap((o) => Array.from({ length: 6 }, (_, i) => Buffer.from(o.pixels.subarray(i * per, (i + 1) * per)))));
  }
  await pool.close();
  await writeSheet(sheet, 'bench/results/icons-quality.jpg');
}

/** The mean mixed5a activation (centre position) of each of the first `count` classes over 40 test images each. */
async function classMeans(pool: WorkerPool, arch: Architecture, count: number): Promise<{ means: Float32Array; depth: number }> {
  const images = 40 * 14;
  const size = 64 * 64 * 3;
  const values = new Float32Array(images * size);
  const labels: number[] = [];
  for (let i = 0; i < images; i++) {
    const image = drawImage(20261129, 'test', i);
    for (let j = 0; j < size; j++) values[i * size + j] = image.pixels[j]! / 255;
    labels.push(image.label);
  }
  const out = await pool.run<Record<string, Batch>>({
    module: MODEL_TASKS,
    task: 'forward',
    input: { model: arch.folder, layers: [arch.layer], batch: { values, shape: [images, 64, 64, 3] } },
  });
  const { values: activations, shape } = out[arch.layer]!;
  const [, h, w, depth] = shape as [number, number, number, number];
  const means = new Float32Array(count * depth);
  const counts = new Array<number>(count).fill(0);
  labels.forEach((label, i) => {
    if (label >= count) return;
    const at = ((i * h + Math.floor(h / 2)) * w + Math.floor(w / 2)) * depth;
    for (let c = 0; c < depth; c++) means[label * depth + c]! += activations[at + c]!;
    counts[label]!++;
  });
  return { means: means.map((v, i) => v / Math.max(1, counts[Math.floor(i / depth)]!)), depth };
}

// Warm starts, on real grid cells of the demo's mixed5a.
const WARM = { full: 256, warm: 64, cells: 100 };
/** Where `atlas build` keeps its cache (pipeline/cli/atlas.ts). */
const CACHE_FOLDER = '.atlas-cache';
let warmResult: { cells: number; parents: number; fromNoise: number; warm: number; ratio: number; secondsFromNoise: number; secondsWarm: number } | undefined;
if (PARTS.has('warm')) warmResult = await measureWarmStarts();

async function measureWarmStarts(): Promise<typeof warmResult> {
  const recipe = readRecipe('content/atlases/demo.yaml');
  const cache = new CacheStore(path.resolve(CACHE_FOLDER));
  const pool = WorkerPool.create({ env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
  try {
    await pool.backends();
    const activations = await runActivations({ recipe, root: process.cwd(), cache, pool });
    const view = planViews(recipe).find((v) => v.kind === 'layer' && v.layer === 'mixed5a')!;
    const layoutKey = layoutKeyFor({ chunks: activations.chunks, recipe }, view);
    const levels = gridSizesFor(recipe, view).map((size) => {
      const grid = cache.read('grid', gridKeyFor(recipe, layoutKey, size, activations.declared.length));
      if (!grid) return undefined;
      const cells = (JSON.parse(grid.file('cells.json').toString()) as { cells: { x: number; y: number }[] }).cells;
      return { size, cells, means: new Float32Array(new Uint8Array(grid.file('means.f32')).buffer) };
    });
    if (levels.some((level) => !level)) {
      console.log("(warm starts: the demo's mixed5a grids are not in .atlas-cache; run npm run build first)");
      return undefined;
    }
    const known = levels as NonNullable<(typeof levels)[number]>[];
    const parents = parentCells(known);
    const means = new Float32Array(parents.length * (known[0]!.means.length / known[0]!.cells.length));
    const depth = means.length / parents.length;
    let offset = 0;
    for (const level of known) {
      means.set(level.means, offset);
      offset += level.means.length;
    }
    // Every 'stride'-th cell that has a parent, so the sample spans the map.
    const children = [...parents.keys()].filter((i) => parents[i]! >= 0);
    const stride = Math.max(1, Math.floor(children.length / WARM.cells));
    const sample = children.filter((_, k) => k % stride === 0).slice(0, WARM.cells);
    const parentSet = [...new Set(sample.map((i) => parents[i]!))];
    const demo: Architecture = { name: 'demo (mixed5a)', folder: path.resolve(recipe.model), layer: 'mixed5a', depth, range: [0, 1] };
    const settings = iconSettings(recipeSchema.shape.icons.parse({ ...recipe.icons, steps: WARM.full }));
    const render = async (cells: number[], steps: number, starts?: Map<number, Uint8Array>) => {
      const jobs: IconBatchInput[] = [];
      for (let at = 0; at < cells.length; at += BATCH) {
        const batch = cells.slice(at, at + BATCH);
        const job = batchFor(demo, batch.length, 1, steps, Float32Array.from(batch.flatMap((i) => [...means.subarray(i * depth, (i + 1) * depth)])));
        job.seeds = batch.map((i) => 1000 + i);
        job.settings = { ...settings, steps, ...(starts ? { redirectedReluSteps: 0 } : {}) };
        if (starts) job.starts = batch.map((i) => starts.get(parents[i]!)!);
        jobs.push(job);
      }
      const started = performance.now();
      const outputs = await pool.map<IconBatchInput, IconBatchOutput>(ICON_TASKS, 'renderIconBatch', jobs);
      const per = SIZE * SIZE * 3;
      return {
        seconds: (performance.now() - started) / 1000,
        objectives: outputs.flatMap((o) => [...o.objectives]),
        pixels: outputs.flatMap((o) => Array.from({ length: o.objectives.length }, (_, k) => o.pixels.slice(k * per, (k + 1) * per))),
      };
    };
    const parentIcons = await render(parentSet, WARM.full);
    const starts = new Map(parentSet.map((p, k) => [p, parentIcons.pixels[k]!]));
    const fromNoise = await render(sample, WARM.full);
    const warm = await render(sample, WARM.warm, starts);
    const ratio = median(warm.objectives.map((v, k) => v / fromNoise.objectives[k]!));
    const result = {
      cells: sample.length,
      parents: parentSet.length,
      fromNoise: Number(median(fromNoise.objectives).toFixed(1)),
      warm: Number(median(warm.objectives).toFixed(1)),
      ratio: Number(ratio.toFixed(3)),
      secondsFromNoise: Number(fromNoise.seconds.toFixed(1)),
      secondsWarm: Number(warm.seconds.toFixed(1)),
    };
    console.log(JSON.stringify(result));
    await writeSheet(
      [
        sample.slice(0, 12).map((_, k) => Buffer.from(parentIcons.pixels[parentSet.indexOf(parents[sample[k]!]!)]!)),
        fromNoise.pixels.slice(0, 12).map((p) => Buffer.from(p)),
        warm.pixels.slice(0, 12).map((p) => Buffer.from(p)),
      ],
      'bench/results/icons-warm.jpg',
    );
    return result;
  } finally {
    await pool.close();
  }
}

const tiles: TileBenchmark[] = [];
if (PARTS.has('tiles'))
  for (const [width, format] of [
    [6400, 'jpeg'],
    [12800, 'jpeg'],
    [6400, 'webp'],
  ] as const)
    tiles.push(await benchmarkTiles({ width, settings: { format } }));

const stamp = new Date().toISOString().slice(0, 10);
const percent = (v: number) => `${(v * 100).toFixed(0)} %`;
const rateOf = (model: string, gradients: string, workers: number) =>
  speed.find((r) => r.model === model && r.gradients === gradients && r.workers === workers);
const speedTable = [
  `| model | canvas | icon-steps/s, 1 worker | 2 workers | 2 workers, reference gradients | 2 workers, ${BASELINE} | × ${BASELINE} | GFLOP/s (2 workers) | share of ceiling × 2 | icons × steps per 15 min |`,
  '|---|---|---|---|---|---|---|---|---|---|',
  ...architectures.map((a) => {
    const [one, two, ref, base] = [rateOf(a.name, 'fast', 1), rateOf(a.name, 'fast', 2), rateOf(a.name, 'reference', 2), rateOf(a.name, 'baseline', 2)];
    if (!one || !two || !ref) return `| ${a.name} | – | – | – | – | – | – | – | – | – |`;
    const ratio = base ? `${(two.iconStepsPerSecond / base.iconStepsPerSecond).toFixed(2)}×` : '–';
    return `| ${a.name} | ${one.canvas} px | ${one.iconStepsPerSecond} | ${two.iconStepsPerSecond} | ${ref.iconStepsPerSecond} | ${base?.iconStepsPerSecond ?? '–'} | ${ratio} | ${two.gflops} | ${percent(two.share)} (ceiling ${two.ceiling}) | ${two.iconStepsPer15Minutes.toLocaleString('en-US')} |`;
  }),
].join('\n');
const profileTable = [
  '| model | time share by op (one worker, 16 icons × 8 steps) | cpu-bridged ops |',
  '|---|---|---|',
  ...profiles.map(
    (p) => `| ${p.model} | ${p.shares.map(([name, share]) => `${name} ${percent(share)}`).join(', ')} | ${p.bridged.length ? p.bridged.join(', ') : 'none'} |`,
  ),
].join('\n');
const qualityTable = [
  '| steps | median objective (dot · cos²) | seconds for 12 icons, 2 workers |',
  '|---|---|---|',
  ...quality.map((q) => `| ${q.steps} | ${q.medianObjective} | ${q.seconds} |`),
].join('\n');
const tileTable = [
  '| level width (px) | format | tiles (254 px, overlap 1) | MB | seconds | tiles/s |',
  '|---|---|---|---|---|---|',
  ...tiles.map((r) => `| ${r.width} | ${r.format} | ${r.tiles} | ${(r.bytes / 1e6).toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.tilesPerSecond.toFixed(0)} |`),
].join('\n');
const block = [
  `${stamp}, ${os.availableParallelism()} cores, wasm, 64-px icons, batch 16, median of ${REPEATS} rounds of ${STEPS} steps (\`npm run bench:icons\`):`,
  speedTable,
  profileTable,
  'The demo network’s mixed5a, 12 class-mean directions, the recipe’s icon settings, at each step count (rows of the sheet below, top to bottom; columns: the classes whale, shark, fish, boat, … in label order):',
  qualityTable,
  '![12 mixed5a icons at 32, 64, 128, 256 and 512 steps](bench/results/icons-quality.jpg)',
  ...(warmResult
    ? [
        `Warm starts on the demo's mixed5a grids: ${warmResult.cells} cells of the finer grids (${warmResult.parents} parent cells). From noise at ${WARM.full} steps: median objective ${warmResult.fromNoise} (${warmResult.secondsFromNoise} s). From the parent's icon at ${WARM.warm} steps: ${warmResult.warm} (${warmResult.secondsWarm} s); cell by cell, warm ÷ from noise has median ${warmResult.ratio}. Rows: parent, from noise, warm-started.`,
        '![Parent icons, then the child cells from noise, then warm-started](bench/results/icons-warm.jpg)',
      ]
    : []),
  tileTable,
].join('\n\n');
console.log(`\n${block}`);
publishBenchmark(
  'icons',
  {
    date: stamp,
    cores: os.availableParallelism(),
    repeats: REPEATS,
    steps: STEPS,
    speed,
    profiles,
    quality,
    warm: warmResult ? { ...WARM, ...warmResult } : null,
    tiles,
  },
  block,
);
