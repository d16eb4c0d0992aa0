/**
 * The views an atlas recipe asks for — one map per layer, plus class atlases and two-class comparisons — and the
 * classes whose attributions every sample must carry for them.
 */
import type { ViewKind } from '../published/format.ts';
import { classViewId, comparisonViewId } from '../published/ids.ts';
import type { Recipe } from './schema.ts';

export interface ViewPlan {
  /** Also the view's folder name. */
  id: string;
  kind: ViewKind;
  layer: string;
  classes?: string[];
  title: string;
  /** For a class atlas: the filter; for a comparison: how many top attributions may name either class. */
  filter?: { kind: 'winner' | 'top'; top: number };
  /** Layout parameters for the view's own layout (class atlases). */
  layout?: Partial<Recipe['layout']>;
  /** Grid sizes for this view, when it sets its own. */
  grids?: number[];
}

/** A recipe layer's name (a layer is a name, or a name with settings of its own). */
export const layerName = (layer: Recipe['layers'][number]) => (typeof layer === 'string' ? layer : layer.name);

/** The recipe's entry for the view's layer, when it sets its own layout or grids. */
export function layerSettings(recipe: Pick<Recipe, 'layers'>, layer: string): Exclude<Recipe['layers'][number], string> | undefined {
  const entry = recipe.layers.find((l) => layerName(l) === layer);
  return entry && typeof entry !== 'string' ? entry : undefined;
}

/** Class names whose exact attribution is kept for every sample: declared ones first, then those views need. */
export function declaredClasses(recipe: Pick<Recipe, 'attribution' | 'classAtlases' | 'comparisons'>): { name: string; field: string }[] {
  const out: { name: string; field: string }[] = [];
  const add = (name: string, field: string) => {
    if (!out.some((c) => c.name === name)) out.push({ name, field });
  };
  recipe.attribution.classes.forEach((name, i) => add(name, `attribution.classes[${i}]`));
  recipe.classAtlases.forEach((atlas, i) => add(atlas.class, `classAtlases[${i}].class`));
  recipe.comparisons.forEach((comparison, i) => comparison.classes.forEach((name, j) => add(name, `comparisons[${i}].classes[${j}]`)));
  return out;
}

export function planViews(recipe: Recipe): ViewPlan[] {
  const layers = recipe.layers.map(layerName);
  const last = layers.at(-1)!;
  const views: ViewPlan[] = layers.map((layer) => ({ id: layer, kind: 'layer', layer, title: `Activation atlas of ${layer}` }));
  for (const atlas of recipe.classAtlases) {
    const layer = atlas.layer ?? last;
    views.push({
      id: classViewId(layer, atlas.class),
      kind: 'class',
      layer,
      classes: [atlas.class],
      title: `Class atlas of “${atlas.class}” at ${layer}`,
      filter: { kind: atlas.filter, top: atlas.filter === 'winner' ? 1 : atlas.top },
      ...(atlas.layout ? { layout: atlas.layout } : {}),
      ...(atlas.grids ? { grids: atlas.grids } : {}),
    });
  }
  for (const comparison of recipe.comparisons) {
    const layer = comparison.layer ?? last;
    const [left, right] = comparison.classes;
    views.push({
      id: comparisonViewId(layer, left, right),
      kind: 'comparison',
      layer,
      classes: [left, right],
      title: `“${left}” against “${right}” at ${layer}`,
      filter: { kind: 'top', top: comparison.top },
      ...(comparison.grids ? { grids: comparison.grids } : {}),
    });
  }
  return views;
}
