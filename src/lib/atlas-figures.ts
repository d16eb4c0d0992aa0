/**
 * Build-time helpers for the atlas figure components: the published atlas (under the configured public folder)
 * and the config each figure embeds for its client script.
 */
import { UserError } from '../../pipeline/errors.ts';
import { siteSettings } from '../../pipeline/site/settings.ts';
import { atlasesDirOf, readPublishedAtlas, requireClass, requireView, type PublishedAtlas } from '../../pipeline/site/published-atlases.ts';
import type { ClientView, FigureConfig, ViewState } from '../scripts/atlas/config.ts';
import { href } from './site';

export const atlasesDir = atlasesDirOf(siteSettings(process.env).publicDir);

/** The atlas, with `element` and `where` naming the figure in an error. */
export function publishedAtlas(name: string | undefined, element: string, where: string): PublishedAtlas {
  if (!name) throw new UserError(`${where}: <${element}> needs an "atlas" attribute.`);
  return readPublishedAtlas(atlasesDir, name, where);
}

/** The URL (base path included) of a view's folder, ending in "/". */
export function viewUrl(atlas: PublishedAtlas, view: string): string {
  const folder = atlas.views[view]!.path.replace(/^\/+|\/+$/g, '');
  return href(`/atlases/${atlas.name}/${folder}/`);
}

export function clientView(atlas: PublishedAtlas, id: string): ClientView {
  const index = atlas.view(id);
  return {
    id,
    kind: index.kind,
    layer: index.layer,
    title: index.title,
    ...(index.classes ? { classes: index.classes } : {}),
    url: viewUrl(atlas, id),
    image: { width: index.image.width, height: index.image.height, tileSize: index.image.tileSize, overlap: index.image.overlap, format: index.image.format },
    background: index.background,
    levels: index.levels,
    examples: index.examples,
    focusClasses: index.focusClasses,
    samples: index.samples,
    description: index.description,
  };
}

export function figureConfig(atlas: PublishedAtlas, views: string[], initial: ViewState, showLabels: boolean, where: string, element: string): FigureConfig {
  for (const view of views) requireView(atlas, view, where, element);
  if (initial.focus) requireClass(atlas, initial.focus, where, element);
  return { atlas: atlas.name, labels: atlas.labels, views: views.map((id) => clientView(atlas, id)), initial, showLabels };
}

/** JSON safe inside a <script> element: "</script>" or "<!--" in a label cannot end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
