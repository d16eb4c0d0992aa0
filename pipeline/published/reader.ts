/**
 * The one reader of what the pipeline published under <publicDir>/atlases/ (format.ts, manifest.ts,
 * activation-grid.ts), at build time: the remark plugin that checks an article's figures, every figure
 * component and the methods appendix go through it. Each lookup that can miss says so in one sentence, the same
 * wherever it is asked: `asker` names who asked, e.g. 'content/articles/a.mdx:12: <Atlas view="mixed9">'.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import type { ActivationGridIndex } from './activation-grid.ts';
import type { ViewIndex } from './format.ts';
import type { AtlasManifest, NeuronIndex, PatchExperimentResult, ViewEntry } from './manifest.ts';
import { manifestValue } from './manifest-value.ts';

/** The atlases folder of a public folder (relative to the working directory, as Astro's publicDir is). */
export function atlasesDirOf(publicDir: string): string {
  return path.resolve(publicDir, 'atlases');
}

const ATLAS_NAME = /^[A-Za-z0-9][\w.-]*$/;
const cache = new Map<string, { stamp: number; atlas: PublishedAtlas }>();

/** The published atlas `name`, or a UserError saying, after `where`, that the pipeline did not produce it. */
export function readPublishedAtlas(atlasesDir: string, name: string | undefined, where: string): PublishedAtlas {
  if (!name) throw new UserError(`${where} needs an "atlas" attribute naming a recipe in content/atlases/, e.g. atlas="demo".`);
  const folder = path.join(atlasesDir, name);
  const manifestFile = path.join(folder, 'manifest.json');
  if (!ATLAS_NAME.test(name) || !existsSync(manifestFile)) {
    throw new UserError(
      `${where}: atlas "${name}" was not produced by the pipeline (no ${path.relative(process.cwd(), manifestFile)}); add content/atlases/${name}.yaml and run npm run build, or fix the name.`,
    );
  }
  const stamp = statSync(manifestFile).mtimeMs;
  const cached = cache.get(folder);
  if (cached && cached.stamp === stamp) return cached.atlas;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as AtlasManifest;
  if (!manifest.views || !Object.keys(manifest.views).length) {
    throw new UserError(`${where}: atlas "${name}" has no rendered views yet (manifest.json lists none); run npm run build to render them.`);
  }
  const atlas = new PublishedAtlas(name, folder, manifest);
  cache.set(folder, { stamp, atlas });
  return atlas;
}

export class PublishedAtlas {
  private readonly viewIndexes = new Map<string, ViewIndex>();

  constructor(
    readonly name: string,
    /** The atlas's folder on disk. */
    readonly folder: string,
    readonly manifest: AtlasManifest,
  ) {}

  /** The manifest's index of views, by id. */
  get views(): Record<string, ViewEntry> {
    return this.manifest.views;
  }

  /** Class names by label index. */
  get labels(): string[] {
    return this.manifest.labels?.length ? this.manifest.labels : this.view(Object.keys(this.views)[0]!, this.name).labels;
  }

  /** The view's index (view.json). */
  view(id: string, asker: string): ViewIndex {
    const entry = this.views[id];
    if (!entry) throw new UserError(`${asker} names a view that atlas "${this.name}" does not have; its views are ${Object.keys(this.views).join(', ')}.`);
    let index = this.viewIndexes.get(id);
    if (!index) {
      index = JSON.parse(readFileSync(path.join(this.folder, entry.path, 'view.json'), 'utf8')) as ViewIndex;
      this.viewIndexes.set(id, index);
    }
    return index;
  }

  /** The activation grid's index (grid.json), with its folder relative to the atlas. */
  activationGrid(id: string, asker: string): ActivationGridIndex & { path: string } {
    const entry = this.manifest.activationGrids?.[id];
    const file = entry && path.join(this.folder, entry.path, 'grid.json');
    if (!entry || !existsSync(file!)) throw this.missing(asker, 'an activation grid', this.manifest.activationGrids, 'activationGrids');
    return { ...(JSON.parse(readFileSync(file!, 'utf8')) as ActivationGridIndex), path: entry.path };
  }

  neuron(id: string, asker: string): NeuronIndex {
    const neuron = this.manifest.neurons?.[id];
    if (!neuron) throw this.missing(asker, 'a neuron figure', this.manifest.neurons, 'neurons');
    return neuron;
  }

  patchExperiment(id: string, asker: string): PatchExperimentResult {
    const experiment = this.manifest.patchExperiments?.[id];
    if (!experiment) throw this.missing(asker, 'a patch experiment', this.manifest.patchExperiments, 'patchExperiments');
    return experiment;
  }

  /** A number or text the manifest holds, by its path (manifest-value.ts). */
  value(valuePath: string, asker: string): unknown {
    const found = manifestValue(this.manifest, valuePath);
    if ('missing' in found) {
      throw new UserError(
        `${asker}: atlas "${this.name}"'s manifest ${found.missing}; fix the path (see public/atlases/${this.name}/manifest.json) or rebuild the atlas.`,
      );
    }
    return found.value;
  }

  /** Throws unless `label` is one of the atlas's classes. */
  requireClass(label: string, asker: string): void {
    if (this.labels.includes(label)) return;
    const some = this.labels.slice(0, 12).join(', ');
    throw new UserError(`${asker} names no class of atlas "${this.name}"; its classes are ${some}${this.labels.length > 12 ? ', …' : ''}.`);
  }

  private missing(asker: string, what: string, known: Record<string, unknown> | undefined, field: string): UserError {
    const ids = Object.keys(known ?? {});
    return new UserError(
      `${asker} names ${what} that atlas "${this.name}" does not have; ${ids.length ? `it has ${ids.join(', ')}` : `add it to the recipe's ${field} list`}.`,
    );
  }
}
