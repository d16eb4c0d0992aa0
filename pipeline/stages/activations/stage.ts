/**
 * The activations stage: the recipe's images, in chunks across the worker pool, to sampled activation vectors
 * and attributions per layer. Each chunk is a cache artifact keyed by everything it depends on, so a rerun
 * computes only missing chunks — after an interruption, after adding images, after changing one layer.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { declaredClasses, layerName } from '../../recipes/plan.ts';
import { UserError } from '../../errors.ts';
import { isDiskFull } from '../../cache/disk-full.ts';
import { hashOf } from '../../cache/hash.ts';
import type { CacheStore } from '../../cache/store.ts';
import { FileDigests } from '../../cache/file-digests.ts';
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import { listFolder, listManifest, type Skipped } from '../../datasets/sources.ts';
import { requireUsable } from '../../datasets/decode.ts';
import { duplicatesIn, readLabelsFile, requireDistinct } from '../../models/labels.ts';
import { modelHash } from '../../models/identity.ts';
import { relativeSkipped, unknownLabelsOf, writeDataReport, type UnknownLabel } from '../../datasets/report.ts';
import { CLASS_NAMES } from '../../datasets/synthetic/world.ts';
import type { Recipe, RecipeLayer } from '../../recipes/schema.ts';
import type { ChunkImages, ChunkInput, ChunkOutput } from './tasks.ts';

/** Bump when the stage computes something different, so old chunks are not reused. */
export const ACTIVATIONS_VERSION = 2;
export const CHUNK_IMAGES = 256;
const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));

export interface ActivationsResult {
  /** Cache keys of the chunks, in image order. */
  chunks: string[];
  computed: number;
  reused: number;
  /** Chunks neither cached nor computed (another shard's). */
  missing: number;
  labels: string[];
  /** Images left out, with paths relative to the data folder. */
  skipped: Skipped[];
  /** Image labels that name no class of the model. */
  unknownLabels: UnknownLabel[];
  /** Classes whose exact attribution every sample carries ([n, declared.length] per layer), in that order. */
  declared: string[];
  /** The model's identity (hash of its files). */
  modelHash: string;
}

/** What the stage would compute for a recipe: its options, and the cache key of each chunk of images. */
function plan(recipe: Recipe & { file: string }, root: string, cache: CacheStore) {
  const modelFolder = path.resolve(root, recipe.model);
  const labels = readLabels(recipe, root, modelFolder);
  const declared = declaredClasses(recipe).map(({ name, field }) => {
    requireDistinct(name, duplicatesIn(labels), `${path.relative(root, recipe.file)}: field "${field}"`);
    const index = labels.indexOf(name);
    if (index < 0)
      throw new UserError(
        `${path.relative(root, recipe.file)}: field "${field}" names "${name}", which is not a class of the model (${labels.slice(0, 8).join(', ')}${labels.length > 8 ? ', …' : ''}).`,
      );
    return index;
  });
  const sampleOptions = {
    layers: recipe.layers.map(layerName),
    positionsPerImage: recipe.sampling.positionsPerImage,
    seed: recipe.sampling.seed,
    topK: recipe.attribution.topK,
    declared,
    classCount: labels.length,
  };
  const { chunks, listed, unknownLabels } = planChunks(recipe, root, labels);
  const model = modelHash(modelFolder);
  const base = hashOf('activations', ACTIVATIONS_VERSION, model, recipe.preprocess, sampleOptions);
  const digests = new FileDigests(path.join(cache.root, 'file-digests', 'memo.json'));
  const keys = chunks.map((images) => hashOf(base, chunkIdentity(images, dataFolder(recipe, root), digests)));
  digests.save();
  return { modelFolder, modelHash: model, labels, sampleOptions, chunks, keys, listed, unknownLabels };
}

