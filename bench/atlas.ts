/**
 * npm run bench:atlas — is the example atlas one a reader can read? From the demo as `npm run build` made it
 * (run that first; this reads public/atlases/demo/manifest.json and the pipeline's cache, and computes only the
 * check in the third part):
 *
 * - Coverage: per view and grid, the share of the map's square covered by icons (target: ≥ 35 % at the home
 *   view of every layer view).
 * - Legibility: per layer view, the share of home-grid icons the judge network names as their cell's top
 *   attributed class, beside random noise and 24-step icons (target on mixed5a, grid 20: ≥ 60 %, and ≥ 20
 *   points above the 24-step icons).
 * - The icon schedule: a sample of cells of every warm-started grid of mixed5a, their icons as the build made
 *   them (256 steps from noise on the coarsest grid, then 64 warm steps a grid) against the same cells
 *   optimized for 256 steps from noise: the median final objective of each and of their ratio, cell by cell
 *   (target: ratio ≥ 1).
 * - Contact sheets: each layer's home-grid icons, one row per class (the cells whose top class it is, most
 *   samples first), in bench/results/atlas-<layer>.jpg.
 *
 * Writes bench/results/atlas.json and the README's table.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CacheStore } from '../pipeline/cache/store.ts';
import { WorkerPool } from '../pipeline/engine/pool.ts';
import { hashOf } from '../pipeline/cache/hash.ts';
import { readRecipe } from '../pipeline/recipes/read.ts';
import { runActivations } from '../pipeline/stages/activations/stage.ts';
import { iconKeys } from '../pipeline/icons/stage.ts';
import { iconSettings } from '../pipeline/icons/settings.ts';
import type { IconBatchInput, IconBatchOutput } from '../pipeline/icons/tasks.ts';
import type { CellRecord } from '../pipeline/published/format.ts';
import { planViews } from '../pipeline/recipes/plan.ts';
import { gridKeyFor, gridSizesFor } from '../pipeline/stages/grid/keys.ts';
import { warmStartParents } from '../pipeline/icons/warm-start.ts';
import { layoutKeyFor } from '../pipeline/stages/layout/keys.ts';
import type { ViewReport } from '../pipeline/published/manifest.ts';
import { publishBenchmark } from './publish.ts';

const RECIPE = 'content/atlases/demo.yaml';
const MANIFEST = 'public/atlases/demo/manifest.json';
const SCHEDULE_LAYER = 'mixed5a';
const FROM_NOISE_STEPS = 256;
/** Cells sampled per warm-started grid for the schedule check. */
const SAMPLE = 24;
const SHEET_COLUMNS = 8;
const ICON_TASKS = new URL('../pipeline/icons/tasks.ts', import.meta.url).href;

