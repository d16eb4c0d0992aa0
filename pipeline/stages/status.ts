/**
 * `atlas status`: for each recipe, whether each stage of each view is fresh (in the cache, published) or stale,
 * and why — computed from cache keys alone, without running anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheStore } from '../cache/store.ts';
import { planViews, type ViewPlan } from '../recipes/plan.ts';
import type { Recipe } from '../recipes/schema.ts';
import { activationGridStatus } from './activation-grid/stage.ts';
import { activationsStatus } from './activations/stage.ts';
import { gridKeyFor, gridSizesFor } from './grid/keys.ts';
import { cachedIcons, iconKeys, readIcon } from '../icons/stage.ts';
import { warmStartParents } from '../icons/warm-start.ts';
import { layoutKeyFor } from './layout/keys.ts';
import { neuronStatus } from './neurons/stage.ts';
import { patchExperimentCached } from './patches/stage.ts';
import { readRendered } from './render/cached.ts';
import { renderKeyFor, viewIndexOf } from './render/keys.ts';

export async function recipeStatus(recipe: Recipe & { id: string; file: string }, root: string, cache: CacheStore): Promise<string[]> {
  const activations = activationsStatus(recipe, root, cache);
  const lines = [
    `${recipe.id}: activations ${activations.cached === activations.total ? 'fresh' : `stale: ${activations.total - activations.cached} of ${activations.total} chunks to compute (new images, recipe or model changed, or never run)`}`,
  ];
  const published = readPublished(path.join(root, 'public', 'atlases', recipe.id, 'manifest.json'));
  for (const view of planViews(recipe)) {
    if (activations.cached < activations.total) {
      lines.push(`${recipe.id}: ${view.id}: stale: after the activations`);
      continue;
    }
    const steps = viewStatus(
      { recipe, cache, chunks: activations.chunks, labels: activations.labels, declared: activations.declared, modelHash: activations.modelHash },
      view,
      published[view.id],
    );
    const stale = steps.filter((step) => !step.fresh);
    lines.push(`${recipe.id}: ${view.id}: ${stale.length ? 'stale' : 'fresh'}: ${steps.map((step) => `${step.step} ${step.why}`).join('; ')}`);
  }
  for (const figure of await figureStatus(recipe, root, cache, activations))
    lines.push(`${recipe.id}: ${figure.figure}: ${figure.fresh ? 'fresh' : 'stale'}: ${figure.why}`);
  return lines;
}

interface FigureStatus {
  kind: 'patch experiment' | 'activation grid' | 'neuron';
  figure: string;
  fresh: boolean;
  why: string;
  /** Icons cached and in all, where the figure has icons and their number is known. */
  done?: number;
  total?: number;
}

/**
 * Patch experiments, activation grids and neuron figures: whether each is in the cache. A patch experiment's
 * key needs the activations; an activation grid reads its image, and a neuron figure probes its layer's size.
 */
async function figureStatus(
  recipe: Recipe & { id: string; file: string },
  root: string,
  cache: CacheStore,
  activations: ReturnType<typeof activationsStatus>,
): Promise<FigureStatus[]> {
  const { modelHash } = activations;
  const out: FigureStatus[] = [];
  const complete = activations.cached === activations.total;
  for (const spec of recipe.patchExperiments) {
    const fresh = complete && patchExperimentCached({ recipe, spec, cache, chunks: activations.chunks, declared: activations.declared, modelHash });
    out.push({
      kind: 'patch experiment',
      figure: `patch experiment ${spec.id}`,
      fresh,
      why: fresh ? 'cached' : complete ? "to compute (after its view's icons)" : 'after the activations',
    });
  }
  const failed = (error: unknown) => `cannot be checked: ${error instanceof Error ? error.message : String(error)}`;
  for (const spec of recipe.activationGrids) {
    const status = await activationGridStatus({ recipe, spec, root, cache, modelHash }).catch((error: unknown) => ({ fresh: false, why: failed(error) }));
    out.push({ kind: 'activation grid', figure: `activation grid ${spec.id}`, ...status });
  }
  for (const spec of recipe.neurons) {
    const status = await neuronStatus({ recipe, spec, root, cache, modelHash }).catch((error: unknown) => ({ fresh: false, why: failed(error) }));
    out.push({ kind: 'neuron', figure: `neuron ${spec.id}`, ...status });
  }
  return out;
}

/**
 * The phases of a sharded build (pipeline/stages/shard.ts) with their units and how many are done, for an
 * orchestrator: `atlas plan --json`. The icons' count is known once the layout phase has made the grids.
 */