export async function runActivations(options: {
  recipe: Recipe & { file: string };
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  onChunk?: (done: number, total: number) => void;
  /** Compute only the missing chunks this says yes to (a shard's); the rest are left for others. */
  only?: (key: string) => boolean;
}): Promise<ActivationsResult> {
  const { recipe, root, cache, pool } = options;
  const { modelFolder, modelHash: model, labels, sampleOptions, chunks, keys, listed, unknownLabels } = plan(recipe, root, cache);
  const folder = recipe.data.synthetic ? root : dataFolder(recipe, root);
  let done = 0;
  let computed = 0;
  let missing = 0;
  // Paths relative to the data folder, in the cache too: its entries are keyed by content, not by where it lies.
  const skipped: Skipped[] = relativeSkipped(listed, folder);
  await Promise.all(
    chunks.map(async (images, i) => {
      const existing = cache.read('activations', keys[i]!);
      if (!existing && options.only && !options.only(keys[i]!)) {
        missing++;
      } else if (!existing) {
        const input: ChunkInput = { model: modelFolder, preprocess: recipe.preprocess, options: sampleOptions, images, batch: 32 };
        const output = await pool.call(tasks.activationsChunk, input);
        const chunkSkipped = relativeSkipped(output.skipped, folder);
        const files = chunkFiles(output);
        try {
          cache.write('activations', keys[i]!, files, { images: output.ids.length, skipped: chunkSkipped });
        } catch (error) {
          if (!isDiskFull(error)) throw error;
          throw diskFullForChunks(cache, files, chunks.length - done, chunks.length);
        }
        skipped.push(...chunkSkipped);
        computed++;
      } else {
        skipped.push(...relativeSkipped((existing.meta.info as { skipped?: Skipped[] })?.skipped ?? [], folder));
      }
      // (Counted outside the optional call: `f?.(++x)` does not evaluate its argument when f is undefined.)
      done++;
      options.onChunk?.(done, chunks.length);
    }),
  );
  // Another shard's chunks are still to come: the usable count is known only once all are there.
  const declared = sampleOptions.declared.map((index) => labels[index]!);
  if (missing) return { chunks: keys, computed, reused: keys.length - computed - missing, missing, labels, skipped, unknownLabels, declared, modelHash: model };
  const total = chunks.reduce((n, images) => n + (images.kind === 'synthetic' ? images.indices.length : images.files.length), 0);
  const decodeSkipped = skipped.length - listed.length;
  const usable = total - decodeSkipped;
  const needed = Math.max(recipe.layout.neighbors + 1, 2);
  // Stopping for want of images: the report that says which were left out is written first, where the user can read it.
  const report =
    usable < needed && skipped.length
      ? path.join(cache.root, 'reports', path.basename(recipe.file).replace(/\.(ya?ml|json)$/, ''), 'data-report.json')
      : undefined;
  if (report) writeDataReport(report, { skipped, unknownLabels });
  requireUsable(
    recipe.data.folder ?? recipe.data.manifest ?? 'synthetic world',
    usable,
    skipped.length,
    needed,
    `a layout with ${recipe.layout.neighbors} neighbours`,
    report && path.relative(root, report),
  );
  return { chunks: keys, computed, reused: keys.length - computed, missing: 0, labels, skipped, unknownLabels, declared, modelHash: model };
}

/** A full disk, as one sentence: which folder, how much more the chunks still to write need. */
function diskFullForChunks(cache: CacheStore, files: Record<string, Uint8Array>, left: number, total: number): UserError {
  const perChunk = Object.values(files).reduce((sum, bytes) => sum + bytes.byteLength, 0);
  const needed = perChunk * left;
  return new UserError(
    `the disk holding ${path.join(cache.root, 'activations')} is full: the ${left} of ${total} activation chunks still to write need about ${needed >= 1e9 ? `${(needed / 1e9).toFixed(1)} GB` : `${Math.ceil(needed / 1e6)} MB`} more (${(perChunk / 1e6).toFixed(1)} MB each); free that much there or set ATLAS_CACHE_DIR to a folder on a larger disk, and run the build again (the chunks already written are kept).`,
  );
}

