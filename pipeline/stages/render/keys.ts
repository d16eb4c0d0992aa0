/** The rendered view's cache key and code version, and what its view.json says besides its pyramid and levels. */
import { hashOf } from '../../cache/hash.ts';
import type { ViewPlan } from '../../recipes/plan.ts';
import type { Recipe } from '../../recipes/schema.ts';

export const RENDER_VERSION = 1;
/** The data-set example thumbnails' size when render.examplePixels is not set. */
export const DEFAULT_EXAMPLE_PIXELS = 48;

/** What view.json says about the view besides its pyramid and levels. */
export function viewIndexOf(ctx: { recipe: Recipe & { id: string }; labels: string[]; declared: string[] }, view: ViewPlan, samples: number) {
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
export function renderKeyFor(recipe: Recipe, index: ReturnType<typeof viewIndexOf>, gridKeys: string[], icons: Buffer[]): string {
  const examplePixels = recipe.render.examplePixels ?? DEFAULT_EXAMPLE_PIXELS;
  return hashOf('render', RENDER_VERSION, gridKeys, hashOf(...icons), recipe.render, examplePixels, index, recipe.data, recipe.preprocess);
}
