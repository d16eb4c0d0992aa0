/**
 * One view of an atlas, from a layer's samples to the files the site shows: choose its samples, lay them out,
 * grid them, make an icon per kept cell, and render the pyramid and cell data. Every step is cached by the hash
 * of what it depends on; the rendered view is kept in the cache and hard-linked into the site's folder.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { writerMark } from '../cache/partials.ts';
import type { CacheStore } from '../cache/store.ts';
import type { WorkerPool } from '../engine/pool.ts';
import { UserError } from '../errors.ts';
import type { ViewPlan } from '../recipes/plan.ts';
import type { Recipe } from '../recipes/schema.ts';
import { exampleCropper } from '../datasets/crop.ts';
import { gridKeyFor, gridSizesFor } from './grid/keys.ts';
import { computeGrid } from './grid/stage.ts';
import { runIcons } from '../icons/stage.ts';
import { secondMomentOf } from '../icons/second-moment.ts';
import { warmStartParents } from '../icons/warm-start.ts';
import { layoutKeyFor, layoutParamsFor } from './layout/keys.ts';
import { computeLayout, viewSamples } from './layout/stage.ts';
import { takeRows } from './layout/view-samples.ts';
import { gatherRows, rowBlocksOf, type RowBlocks } from './row-blocks.ts';
import { neighbourSearchFor } from './layout/layout.ts';
import { runLegibility } from './legibility/stage.ts';
import type { LegibilityScore, ViewReport } from '../published/manifest.ts';
import { homeGrid, planPyramid } from './render/arrangement.ts';
import { readRendered, writeRendered } from './render/cached.ts';
import { drawnCoverage } from './render/compose.ts';
import { linkTree } from './render/files.ts';
import type { CellRecord } from '../published/format.ts';
import { DEFAULT_EXAMPLE_PIXELS, renderKeyFor, viewIndexOf } from './render/keys.ts';
import { renderView } from './render/stage.ts';
import { inShard, type Shard } from './shard.ts';
import type { LayerData } from './layer-data.ts';
import { progressBar } from './progress.ts';

export interface ViewContext {
  recipe: Recipe & { id: string; file: string };
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  log: (line: string) => void;
  /** Activation chunk keys (the identity of every sample). */
  chunks: string[];
  labels: string[];
  declared: string[];
  modelFolder: string;
  modelHash: string;
  data: LayerData;
  /** The layer's spatial size [height, width]. */
  layerSize: [number, number];
  /** A sharded build's icons phase: compute this shard's icons, then stop (pipeline/stages/shard.ts). */
  shard?: Shard;
  /** The layout phase of a sharded build: stop once the grids exist. */
  stopAfterGrids?: boolean;
}

interface Stopwatch {
  lap(): number;
}
const stopwatch = (): Stopwatch => {
  let last = performance.now();
  return {
    lap() {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      return seconds;
    },
  };
};

