/**
 * One view of an atlas, from a layer's samples to the files the site shows: choose its samples, lay them out,
 * grid them, make an icon per kept cell, and render the pyramid and cell data. Every step is cached by the hash
 * of what it depends on; the rendered view is kept in the cache and hard-linked into the site's folder.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, linkSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { hashOf } from '../../cache/hash.ts';
import { partialPath, writerMark } from '../../cache/partials.ts';
import type { CacheStore } from '../../cache/store.ts';
import type { WorkerPool } from '../../engine/pool.ts';
import { tf } from '../../engine/tf.ts';
import { UserError } from '../../errors.ts';
import type { Recipe } from '../../recipes/schema.ts';
import { exampleCropper } from '../../datasets/crop.ts';
import { buildGrid, type Cell } from '../grid/grid.ts';
import { cachedIcons, iconKeys, readIcon, runIcons } from '../icons/stage.ts';
import { layoutActivations, type LayoutParams } from '../layout/layout.ts';
import type { CellRecord } from '../render/format.ts';
import { renderView } from '../render/stage.ts';
import { homeGrid, planPyramid } from '../render/arrangement.ts';
import { drawnCoverage } from '../render/compose.ts';
import { runLegibility, type LegibilityScore } from '../legibility/stage.ts';
import { inShard, type Shard } from '../shard.ts';
import type { LayerData } from './layer-data.ts';
import type { ViewPlan } from './plan.ts';
import { comparisonPoints, samplesForClass, samplesForPair, takeRows } from './samples.ts';
import { progressBar } from './progress.ts';

/** Bump whenever the layout's numbers can change: a cached layout from older code is otherwise reused. */
export const LAYOUT_VERSION = 2;
export const GRID_VERSION = 2;
export const RENDER_VERSION = 1;
/** Samples nearest each cell's mean kept as its data-set examples. */
export const EXAMPLES_PER_CELL = 4;
const DEFAULT_EXAMPLE_PIXELS = 48;

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