const recipe = readRecipe(RECIPE);
if (!existsSync(MANIFEST)) {
  console.error(`${MANIFEST} is missing: run npm run build first.`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
  recipe: { sha256: string };
  labels: string[];
  results: Record<string, ViewReport>;
  views: Record<string, { kind: string; layer: string }>;
};
if (manifest.recipe.sha256 !== hashOf(readFileSync(RECIPE))) {
  console.error(`${MANIFEST} was built from another version of ${RECIPE}: run npm run build first.`);
  process.exit(1);
}
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// Coverage and legibility, as the manifest recorded them.
const coverage = Object.entries(manifest.results).map(([id, result]) => ({
  view: id,
  kind: manifest.views[id]!.kind,
  homeGrid: result.homeGrid,
  home: result.grids.find((grid) => grid.size === result.homeGrid)!.coverage,
  grids: result.grids.map((grid) => ({ size: grid.size, cells: grid.cells, coverage: grid.coverage })),
}));
const legibility = Object.entries(manifest.results).flatMap(([id, result]) => (result.legibility?.grids ?? []).map((score) => ({ view: id, ...score })));

// The schedule check and contact sheets need the cache: cells, means and icons of each view's grids.
const cache = new CacheStore(path.resolve('.atlas-cache'));
const pool = WorkerPool.create();
let schedule: { grid: number; cells: number; built: number; fromNoise: number; ratio: number; seconds: number }[] = [];
const sheets: { layer: string; file: string; rows: string[] }[] = [];
try {
  const activations = await runActivations({ recipe, root: process.cwd(), cache, pool });
  const layerViews = planViews(recipe).filter((view) => view.kind === 'layer');
  for (const view of layerViews) {
    const layoutKey = layoutKeyFor({ chunks: activations.chunks, recipe }, view);
    const levels = gridSizesFor(recipe, view).map((size) => {
      const grid = cache.read('grid', gridKeyFor(recipe, layoutKey, size, activations.declared.length));
      if (!grid) throw new Error(`the grid ${size} of ${view.id} is not in .atlas-cache: run npm run build first.`);
      const { cells } = JSON.parse(grid.file('cells.json').toString()) as { cells: CellRecord[] };
      return { size, cells, means: new Float32Array(new Uint8Array(grid.file('means.f32')).buffer) };
    });
    const depth = levels[0]!.means.length / levels[0]!.cells.length;
    const directions = new Float32Array(levels.reduce((sum, level) => sum + level.means.length, 0));
    let offset = 0;
    for (const level of levels) {
      directions.set(level.means, offset);
      offset += level.means.length;
    }
    const parents = warmStartParents(recipe.icons.warmStart, levels);
    const { keys } = iconKeys({
      modelHash: activations.modelHash,
      layer: view.layer,
      directions,
      depth,
      params: recipe.icons,
      preprocess: recipe.preprocess,
      parents,
    });
    const built = keys.map((key) => cache.read('icons', key));
    if (built.some((icon) => !icon)) throw new Error(`icons of ${view.id} are missing from .atlas-cache: run npm run build first.`);
    const starts = levels.map((_, k) => levels.slice(0, k).reduce((sum, level) => sum + level.cells.length, 0));

    const home = manifest.results[view.id]!.homeGrid;
    const homeIndex = levels.findIndex((level) => level.size === home);
    sheets.push(await contactSheet(view.layer, levels[homeIndex]!.cells, starts[homeIndex]!, (i) => built[i]!.file('icon.png')));

    if (view.layer !== SCHEDULE_LAYER || !parents) continue;
    for (const [k, level] of levels.entries()) {
      if (k === 0) continue;
      const stride = Math.max(1, Math.floor(level.cells.length / SAMPLE));
      const sample = level.cells
        .map((_, i) => starts[k]! + i)
        .filter((i, n) => n % stride === 0 && parents[i]! >= 0)
        .slice(0, SAMPLE);
      const started = performance.now();
      const fromNoise = await renderFromNoise(view.layer, directions, depth, sample);
      const seconds = (performance.now() - started) / 1000;
      const builtObjectives = sample.map((i) => (built[i]!.meta.info as { objective: number }).objective);
      schedule.push({
        grid: level.size,
        cells: sample.length,
        built: Number(median(builtObjectives).toFixed(1)),
        fromNoise: Number(median(fromNoise).toFixed(1)),
        ratio: Number(median(builtObjectives.map((value, n) => value / fromNoise[n]!)).toFixed(3)),
        seconds: Number(seconds.toFixed(1)),
      });
      console.log(JSON.stringify(schedule.at(-1)));
    }
  }
} finally {
  await pool.close();
}

/** The cells' directions optimized from noise for FROM_NOISE_STEPS steps, with the recipe's other settings. */
async function renderFromNoise(layer: string, directions: Float32Array, depth: number, cells: number[]): Promise<number[]> {
  const jobs: IconBatchInput[] = [];
  for (let at = 0; at < cells.length; at += recipe.icons.batch) {
    const batch = cells.slice(at, at + recipe.icons.batch);
    jobs.push({
      model: path.resolve(recipe.model),
      layer,
      preprocess: recipe.preprocess,
      directions: Float32Array.from(batch.flatMap((i) => [...directions.subarray(i * depth, (i + 1) * depth)])),
      depth,
      seeds: batch.map((i) => 7000 + i),
      settings: { ...iconSettings(recipe.icons), steps: FROM_NOISE_STEPS },
    });
  }
  const outputs = await pool.map<IconBatchInput, IconBatchOutput>(ICON_TASKS, 'renderIconBatch', jobs);
  return outputs.flatMap((output) => [...output.objectives]);
}

/** One row per class: the cells whose top class it is, most samples first; rows in label order. */
async function contactSheet(layer: string, cells: CellRecord[], start: number, icon: (index: number) => Buffer) {
  const size = recipe.icons.size;
  const gap = 2;
  const rows: { label: string; icons: number[] }[] = [];
  manifest.labels.forEach((label, c) => {
    const members = cells
      .map((cell, i) => ({ cell, i }))
      .filter(({ cell }) => cell.classes[0]?.[0] === c)
      .sort((a, b) => b.cell.count - a.cell.count)
      .slice(0, SHEET_COLUMNS)
      .map(({ i }) => start + i);
    if (members.length) rows.push({ label, icons: members });
  });
  const file = `bench/results/atlas-${layer}.jpg`;
  const composites = rows.flatMap((row, r) => row.icons.map((index, c) => ({ input: icon(index), left: gap + c * (size + gap), top: gap + r * (size + gap) })));
  await sharp({ create: { width: SHEET_COLUMNS * (size + gap) + gap, height: rows.length * (size + gap) + gap, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .jpeg({ quality: 90 })
    .toFile(file);
  return { layer, file, rows: rows.map((row) => row.label) };
}

const stamp = new Date().toISOString().slice(0, 10);
const coverageTable = [
  '| view | home-view grid | coverage at the home view | every grid (cells, coverage) |',
  '|---|---|---|---|',
  ...coverage.map(
    (row) =>
      `| ${row.view} (${row.kind}) | ${row.homeGrid} | ${percent(row.home)}${row.kind === 'layer' ? (row.home >= 0.35 ? ' ✓' : ' ✗ (target 35 %)') : ''} | ${row.grids.map((g) => `${g.size}: ${g.cells}, ${percent(g.coverage)}`).join('; ')} |`,
  ),
].join('\n');
const legibilityTable = [
  '| view | grid | cells | icons named as their top class | random noise | 24-step icons | icons − 24-step |',
  '|---|---|---|---|---|---|---|',
  ...legibility.map(
    (row) =>
      `| ${row.view} | ${row.size} | ${row.cells} | **${percent(row.icons)}** | ${percent(row.noise)} | ${percent(row.reference)} | ${((row.icons - row.reference) * 100).toFixed(1)} points |`,
  ),
].join('\n');
const scheduleTable = [
  `| ${SCHEDULE_LAYER} grid | cells | median objective, as built | from noise, ${FROM_NOISE_STEPS} steps | built ÷ from noise, median per cell |`,
  '|---|---|---|---|---|',
  ...schedule.map((row) => `| ${row.grid} | ${row.cells} | ${row.built} | ${row.fromNoise} | ${row.ratio}${row.ratio >= 1 ? ' ✓' : ' ✗'} |`),
].join('\n');
const warmSteps = recipe.icons.warmStartSteps ?? Math.round(recipe.icons.steps / 4);
const block = [
  `${stamp}, the demo atlas as \`npm run build\` made it (\`npm run bench:atlas\`).`,
  coverageTable,
  `Legibility: the judge (${recipe.legibility?.judge ?? 'none'}, the demo network trained again with another seed) classifies every home-grid icon:`,
  legibilityTable,
  `The icon schedule (${recipe.icons.steps} steps from noise on grid ${gridSizesFor(recipe, planViews(recipe)[0]!)[0]}, then every finer cell ${warmSteps} steps from its warm start, icons.warmStart: ${recipe.icons.warmStart}) against ${FROM_NOISE_STEPS} steps from noise, on a sample of ${SCHEDULE_LAYER}'s cells:`,
  scheduleTable,
  ...sheets.map((sheet) => `![${sheet.layer}: home-grid icons, one row per class](${sheet.file})\n\n${sheet.layer}, rows: ${sheet.rows.join(', ')}.`),
].join('\n\n');
console.log(`\n${block}`);
publishBenchmark('atlas', { date: stamp, coverage, legibility, schedule, sheets }, block);