/** Runs the view's stages; undefined when a phase of a sharded build stops before the render. */
export async function runView(ctx: ViewContext, view: ViewPlan, outDir: string): Promise<ViewReport | undefined> {
  const { recipe, cache, data } = ctx;
  const clock = stopwatch();
  const seconds: Record<string, number> = {};
  const computed: string[] = [];
  const where = `${recipe.id}, view ${view.id}`;

  const indices = viewSamples({ recipe, root: ctx.root, labels: ctx.labels, n: data.n, topClasses: data.topClasses, topK: data.topK }, view);
  const n = indices ? indices.length : data.n;
  const vectors = indices ? rowBlocksOf(gatherRows(data.vectors, indices), indices.length, data.depth) : data.vectors;
  const origins = indices ? takeRows(data.origins, 3, indices) : data.origins;
  const topClasses = indices ? takeRows(data.topClasses, data.topK, indices) : data.topClasses;
  const topValues = indices ? takeRows(data.topValues, data.topK, indices) : data.topValues;
  const declared = indices ? takeRows(data.declared, data.declaredCount, indices) : data.declared;

  // Layout.
  const params = layoutParamsFor(recipe, view);
  const layoutKey = layoutKeyFor(ctx, view);
  let layout = cache.read('layout', layoutKey);
  if (!layout && ctx.shard)
    throw new UserError(`${where}: its layout is not in the cache yet; run the layout phase first (atlas build --phase layout), then the icon shards.`);
  if (!layout) {
    const bar = progressBar(`${recipe.id}: layout of ${view.id}`, 'epochs');
    const points = await computeLayout({
      view,
      vectors,
      n,
      depth: data.depth,
      declared,
      declaredNames: ctx.declared,
      declaredCount: data.declaredCount,
      params,
      where,
      pool: ctx.pool,
      onEpoch: (done, total) => bar.update(done, total),
    }).finally(() => bar.stop());
    cache.write(
      'layout',
      layoutKey,
      { 'points.f32': new Uint8Array(points.points.buffer) },
      { trustworthiness: points.trustworthiness, seconds: points.seconds },
    );
    layout = cache.read('layout', layoutKey)!;
    computed.push('layout');
  }
  const points = new Float32Array(new Uint8Array(layout.file('points.f32')).buffer);
  const { trustworthiness, seconds: layoutSeconds } = layout.meta.info as { trustworthiness?: number; seconds?: Record<string, number> };
  seconds.layout = clock.lap();

  // Grids.
  const sizes = gridSizesFor(recipe, view);
  const levels: { size: number; cells: CellRecord[]; means: Float32Array; key: string }[] = [];
  for (const size of sizes) {
    const key = gridKeyFor(recipe, layoutKey, size, data.declaredCount);
    let grid = cache.read('grid', key);
    if (!grid && ctx.shard)
      throw new UserError(`${where}: its grid ${size} is not in the cache yet; run the layout phase first (atlas build --phase layout), then the icon shards.`);
    if (!grid) {
      const built = computeGrid(
        { points, activations: vectors, depth: data.depth, topClasses, topValues, topK: data.topK, declared, declaredCount: data.declaredCount },
        origins,
        size,
        recipe.grids.minCount,
      );
      cache.write('grid', key, { 'cells.json': JSON.stringify({ size, cells: built.cells }), 'means.f32': new Uint8Array(built.means.buffer) });
      grid = cache.read('grid', key)!;
      if (!computed.includes('grids')) computed.push('grids');
    }
    const cells = (JSON.parse(grid.file('cells.json').toString()) as { cells: CellRecord[] }).cells;
    levels.push({ size, cells, means: new Float32Array(new Uint8Array(grid.file('means.f32')).buffer), key });
  }
  seconds.grids = clock.lap();
  const total = levels.reduce((sum, level) => sum + level.cells.length, 0);
  if (total === 0) {
    throw new UserError(
      `${path.relative(ctx.root, recipe.file)}: ${view.title} has no grid cell with more than grids.minCount = ${recipe.grids.minCount} samples; lower grids.minCount, use coarser grids.sizes, or use more images.`,
    );
  }

  if (ctx.stopAfterGrids) return undefined;

  // Icons, one per kept cell of every level.
  const icons = await iconsFor(ctx, view, levels, vectors, n);
  if (icons.computed) computed.push('icons');
  seconds.icons = clock.lap();
  if (ctx.shard) {
    ctx.log(`${recipe.id}: ${view.id}: shard ${ctx.shard.index}/${ctx.shard.count}: ${icons.computed} icons rendered (${seconds.icons.toFixed(1)} s)`);
    return undefined;
  }

  const home = homeGrid(planPyramid(sizes, recipe.render.cellPixels ?? recipe.icons.size)).size;
  const legibility =
    recipe.legibility && view.kind === 'layer' && recipe.icons.mode === 'optimize'
      ? await legibilityOf(ctx, view, levels, icons.icons, home, vectors, n)
      : undefined;
  if (legibility) seconds.legibility = clock.lap();

  // Render, cached whole: the same grids, icons and settings give the same files.
  const examplePixels = recipe.render.examplePixels ?? DEFAULT_EXAMPLE_PIXELS;
  const index = viewIndexOf(ctx, view, n);
  const renderKey = renderKeyFor(
    recipe,
    index,
    levels.map((l) => l.key),
    icons.icons,
  );
  const cached = cache.folder('render', renderKey);
  let summary = readRendered(cached);
  if (!summary) {
    rmSync(cached, { recursive: true, force: true });
    let start = 0;
    const bar = progressBar(`${recipe.id}: render of ${view.id}`, 'steps');
    const rendered = await renderView({
      onProgress: (done, all) => bar.update(done, all),
      dir: path.join(cached, 'view'),
      index,
      levels: levels.map((level) => {
        const slice = icons.icons.slice(start, start + level.cells.length);
        start += level.cells.length;
        return { size: level.size, cells: level.cells, icons: slice };
      }),
      ...(examplePixels
        ? {
            examples: {
              size: examplePixels,
              crop: exampleCropper({ data: recipe.data, preprocess: recipe.preprocess, root: ctx.root, layerSize: ctx.layerSize, size: examplePixels }),
            },
          }
        : {}),
      settings: recipe.render,
      cacheDir: path.join(cache.root, 'scratch', writerMark()),
      ...(recipe.icons.mode === 'examples' ? { edgeCrop: 0 } : {}),
    }).finally(() => bar.stop());
    summary = { files: rendered.files, bytes: rendered.bytes, levels: rendered.levels, seconds: rendered.seconds };
    writeRendered(cached, summary);
    computed.push('render');
  }
  linkTree(path.join(cached, 'view'), path.join(outDir, view.id));
  seconds.render = clock.lap();

  return {
    id: view.id,
    samples: n,
    ...(trustworthiness !== undefined ? { trustworthiness } : {}),
    neighbourSearch: neighbourSearchFor(params, n),
    grids: levels.map((l) => ({ size: l.size, cells: l.cells.length, coverage: drawnCoverage(l.cells, n, l.size) })),
    homeGrid: home,
    ...(legibility ? { legibility } : {}),
    render: { files: summary.files, bytes: summary.bytes, levels: summary.levels, key: renderKey },
    icons: { computed: icons.computed, total },
    seconds,
    computedSeconds: {
      ...(layoutSeconds ? { layout: layoutSeconds } : {}),
      ...(summary.seconds !== undefined ? { render: summary.seconds } : {}),
    },
    computed,
  };
}

