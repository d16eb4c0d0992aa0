/**
 * Reads what the pipeline published under <publicDir>/atlases/ (pipeline/stages/render/format.ts) at build time,
 * for the figure components and for the check that every atlas and view an article names exists.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import type { NeuronIndex } from '../stages/neurons/stage.ts';
import type { ManifestViews, ViewIndex } from '../stages/render/format.ts';

export interface PublishedAtlas {
  name: string;
  folder: string;
  views: ManifestViews['views'];
  labels: string[];
  /** The recipe's neuron figures (pipeline/stages/neurons), by id. */
  neurons: Record<string, NeuronIndex>;
  /** The whole manifest, for figures that report its numbers (<Value>, <PatchExperiment>). */
  manifest: Record<string, unknown>;
  view(id: string): ViewIndex;
}

const cache = new Map<string, { stamp: number; atlas: PublishedAtlas }>();

/** The atlases folder of a public folder (relative to the working directory, as Astro's publicDir is). */
export function atlasesDirOf(publicDir: string): string {
  return path.resolve(publicDir, 'atlases');
}

/** The published atlas `name`, or a UserError saying, after `where`, that the pipeline did not produce it. */
export function readPublishedAtlas(atlasesDir: string, name: string, where: string): PublishedAtlas {
  const folder = path.join(atlasesDir, name);
  const manifestFile = path.join(folder, 'manifest.json');
  if (!/^[A-Za-z0-9][\w.-]*$/.test(name) || !existsSync(manifestFile)) {
    throw new UserError(
      `${where}: atlas "${name}" was not produced by the pipeline (no ${path.relative(process.cwd(), manifestFile)}); add content/atlases/${name}.yaml and run npm run build, or fix the name.`,
    );
  }
  const stamp = statSync(manifestFile).mtimeMs;
  const cached = cache.get(folder);
  if (cached && cached.stamp === stamp) return cached.atlas;

  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Partial<ManifestViews> & { labels?: string[]; neurons?: Record<string, NeuronIndex> };
  if (!manifest.views || !Object.keys(manifest.views).length) {
    throw new UserError(`${where}: atlas "${name}" has no rendered views yet (manifest.json lists none); run npm run build to render them.`);
  }
  const views = manifest.views;
  const indexes = new Map<string, ViewIndex>();
  const atlas: PublishedAtlas = {
    name,
    folder,
    views,
    labels: manifest.labels ?? [],
    neurons: manifest.neurons ?? {},
    manifest,
    view(id) {
      const known = indexes.get(id);
      if (known) return known;
      const entry = views[id];
      if (!entry) throw new UserError(`${where}: atlas "${name}" has no view "${id}"; its views are ${Object.keys(views).join(', ')}.`);
      const index = JSON.parse(readFileSync(path.join(folder, entry.path, 'view.json'), 'utf8')) as ViewIndex;
      indexes.set(id, index);
      return index;
    },
  };
  if (!atlas.labels.length) atlas.labels = atlas.view(Object.keys(views)[0]!).labels;
  cache.set(folder, { stamp, atlas });
  return atlas;
}

/** Throws, naming `where`, unless the atlas has view `id`. */
export function requireView(atlas: PublishedAtlas, id: string, where: string, element: string): void {
  if (!atlas.views[id]) {
    throw new UserError(`${where}: <${element} view="${id}"> names a view that atlas "${atlas.name}" does not have; its views are ${Object.keys(atlas.views).join(', ')}.`);
  }
}

/** Throws, naming `where`, unless `label` is one of the atlas's classes. */
export function requireClass(atlas: PublishedAtlas, label: string, where: string, element: string, attribute = 'focus'): void {
  if (!atlas.labels.includes(label)) {
    const some = atlas.labels.slice(0, 12).join(', ');
    throw new UserError(`${where}: <${element} ${attribute}="${label}"> names no class of atlas "${atlas.name}"; its classes are ${some}${atlas.labels.length > 12 ? ', …' : ''}.`);
  }
}