export async function recipePlan(recipe: Recipe & { id: string; file: string }, root: string, cache: CacheStore) {
  const activations = activationsStatus(recipe, root, cache);
  const views = planViews(recipe);
  const complete = activations.cached === activations.total;
  const published = readPublished(path.join(root, 'public', 'atlases', recipe.id, 'manifest.json'));
  const steps = complete
    ? views.map((view) =>
        viewStatus(
          { recipe, cache, chunks: activations.chunks, labels: activations.labels, declared: activations.declared, modelHash: activations.modelHash },
          view,
          published[view.id],
        ),
      )
    : [];
  const step = (name: string) => steps.map((lines) => lines.find((line) => line.step === name)!);
  // The figures' icons are units of the icons phase too (patch experiments run in the last phase).
  const figures = complete ? (await figureStatus(recipe, root, cache, activations)).filter((figure) => figure.kind !== 'patch experiment') : [];
  const icons = [...step('icons'), ...figures];
  const iconsKnown = complete && icons.every((line) => line.total !== undefined || line.fresh);
  return {
    recipe: recipe.id,
    phases: [
      { phase: 'activations', sharded: true, command: 'atlas build --shard i/n', units: activations.total, done: activations.cached },
      { phase: 'layout', sharded: false, command: 'atlas build --phase layout', units: views.length, done: step('grids').filter((line) => line.fresh).length },
      {
        phase: 'icons',
        sharded: true,
        command: 'atlas build --shard i/n',
        units: iconsKnown ? icons.reduce((sum, line) => sum + (line.total ?? 0), 0) : null,
        done: iconsKnown ? icons.reduce((sum, line) => sum + (line.done ?? 0), 0) : null,
      },
      { phase: 'publish', sharded: false, command: 'atlas build', units: views.length, done: step('render').filter((line) => line.fresh).length },
    ],
  };
}

interface ViewStatusContext {
  recipe: Recipe & { id: string; file: string };
  cache: CacheStore;
  chunks: string[];
  labels: string[];
  declared: string[];
  modelHash: string;
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
export function viewStatus(ctx: ViewStatusContext, view: ViewPlan, published?: { key?: string }): StepStatus[] {
  const { recipe, cache } = ctx;
  const lines: StepStatus[] = [];
  const layoutKey = layoutKeyFor(ctx, view);
  const layout = cache.read('layout', layoutKey);
  lines.push({ step: 'layout', fresh: Boolean(layout), why: layout ? 'cached' : 'to compute (new samples, layout parameters or code version)' });
  const sizes = gridSizesFor(recipe, view);
  const grids = layout
    ? sizes.map((size) => ({ size, key: gridKeyFor(recipe, layoutKey, size, ctx.declared.length) })).map((g) => ({ ...g, artifact: cache.read('grid', g.key) }))
    : [];
  const gridsFresh = grids.length === sizes.length && grids.every((g) => g.artifact);
  lines.push({
    step: 'grids',
    fresh: gridsFresh,
    why: gridsFresh ? 'cached' : layout ? `${grids.filter((g) => !g.artifact).length} of ${sizes.length} sizes to compute` : 'after the layout',
  });
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
    lines.push(
      { step: 'icons', fresh: true, why },
      { step: 'render', fresh: Boolean(published?.key), why: published?.key ? 'published (not rechecked)' : 'to render' },
    );
    return lines;
  }
  const directions = new Float32Array(total * depth);
  let offset = 0;
  for (const level of levels) {
    directions.set(level.means, offset);
    offset += level.means.length;
  }
  const parents = warmStartParents(
    recipe.icons.warmStart,
    levels.map((l) => ({ size: l.size, cells: l.positions, means: l.means })),
  );
  const { keys } = iconKeys({ modelHash: ctx.modelHash, layer: view.layer, directions, depth, params: recipe.icons, preprocess: recipe.preprocess, parents });
  const cached = cachedIcons(cache, keys);
  lines.push({
    step: 'icons',
    fresh: cached === keys.length,
    why: cached === keys.length ? `${keys.length} cached` : `${keys.length - cached} of ${keys.length} to draw`,
    done: cached,
    total: keys.length,
  });
  if (cached < keys.length) {
    lines.push({ step: 'render', fresh: false, why: 'after the icons' });
    return lines;
  }
  const samples = new Float32Array(new Uint8Array(layout!.file('points.f32')).buffer).length / 2;
  const icons = keys.map((key) => readIcon(cache, key)!);
  const renderKey = renderKeyFor(
    recipe,
    viewIndexOf(ctx, view, samples),
    levels.map((l) => l.key),
    icons,
  );
  const rendered = readRendered(cache.folder('render', renderKey));
  const isPublished = published?.key === renderKey;
  lines.push({
    step: 'render',
    fresh: Boolean(rendered) && isPublished,
    why: !rendered ? 'to render' : isPublished ? 'cached and published' : 'cached; to publish into public/atlases',
  });
  return lines;
}

/** Each published view's render key, from public/atlases/<id>/manifest.json. */
function readPublished(file: string): Record<string, { key?: string }> {
  if (!existsSync(file)) return {};
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, { render?: { key?: string } }> };
    return Object.fromEntries(Object.entries(manifest.results ?? {}).map(([id, result]) => [id, { key: result.render?.key }]));
  } catch {
    return {};
  }
}
