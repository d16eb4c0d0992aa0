/** The layout's cache key and code version: the patches stage and the status report read them too. */
import { hashOf } from '../../cache/hash.ts';
import { layerSettings, type ViewPlan } from '../../recipes/plan.ts';
import type { Recipe } from '../../recipes/schema.ts';
import type { LayoutParams } from './layout.ts';

/** Bump whenever the layout's numbers can change: a cached layout from older code is otherwise reused. */
export const LAYOUT_VERSION = 5;

export function layoutParamsFor(recipe: Recipe, view: ViewPlan): LayoutParams {
  return { ...recipe.layout, ...layerSettings(recipe, view.layer)?.layout, ...view.layout };
}

/** The cache key of a view's layout (the same for a layer view as before views existed, so caches carry over). */
export function layoutKeyFor(ctx: { chunks: string[]; recipe: Recipe }, view: ViewPlan): string {
  const params = layoutParamsFor(ctx.recipe, view);
  if (view.kind === 'layer') return hashOf('layout', LAYOUT_VERSION, ctx.chunks, view.layer, params);
  return hashOf('layout', LAYOUT_VERSION, ctx.chunks, view.layer, params, { view: view.id, kind: view.kind, classes: view.classes, filter: view.filter });
}