/** How many of the recipe's activation chunks are already in the cache. */
export function activationsStatus(recipe: Recipe & { file: string }, root: string, cache: CacheStore) {
  const { keys, labels, sampleOptions, modelHash: model } = plan(recipe, root, cache);
  return {
    cached: keys.filter((key) => existsSync(path.join(cache.folder('activations', key), 'meta.json'))).length,
    total: keys.length,
    chunks: keys,
    labels,
    declared: sampleOptions.declared.map((index) => labels[index]!),
    modelHash: model,
  };
}

function readLabels(recipe: Recipe & { file: string }, root: string, modelFolder: string): string[] {
  const file = recipe.labels ? path.resolve(root, recipe.labels) : path.join(modelFolder, 'labels.json');
  if (!existsSync(file)) {
    if (recipe.data.synthetic) return CLASS_NAMES;
    throw new UserError(
      `${path.relative(root, recipe.file)}: the model has no labels.json; add one (a JSON list of class names in output order) or set "labels".`,
    );
  }
  return readLabelsFile(file, root);
}

/** The recipe's images, cut into chunks of CHUNK_IMAGES in a fixed order. */
function planChunks(
  recipe: Recipe & { file: string },
  root: string,
  labels: string[],
): { chunks: ChunkImages[]; listed: Skipped[]; unknownLabels: UnknownLabel[] } {
  const chunks: ChunkImages[] = [];
  if (recipe.data.synthetic) {
    const { seed, split } = recipe.data.synthetic;
    for (let start = 0; start < recipe.data.count; start += CHUNK_IMAGES) {
      chunks.push({ kind: 'synthetic', seed, split, indices: Array.from({ length: Math.min(CHUNK_IMAGES, recipe.data.count - start) }, (_, i) => start + i) });
    }
    return { chunks, listed: [], unknownLabels: [] };
  }
  const folder = dataFolder(recipe, root);
  const listing = recipe.data.manifest ? listManifest(path.resolve(root, recipe.data.manifest), folder) : listFolder(folder);
  const used = listing.entries.slice(0, recipe.data.count);
  const duplicates = duplicatesIn(labels);
  for (const entry of used) {
    requireDistinct(entry.label, duplicates, recipe.data.manifest ?? `${path.relative(root, path.join(folder, entry.label))}/`);
  }
  const entries = used.map((entry) => ({ file: entry.file, label: labels.indexOf(entry.label) }));
  for (let start = 0; start < entries.length; start += CHUNK_IMAGES) chunks.push({ kind: 'files', start, files: entries.slice(start, start + CHUNK_IMAGES) });
  return { chunks, listed: listing.skipped, unknownLabels: unknownLabelsOf(used, labels, folder) };
}

/** The folder a recipe's image paths are relative to: data.folder, or the manifest's folder. */
function dataFolder(recipe: Recipe, root: string): string {
  return path.resolve(root, recipe.data.folder ?? path.dirname(recipe.data.manifest ?? '.'));
}

/**
 * What a chunk's images are, by content only: generator coordinates, or each file's path relative to the data
 * folder (with / separators), its label and the SHA-256 of its bytes. A moved, re-cloned or touched project has
 * the same chunks; an edited image makes its chunk new.
 */
function chunkIdentity(images: ChunkImages, folder: string, digests: FileDigests): unknown {
  if (images.kind === 'synthetic') return images;
  return images.files.map(({ file, label }) => [path.relative(folder, file).split(path.sep).join('/'), label, digests.digest(file)]);
}

function chunkFiles(output: ChunkOutput): Record<string, Uint8Array> {
  const bytes = (array: Float32Array | Int32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const files: Record<string, Uint8Array> = {
    'ids.i32': bytes(output.ids),
    'labels.i32': bytes(output.labels),
    'predictions.i32': bytes(output.predictions),
  };
  for (const [layer, samples] of Object.entries(output.layers)) {
    const name = layer.replace(/[^\w.-]+/g, '_');
    files[`${name}.activations.f32`] = bytes(samples.activations);
    files[`${name}.origins.i32`] = bytes(samples.origins);
    files[`${name}.top-classes.i32`] = bytes(samples.topClasses);
    files[`${name}.top-values.f32`] = bytes(samples.topValues);
    files[`${name}.declared.f32`] = bytes(samples.declared);
  }
  return files;
}