async function iconsFor(
  ctx: ViewContext,
  view: ViewPlan,
  levels: { size: number; cells: CellRecord[]; means: Float32Array }[],
  vectors: RowBlocks,
  n: number,
): Promise<{ icons: Buffer[]; computed: number }> {
  const shard = ctx.shard;
  const { recipe } = ctx;
  const total = levels.reduce((sum, level) => sum + level.cells.length, 0);
  if (recipe.icons.mode === 'examples') {
    // The data-set crop nearest each cell's mean activation.
    const crop = exampleCropper({ data: recipe.data, preprocess: recipe.preprocess, root: ctx.root, layerSize: ctx.layerSize, size: recipe.icons.size });
    const icons: Buffer[] = [];
    for (const level of levels) for (const cell of level.cells) icons.push(await crop(cell.examples[0]!));
    return { icons, computed: 0 };
  }
  const depth = ctx.data.depth;
  const directions = new Float32Array(total * depth);
  let offset = 0;
  for (const level of levels) {
    directions.set(level.means, offset);
    offset += level.means.length;
  }
  const bar = progressBar(`${recipe.id}: icons of ${view.id}`, 'icons');
  try {
    const result = await runIcons({
      modelFolder: ctx.modelFolder,
      modelHash: ctx.modelHash,
      layer: view.layer,
      directions,
      depth,
      params: recipe.icons,
      preprocess: recipe.preprocess,
      cache: ctx.cache,
      pool: ctx.pool,
      ...(recipe.icons.whiten ? { secondMoment: secondMomentOf(vectors) } : {}),
      ...(recipe.icons.warmStart !== 'none' ? { parents: warmStartParents(recipe.icons.warmStart, levels) } : {}),
      onProgress: (done, all) => bar.update(done, all),
      onNotice: ctx.log,
      ...(shard ? { only: (key: string) => inShard(key, shard) } : {}),
    });
    return { icons: result.icons, computed: result.computed };
  } finally {
    bar.stop();
  }
}

/** The judge's scores of the view's icons at the recipe's legibility grids (default: the home view's grid). */
async function legibilityOf(
  ctx: ViewContext,
  view: ViewPlan,
  levels: { size: number; cells: CellRecord[]; means: Float32Array }[],
  icons: Buffer[],
  home: number,
  vectors: RowBlocks,
  n: number,
): Promise<{ judge: string; grids: LegibilityScore[] }> {
  const params = ctx.recipe.legibility!;
  const wanted = params.grids ?? [home];
  const grids: LegibilityScore[] = [];
  let start = 0;
  for (const level of levels) {
    const slice = icons.slice(start, start + level.cells.length);
    start += level.cells.length;
    if (!wanted.includes(level.size) || !level.cells.length) continue;
    const bar = progressBar(`${ctx.recipe.id}: ${params.referenceSteps}-step reference icons of ${view.id}`, 'icons');
    const score = await runLegibility({
      onProgress: (done, total) => bar.update(done, total),
      params,
      recipe: ctx.recipe,
      root: ctx.root,
      cache: ctx.cache,
      pool: ctx.pool,
      labels: ctx.labels,
      modelFolder: ctx.modelFolder,
      modelHash: ctx.modelHash,
      layer: view.layer,
      depth: ctx.data.depth,
      preprocess: ctx.recipe.preprocess,
      size: level.size,
      cells: level.cells,
      means: level.means,
      icons: slice,
      ...(ctx.recipe.icons.whiten ? { secondMoment: secondMomentOf(vectors) } : {}),
    }).finally(() => bar.stop());
    ctx.log(
      `${ctx.recipe.id}: ${view.id}: legibility at grid ${level.size}: ${percent(score.icons)} of ${score.cells} icons named as their cell's top class by the judge (random noise ${percent(score.noise)}, ${score.referenceSteps}-step icons ${percent(score.reference)})`,
    );
    grids.push(score);
  }
  return { judge: params.judge, grids };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