export interface ViewReport {
  id: string;
  samples: number;
  trustworthiness?: number;
  /** Per grid level: kept cells, and the share of the map's square their icons cover. */
  grids: { size: number; cells: number; coverage: number }[];
  /** The grid size a viewer shows at its home view on a desktop (render/arrangement.ts, HOME_MAP_CSS_PIXELS). */
  homeGrid: number;
  /** With recipe.legibility, on layer views: the judge's scores per scored grid level. */
  legibility?: { judge: string; grids: LegibilityScore[] };
  render: { files: number; bytes: number; levels: { size: number; tiles: number; bytes: number }[]; key: string };
  icons: { computed: number; total: number };
  /** Wall seconds of this run per step (near 0 for cached steps). */
  seconds: Record<string, number>;
  /** Seconds the cached artifacts took when they were computed (for the methods appendix). */
  computedSeconds: { layout?: Record<string, number>; render?: number };
  /** Stages computed (not taken from the cache). */
  computed: string[];
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

export function layoutParamsFor(recipe: Recipe, view: ViewPlan): LayoutParams {
  const layer = recipe.layers.find((l) => (typeof l === 'string' ? l : l.name) === view.layer);
  const perLayer = layer && typeof layer !== 'string' ? layer.layout : undefined;
  return { ...recipe.layout, ...perLayer, ...view.layout };
}

export function gridSizesFor(recipe: Recipe, view: ViewPlan): number[] {
  if (view.grids) return view.grids;
  const layer = recipe.layers.find((l) => (typeof l === 'string' ? l : l.name) === view.layer);
  return (layer && typeof layer !== 'string' ? layer.grids : undefined) ?? recipe.grids.sizes;
}

/** The cache key of a view's layout (the same for a layer view as before views existed, so caches carry over). */
export function layoutKeyFor(ctx: Pick<ViewContext, 'chunks' | 'recipe'>, view: ViewPlan): string {
  const params = layoutParamsFor(ctx.recipe, view);
  if (view.kind === 'layer') return hashOf('layout', LAYOUT_VERSION, ctx.chunks, view.layer, params);
  return hashOf('layout', LAYOUT_VERSION, ctx.chunks, view.layer, params, { view: view.id, kind: view.kind, classes: view.classes, filter: view.filter });
}

export function gridKeyFor(recipe: Recipe, layoutKey: string, size: number, declaredCount: number): string {
  return hashOf('grid', GRID_VERSION, layoutKey, size, recipe.grids.minCount, recipe.attribution.topK, declaredCount);
}

/** The samples of the layer a view holds (all, for a layer view). */
function viewSamples(ctx: ViewContext, view: ViewPlan): Int32Array | undefined {
  if (view.kind === 'layer') return undefined;
  const label = (name: string) => ctx.labels.indexOf(name);
  const { topClasses, topK } = ctx.data;
  const chosen =
    view.kind === 'class'
      ? samplesForClass(topClasses, topK, label(view.classes![0]!), view.filter!.top)
      : samplesForPair(topClasses, topK, [label(view.classes![0]!), label(view.classes![1]!)], view.filter!.top);
  const neighbours = layoutParamsFor(ctx.recipe, view).neighbors;
  if (chosen.length <= neighbours) {
    const field = view.kind === 'class' ? 'classAtlases' : 'comparisons';
    throw new UserError(
      `${path.relative(ctx.root, ctx.recipe.file)}: field "${field}" asks for ${view.title}, but only ${chosen.length} of ${ctx.data.n} samples have ${view.classes!.join(' or ')} among their top ${view.filter!.top} attributions, too few for ${neighbours} neighbours; use more images, a larger "top", or fewer layout.neighbors.`,
    );
  }
  return chosen;
}

/** Runs the view's stages; undefined when a phase of a sharded build stops before the render. */
export async function runView(ctx: ViewContext, view: ViewPlan, outDir: string): Promise<ViewReport | undefined> {
  const { recipe, cache, data } = ctx;
  const clock = stopwatch();
  const seconds: Record<string, number> = {};
  const computed: string[] = [];
  const where = `${recipe.id}, view ${view.id}`;

  const indices = viewSamples(ctx, view);
  const n = indices ? indices.length : data.n;
  const vectors = indices ? takeRows(data.vectors, data.depth, indices) : data.vectors;
  const origins = indices ? takeRows(data.origins, 3, indices) : data.origins;
  const topClasses = indices ? takeRows(data.topClasses, data.topK, indices) : data.topClasses;
  const topValues = indices ? takeRows(data.topValues, data.topK, indices) : data.topValues;
  const declared = indices ? takeRows(data.declared, data.declaredCount, indices) : data.declared;

  // Layout.
  const params = layoutParamsFor(recipe, view);
  const layoutKey = layoutKeyFor(ctx, view);
  let layout = cache.read('layout', layoutKey);
  if (!layout && ctx.shard) throw new UserError(`${where}: its layout is not in the cache yet; run the layout phase first (atlas build --phase layout), then the icon shards.`);
  if (!layout) {
    const points = await layoutFor(ctx, view, vectors, n, declared, params, where);
    cache.write('layout', layoutKey, { 'points.f32': new Uint8Array(points.points.buffer) }, { trustworthiness: points.trustworthiness, seconds: points.seconds });
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
    if (!grid && ctx.shard) throw new UserError(`${where}: its grid ${size} is not in the cache yet; run the layout phase first (atlas build --phase layout), then the icon shards.`);
    if (!grid) {
      const built = buildGrid(
        { points, activations: vectors, depth: data.depth, topClasses, topValues, topK: data.topK, declared, declaredCount: data.declaredCount },
        size,
        recipe.grids.minCount,
        EXAMPLES_PER_CELL,
      );
      const cells = built.cells.map((cell) => cellRecord(cell, origins));
      cache.write('grid', key, { 'cells.json': JSON.stringify({ size, cells }), 'means.f32': new Uint8Array(built.means.buffer) });
      grid = cache.read('grid', key)!;
      if (!computed.includes('grids')) computed.push('grids');
    }
    const cells = (JSON.parse(grid.file('cells.json').toString()) as { cells: CellRecord[] }).cells;
    levels.push({ size, cells, means: new Float32Array(new Uint8Array(grid.file('means.f32')).buffer), key });
  }
  seconds.grids = clock.lap();
  const total = levels.reduce((sum, level) => sum + level.cells.length, 0);
  if (total === 0) {
    throw new UserError(`${path.relative(ctx.root, recipe.file)}: ${view.title} has no grid cell with more than grids.minCount = ${recipe.grids.minCount} samples; lower grids.minCount, use coarser grids.sizes, or use more images.`);
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
  const legibility = recipe.legibility && view.kind === 'layer' && recipe.icons.mode === 'optimize' ? await legibilityOf(ctx, view, levels, icons.icons, home, vectors, n) : undefined;
  if (legibility) seconds.legibility = clock.lap();

  // Render, cached whole: the same grids, icons and settings give the same files.
  const examplePixels = recipe.render.examplePixels ?? DEFAULT_EXAMPLE_PIXELS;
  const index = viewIndexOf(ctx, view, n);
  const renderKey = renderKeyFor(recipe, index, levels.map((l) => l.key), icons.icons);
  const cached = cache.folder('render', renderKey);
  let summary = readRendered(cached);
  if (!summary) {
    rmSync(cached, { recursive: true, force: true });
    let start = 0;
    const rendered = await renderView({
      dir: path.join(cached, 'view'),
      index,
      levels: levels.map((level) => {
        const slice = icons.icons.slice(start, start + level.cells.length);
        start += level.cells.length;
        return { size: level.size, cells: level.cells, icons: slice };
      }),
      ...(examplePixels ? { examples: { size: examplePixels, crop: exampleCropper({ data: recipe.data, preprocess: recipe.preprocess, root: ctx.root, layerSize: ctx.layerSize, size: examplePixels }) } } : {}),
      settings: recipe.render,
      cacheDir: path.join(cache.root, 'scratch', writerMark()),
      ...(recipe.icons.mode === 'examples' ? { edgeCrop: 0 } : {}),
    });
    summary = { files: rendered.files, bytes: rendered.bytes, levels: rendered.levels, seconds: rendered.seconds };
    writeAtomically(path.join(cached, 'rendered.json'), JSON.stringify({ ...summary, listing: listFiles(path.join(cached, 'view')) }));
    computed.push('render');
  }
  linkTree(path.join(cached, 'view'), path.join(outDir, view.id));
  seconds.render = clock.lap();

  return {
    id: view.id,
    samples: n,
    ...(trustworthiness !== undefined ? { trustworthiness } : {}),
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

/** What view.json says about the view besides its pyramid and levels. */
function viewIndexOf(ctx: Pick<ViewContext, 'recipe' | 'labels' | 'declared'>, view: ViewPlan, samples: number) {
  return {
    atlas: ctx.recipe.id,
    view: view.id,
    kind: view.kind,
    layer: view.layer,
    ...(view.classes ? { classes: view.classes } : {}),
    title: view.title,
    samples,
    labels: ctx.labels,
    focusClasses: ctx.declared,
  };
}

/** The rendered view's identity: its grids, its icons' bytes, the render settings and what view.json says. */
function renderKeyFor(recipe: Recipe, index: ReturnType<typeof viewIndexOf>, gridKeys: string[], icons: Buffer[]): string {
  const examplePixels = recipe.render.examplePixels ?? DEFAULT_EXAMPLE_PIXELS;
  return hashOf('render', RENDER_VERSION, gridKeys, hashOf(...icons), recipe.render, examplePixels, index, recipe.data, recipe.preprocess);
}

export interface StepStatus {
  step: string;
  fresh: boolean;
  why: string;
  /** For the icons: how many are cached, of how many (known once the grids exist). */
  done?: number;
  total?: number;
}

/**
 * Whether each step of a view is in the cache, without computing anything: one line per step. Icons and the
 * render can only be checked once the grids they depend on exist.
 */
export function viewStatus(ctx: Pick<ViewContext, 'recipe' | 'root' | 'cache' | 'chunks' | 'labels' | 'declared' | 'modelHash'>, view: ViewPlan, published?: { key?: string }): StepStatus[] {
  const { recipe, cache } = ctx;
  const lines: StepStatus[] = [];
  const layoutKey = layoutKeyFor(ctx, view);
  const layout = cache.read('layout', layoutKey);
  lines.push({ step: 'layout', fresh: Boolean(layout), why: layout ? 'cached' : 'to compute (new samples, layout parameters or code version)' });
  const sizes = gridSizesFor(recipe, view);
  const grids = layout ? sizes.map((size) => ({ size, key: gridKeyFor(recipe, layoutKey, size, ctx.declared.length) })).map((g) => ({ ...g, artifact: cache.read('grid', g.key) })) : [];
  const gridsFresh = grids.length === sizes.length && grids.every((g) => g.artifact);
  lines.push({ step: 'grids', fresh: gridsFresh, why: gridsFresh ? 'cached' : layout ? `${grids.filter((g) => !g.artifact).length} of ${sizes.length} sizes to compute` : 'after the layout' });
  if (!gridsFresh) {
    lines.push({ step: 'icons', fresh: false, why: 'after the grids' }, { step: 'render', fresh: false, why: 'after the icons' });
    return lines;
  }
  const levels = grids.map((g) => {
    const cells = (JSON.parse(g.artifact!.file('cells.json').toString()) as { cells: { x: number; y: number }[] }).cells;
    return { key: g.key, size: g.size, positions: cells, means: new Float32Array(new Uint8Array(g.artifact!.file('means.f32')).buffer), cells: cells.length };
  });
  const total = levels.reduce((sum, l) => sum + l.cells, 0);
  const first = levels.find((l) => l.cells > 0);
  const depth = first ? first.means.length / first.cells : 0;
  if (recipe.icons.mode === 'examples' || recipe.icons.whiten || !depth) {
    const why = recipe.icons.mode === 'examples' ? 'data-set crops, made while rendering' : 'whitened directions are checked by atlas build';
    lines.push({ step: 'icons', fresh: true, why }, { step: 'render', fresh: Boolean(published?.key), why: published?.key ? 'published (not rechecked)' : 'to render' });
    return lines;
  }
  const directions = new Float32Array(total * depth);
  let offset = 0;
  for (const level of levels) {
    directions.set(level.means, offset);
    offset += level.means.length;
  }
  const parents = warmStartParents(recipe.icons.warmStart, levels.map((l) => ({ size: l.size, cells: l.positions, means: l.means })));
  const { keys } = iconKeys({ modelHash: ctx.modelHash, layer: view.layer, directions, depth, params: recipe.icons, preprocess: recipe.preprocess, parents });
  const cached = cachedIcons(cache, keys);
  lines.push({ step: 'icons', fresh: cached === keys.length, why: cached === keys.length ? `${keys.length} cached` : `${keys.length - cached} of ${keys.length} to draw`, done: cached, total: keys.length });
  if (cached < keys.length) {
    lines.push({ step: 'render', fresh: false, why: 'after the icons' });
    return lines;
  }
  const samples = new Float32Array(new Uint8Array(layout!.file('points.f32')).buffer).length / 2;
  const icons = keys.map((key) => readIcon(cache, key)!);
  const renderKey = renderKeyFor(recipe, viewIndexOf(ctx, view, samples), levels.map((l) => l.key), icons);
  const rendered = readRendered(cache.folder('render', renderKey));
  const published_ = published?.key === renderKey;
  lines.push({ step: 'render', fresh: Boolean(rendered) && published_, why: !rendered ? 'to render' : published_ ? 'cached and published' : 'cached; to publish into public/atlases' });
  return lines;
}

async function layoutFor(ctx: ViewContext, view: ViewPlan, vectors: Float32Array, n: number, declared: Float32Array, params: LayoutParams, where: string) {
  const bar = progressBar(`${ctx.recipe.id}: layout of ${view.id}`, 'epochs');
  try {
    const onEpoch = (done: number, total: number) => bar.update(done, total);
    if (view.kind !== 'comparison') return await layoutActivations(vectors, n, ctx.data.depth, params, where, ctx.pool, onEpoch);
    return await comparisonLayout(ctx, view, vectors, n, declared, params, where, onEpoch);
  } finally {
    bar.stop();
  }
}

async function comparisonLayout(ctx: ViewContext, view: ViewPlan, vectors: Float32Array, n: number, declared: Float32Array, params: LayoutParams, where: string, onEpoch: (done: number, total: number) => void) {
  // y: a 1-D layout of the activations; x: the difference of the two classes' attributions.
  const line = await layoutActivations(vectors, n, ctx.data.depth, { ...params, dimensions: 1 }, where, ctx.pool, onEpoch);
  const column = (name: string) => {
    const c = ctx.declared.indexOf(name);
    return Float32Array.from({ length: n }, (_, i) => declared[i * ctx.data.declaredCount + c]!);
  };
  const y = Float32Array.from({ length: n }, (_, i) => line.points[i * 2]!);
  return { ...line, points: comparisonPoints(column(view.classes![0]!), column(view.classes![1]!), y, params.margin) };
}

function cellRecord(cell: Cell, origins: Int32Array): CellRecord {
  return {
    x: cell.x,
    y: cell.y,
    count: cell.count,
    classes: cell.classes.map((c) => [c.label, c.attribution] as [number, number]),
    focus: cell.focus,
    examples: cell.nearest.map((i) => [origins[i * 3]!, origins[i * 3 + 1]!, origins[i * 3 + 2]!] as [number, number, number]),
    extent: cell.extent,
  };
}

async function iconsFor(ctx: ViewContext, view: ViewPlan, levels: { size: number; cells: CellRecord[]; means: Float32Array }[], vectors: Float32Array, n: number): Promise<{ icons: Buffer[]; computed: number }> {
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
      ...(recipe.icons.whiten ? { secondMoment: secondMoment(vectors, n, depth) } : {}),
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
  vectors: Float32Array,
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
      ...(ctx.recipe.icons.whiten ? { secondMoment: secondMoment(vectors, n, ctx.data.depth) } : {}),
    }).finally(() => bar.stop());
    ctx.log(`${ctx.recipe.id}: ${view.id}: legibility at grid ${level.size}: ${percent(score.icons)} of ${score.cells} icons named as their cell's top class by the judge (random noise ${percent(score.noise)}, ${score.referenceSteps}-step icons ${percent(score.reference)})`);
    grids.push(score);
  }
  return { judge: params.judge, grids };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

type WarmLevel = { size: number; cells: { x: number; y: number }[]; means: Float32Array };

/** The icon each icon starts from under the recipe's icons.warmStart (undefined: every icon from noise). */
export function warmStartParents(mode: Recipe['icons']['warmStart'], levels: WarmLevel[]): Int32Array | undefined {
  if (mode === 'parent') return parentCells(levels);
  if (mode === 'similar') return similarCells(levels);
  return undefined;
}

/**
 * For every cell of every level but the coarsest (in the order icons are made), the index of the coarsest
 * level's cell whose mean activation is nearest by cosine; −1 on the coarsest level. Its icons are optimized
 * from noise, so every warm start is one hop from a full optimization of the most similar direction.
 */
export function similarCells(levels: WarmLevel[]): Int32Array {
  const parents = new Int32Array(levels.reduce((sum, level) => sum + level.cells.length, 0)).fill(-1);
  const roots = levels[0];
  if (!roots || !roots.cells.length) return parents;
  const depth = roots.means.length / roots.cells.length;
  const norms = (means: Float32Array, count: number) =>
    Float64Array.from({ length: count }, (_, i) => {
      let sum = 0;
      for (let d = 0; d < depth; d++) sum += means[i * depth + d]! ** 2;
      return Math.sqrt(sum) || 1;
    });
  const rootNorms = norms(roots.means, roots.cells.length);
  let offset = roots.cells.length;
  for (const level of levels.slice(1)) {
    const levelNorms = norms(level.means, level.cells.length);
    for (let i = 0; i < level.cells.length; i++) {
      let best = -Infinity;
      for (let r = 0; r < roots.cells.length; r++) {
        let dot = 0;
        for (let d = 0; d < depth; d++) dot += level.means[i * depth + d]! * roots.means[r * depth + d]!;
        const cosine = dot / (levelNorms[i]! * rootNorms[r]!);
        if (cosine > best) [best, parents[offset + i]] = [cosine, r];
      }
    }
    offset += level.cells.length;
  }
  return parents;
}

/**
 * For every cell of every level (in the order icons are made), the index of the cell of the next coarser level
 * under its centre, or −1 on the coarsest level and where that cell was not kept: the icon a warm start begins
 * from.
 */
export function parentCells(levels: { size: number; cells: { x: number; y: number }[] }[]): Int32Array {
  const parents = new Int32Array(levels.reduce((sum, level) => sum + level.cells.length, 0)).fill(-1);
  let offset = 0;
  levels.forEach((level, k) => {
    const coarser = k > 0 && levels[k - 1]!.size < level.size ? levels[k - 1]! : undefined;
    if (coarser) {
      const start = offset - coarser.cells.length;
      const byPosition = new Map(coarser.cells.map((cell, index) => [cell.y * coarser.size + cell.x, start + index]));
      level.cells.forEach((cell, index) => {
        const [x, y] = [cell.x, cell.y].map((v) => Math.floor(((v + 0.5) / level.size) * coarser.size)) as [number, number];
        parents[offset + index] = byPosition.get(y * coarser.size + x) ?? -1;
      });
    }
    offset += level.cells.length;
  });
  return parents;
}

/** E[a·aᵀ] over the view's samples, [depth, depth], for whitened directions. */
function secondMoment(vectors: Float32Array, n: number, depth: number): Float32Array {
  // An explicit transpose: wasm's matMul with transposeA is many times slower. The values are read outside
  // tf.tidy, which walks every key of what it returns.
  const moment = tf.tidy(() => {
    const x = tf.tensor2d(vectors, [n, depth]);
    return tf.div(tf.matMul(tf.transpose(x), x), n);
  });
  const values = moment.dataSync() as Float32Array;
  moment.dispose();
  return values;
}

interface Rendered {
  files: number;
  bytes: number;
  levels: { size: number; tiles: number; bytes: number }[];
  seconds?: number;
}

/** A rendered view from the cache, if every file it listed is there with its size. */
function readRendered(folder: string): Rendered | undefined {
  const record = path.join(folder, 'rendered.json');
  if (!existsSync(record)) return undefined;
  try {
    const { listing, ...summary } = JSON.parse(readFileSync(record, 'utf8')) as Rendered & { listing: Record<string, number> };
    for (const [file, size] of Object.entries(listing)) if (statSync(path.join(folder, 'view', file)).size !== size) return undefined;
    return summary;
  } catch {
    return undefined;
  }
}

function listFiles(folder: string, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(out, listFiles(folder, relative));
    else out[relative] = statSync(path.join(folder, relative)).size;
  }
  return out;
}

/** Hard links of every file (a copy where links are impossible, e.g. across file systems). */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

function writeAtomically(file: string, text: string): void {
  const temporary = partialPath(file);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
