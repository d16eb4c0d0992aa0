/**
 * `atlas status`: for each recipe, whether each stage of each view is fresh (in the cache, published) or stale,
 * and why — computed from cache keys alone, without running anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheStore } from '../cache/store.ts';
import type { Recipe } from '../recipes/schema.ts';
import { activationsStatus } from './activations/stage.ts';
import { planViews } from './views/plan.ts';
import { viewStatus } from './views/stage.ts';

export function recipeStatus(recipe: Recipe & { id: string; file: string }, root: string, cache: CacheStore): string[] {
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
    const steps = viewStatus({ recipe, root, cache, chunks: activations.chunks, labels: activations.labels, declared: activations.declared, modelHash: activations.modelHash }, view, published[view.id]);
    const stale = steps.filter((step) => !step.fresh);
    lines.push(`${recipe.id}: ${view.id}: ${stale.length ? 'stale' : 'fresh'}: ${steps.map((step) => `${step.step} ${step.why}`).join('; ')}`);
  }
  return lines;
}

/**
 * The phases of a sharded build (pipeline/stages/shard.ts) with their units and how many are done, for an
 * orchestrator: `atlas plan --json`. The icons' count is known once the layout phase has made the grids.
 */
export function recipePlan(recipe: Recipe & { id: string; file: string }, root: string, cache: CacheStore) {
  const activations = activationsStatus(recipe, root, cache);
  const views = planViews(recipe);
  const complete = activations.cached === activations.total;
  const published = readPublished(path.join(root, 'public', 'atlases', recipe.id, 'manifest.json'));
  const steps = complete ? views.map((view) => viewStatus({ recipe, root, cache, chunks: activations.chunks, labels: activations.labels, declared: activations.declared, modelHash: activations.modelHash }, view, published[view.id])) : [];
  const step = (name: string) => steps.map((lines) => lines.find((line) => line.step === name)!);
  const icons = step('icons');
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
