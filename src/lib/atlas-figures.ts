/**
 * Build-time helpers for the atlas figure components: the published atlas (under the configured public folder)
 * and the config each figure embeds for its client script.
 */
import { siteSettings } from '../../pipeline/site/settings.ts';
import { atlasesDirOf, readPublishedAtlas, type PublishedAtlas } from '../../pipeline/published/reader.ts';
import type { ClientView, FigureConfig, ViewState } from '../scripts/atlas/config.ts';
import { href } from './site';

export const atlasesDir = atlasesDirOf(siteSettings(process.env).publicDir);

/** The atlas, with `where` naming the figure in an error. */
export function publishedAtlas(name: string | undefined, where: string): PublishedAtlas {
  return readPublishedAtlas(atlasesDir, name, where);
}

/** The props of a figure built at build time from one published item: its atlas, and the item's id. */
export type FigureProps<Key extends string> = { atlas: string } & Record<Key, string>;

/** That figure's atlas, and how errors name the figure, e.g. 'page /a/: <Neuron neuron="ball">'. */
export function figureAtlas<Key extends string>(url: URL, element: string, props: FigureProps<Key>, key: Key): { atlas: PublishedAtlas; where: string } {
  const where = `page ${url.pathname}: <${element} ${key}="${props[key]}">`;
  return { atlas: publishedAtlas(props.atlas, where), where };
}

/** The URL (base path included) of a file the atlas published, from its path relative to the atlas folder. */
export function atlasFileUrl(atlas: PublishedAtlas, relative: string): string {
  return href(`/atlases/${atlas.name}/${relative.replace(/^\/+/, '')}`);
}

/** The URL (base path included) of a view's folder, ending in "/". */
export function viewUrl(atlas: PublishedAtlas, view: string): string {
  return atlasFileUrl(atlas, `${atlas.views[view]!.path.replace(/^\/+|\/+$/g, '')}/`);
}

export function clientView(atlas: PublishedAtlas, id: string, where: string): ClientView {
  const index = atlas.view(id, where);
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

export function figureConfig(atlas: PublishedAtlas, views: string[], initial: ViewState, showLabels: boolean, where: string): FigureConfig {
  if (initial.focus) atlas.requireClass(initial.focus, `${where}: focus "${initial.focus}"`);
  return { atlas: atlas.name, labels: atlas.labels, views: views.map((id) => clientView(atlas, id, where)), initial, showLabels };
}

/** JSON safe inside a <script> element: "</script>" or "<!--" in a label cannot end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
