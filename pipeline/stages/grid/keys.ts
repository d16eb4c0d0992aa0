/** The grids' cache keys and code version: the patches stage and the status report read them too. */
import { hashOf } from '../../cache/hash.ts';
import { layerSettings, type ViewPlan } from '../../recipes/plan.ts';
import type { Recipe } from '../../recipes/schema.ts';

export const GRID_VERSION = 2;

export function gridSizesFor(recipe: Recipe, view: ViewPlan): number[] {
  if (view.grids) return view.grids;
  return layerSettings(recipe, view.layer)?.grids ?? recipe.grids.sizes;
}

export function gridKeyFor(recipe: Recipe, layoutKey: string, size: number, declaredCount: number): string {
  return hashOf('grid', GRID_VERSION, layoutKey, size, recipe.grids.minCount, recipe.attribution.topK, declaredCount);
}
