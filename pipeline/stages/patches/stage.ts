/**
 * Patch experiments (Distill's "baseball turns a grey whale into a great white shark"): paste a small patch —
 * the centre of an atlas cell's icon, as much of it as the layer's position sees — onto held-out images that the model classifies correctly as `from`, and count how
 * often its prediction turns to `to`; the same with a patch of random noise as the control. Each image gets the
 * patch at a seeded random place, the same place for every patch of a size, so the two differ only in content.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { hashOf } from '../../cache/hash.ts';
import type { CacheStore } from '../../cache/store.ts';
import { datasetImages, defaultField } from '../../datasets/crop.ts';
import { Random } from '../../random.ts';
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import { UserError } from '../../errors.ts';
import { inputSize } from '../../models/preprocess.ts';
import type { Recipe } from '../../recipes/schema.ts';
import { iconTasks, runIcons } from '../../icons/stage.ts';
import { gridKeyFor, gridSizesFor } from '../grid/keys.ts';
import { warmStartParents } from '../../icons/warm-start.ts';
import { layoutKeyFor } from '../layout/keys.ts';
import { planViews } from '../../recipes/plan.ts';
import type { PatchExperimentResult } from '../../published/manifest.ts';

const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));
const BATCH = 64;

export type PatchExperimentSpec = Recipe['patchExperiments'][number];

/** Bump when the experiment's result changes for the same inputs. */
export const PATCHES_VERSION = 2;

interface PatchInput {
  recipe: Recipe & { id: string; file: string };
  spec: PatchExperimentSpec;
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  chunks: string[];
  labels: string[];
  declared: string[];
  modelHash: string;
  /** The atlas folder being written: the patch and an example image are published under patches/<id>/. */
  outDir?: string;
  /** Batches of patched images classified, of all. */
  onProgress?: (done: number, total: number) => void;
}

type PatchKeyInput = Pick<PatchInput, 'recipe' | 'spec' | 'cache' | 'chunks' | 'declared' | 'modelHash'>;

/**
 * The experiment's result, from the cache when nothing it depends on changed (the model, the images and their
 * activations, the cell's grid, the icon settings, the spec); with `outDir`, its images are published there.
 */
export async function runPatchExperiment(trial: PatchInput): Promise<PatchExperimentResult> {
  const key = patchKeyFor(trial);
  const cached = key ? trial.cache.read('patches', key) : undefined;
  let result: PatchExperimentResult;
  let images: Record<string, Buffer>;
  if (cached) {
    result = JSON.parse(cached.file('result.json').toString()) as PatchExperimentResult;
    images = Object.fromEntries(
      Object.keys(cached.meta.files)
        .filter((name) => name.endsWith('.png'))
        .map((name) => [name, cached.file(name)]),
    );
  } else {
    ({ result, images } = await computePatchExperiment(trial));
    if (key) trial.cache.write('patches', key, { 'result.json': JSON.stringify(result), ...images });
  }
  if (!trial.outDir) {
    const { files: _, ...bare } = result;
    return bare;
  }
  const folder = path.join(trial.outDir, 'patches', trial.spec.id);
  mkdirSync(folder, { recursive: true });
  for (const [name, png] of Object.entries(images)) writeFileSync(path.join(folder, name), png);
  return result;
}

/** Whether the next run of this experiment comes from the cache. */
export function patchExperimentCached(trial: PatchKeyInput): boolean {
  const key = patchKeyFor(trial);
  return key !== undefined && trial.cache.read('patches', key) !== undefined;
}

/** The cache key, or undefined when the spec names no view of the recipe (the run then says so). */
function patchKeyFor(trial: PatchKeyInput): string | undefined {
  const view = planViews(trial.recipe).find((v) => v.id === trial.spec.patch.view);
  if (!view) return undefined;
  // Every grid of the view: with warm starts, the icon starts from the cells of the coarser ones.
  const layoutKey = layoutKeyFor({ chunks: trial.chunks, recipe: trial.recipe }, view);
  const grids = gridSizesFor(trial.recipe, view).map((size) => gridKeyFor(trial.recipe, layoutKey, size, trial.declared.length));
  const { recipe } = trial;
  return hashOf(
    'patches',
    PATCHES_VERSION,
    trial.modelHash,
    trial.chunks,
    grids,
    trial.spec.patch.size,
    recipe.data,
    recipe.preprocess,
    recipe.icons,
    trial.spec,
  );
}

async function computePatchExperiment(trial: PatchInput): Promise<{ result: PatchExperimentResult; images: Record<string, Buffer> }> {
  const { recipe, spec } = trial;
  const where = `${path.relative(trial.root, recipe.file)}: patchExperiments "${spec.id}"`;
  const [from, to] = [spec.from, spec.to].map((name) => {
    const label = trial.labels.indexOf(name);
    if (label < 0) throw new UserError(`${where} names class "${name}", which the model does not have.`);
    return label;
  }) as [number, number];

  // The held-out images: those labelled `from` and predicted `from`, in image order.
  const chosen: number[] = [];
  for (const key of trial.chunks) {
    const chunk = trial.cache.read('activations', key)!;
    const ids = new Int32Array(new Uint8Array(chunk.file('ids.i32')).buffer);
    const labels = new Int32Array(new Uint8Array(chunk.file('labels.i32')).buffer);
    const predictions = new Int32Array(new Uint8Array(chunk.file('predictions.i32')).buffer);
    ids.forEach((id, i) => {
      if (chosen.length < spec.images && labels[i] === from && predictions[i] === from) chosen.push(id);
    });
  }
  if (chosen.length === 0) throw new UserError(`${where}: no image of "${spec.from}" is classified correctly, so there is nothing to flip.`);

  const icon = await patchIcon(trial, where);
  const read = datasetImages({ data: recipe.data, preprocess: recipe.preprocess, root: trial.root });
  const [height, width] = inputSize(recipe.preprocess);
  const originals = await Promise.all(chosen.map((image) => read(image)));
  const modelFolder = path.resolve(trial.root, recipe.model);

  const rows: PatchExperimentResult['rows'] = [];
  const batches = spec.sizes.length * 2 * Math.ceil(chosen.length / BATCH);
  let classified = 0;
  // Per size, the first image the icon flipped, with its patched pixels: the published example.
  const firstFlip = new Map<number, { image: number; pixels: Uint8Array }>();
  for (const size of spec.sizes) {
    if (size > Math.min(height, width)) throw new UserError(`${where}: patch size ${size} px is larger than the model's input (${height}×${width} px).`);
    const random = new Random(spec.seed, size);
    const noise = Buffer.from(Uint8Array.from({ length: size * size * 3 }, () => Math.floor(random.next() * 256)));
    const patches = { icon: await sharp(icon).resize(size, size, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer(), 'random noise': noise } as const;
    const places = chosen.map((image) => {
      const r = new Random(spec.seed, size, image);
      return [Math.floor(r.next() * (height - size + 1)), Math.floor(r.next() * (width - size + 1))] as const;
    });
    for (const [name, pixels] of Object.entries(patches) as [keyof typeof patches, Buffer][]) {
      let flipped = 0;
      for (let start = 0; start < chosen.length; start += BATCH) {
        const batch = originals.slice(start, start + BATCH);
        const stacked = new Uint8Array(batch.length * height * width * 3);
        batch.forEach((image, b) => {
          const copy = Uint8Array.from(image.pixels);
          const [top, left] = places[start + b]!;
          for (let y = 0; y < size; y++) copy.set(pixels.subarray(y * size * 3, (y + 1) * size * 3), ((top + y) * width + left) * 3);
          stacked.set(copy, b * height * width * 3);
        });
        const examples = name === 'icon' && !firstFlip.has(size) ? stacked.slice() : undefined;
        const predictions = await trial.pool.call(tasks.predict, { model: modelFolder, preprocess: recipe.preprocess, pixels: stacked }, [stacked.buffer]);
        flipped += predictions.filter((p) => p === to).length;
        const first = predictions.findIndex((p) => p === to);
        if (examples && first >= 0)
          firstFlip.set(size, { image: chosen[start + first]!, pixels: examples.subarray(first * height * width * 3, (first + 1) * height * width * 3) });
        trial.onProgress?.(++classified, batches);
      }
      rows.push({ patch: name, size, flipped, rate: flipped / chosen.length });
    }
  }
  const result: PatchExperimentResult = { id: spec.id, from: spec.from, to: spec.to, images: chosen.length, patch: spec.patch, rows };

  // The published images: the patch, and an example at the smallest size that flips at least half the images
  // (else the largest that flips any), before and after.
  const folder = `patches/${spec.id}`;
  const images: Record<string, Buffer> = { 'patch.png': await sharp(icon).png().toBuffer() };
  const halfway = spec.sizes.find((size) => (rows.find((r) => r.patch === 'icon' && r.size === size)?.rate ?? 0) >= 0.5);
  const size = halfway ?? [...spec.sizes].reverse().find((s) => firstFlip.has(s));
  const flip = size !== undefined ? firstFlip.get(size) : undefined;
  if (!flip) return { result: { ...result, files: { patch: `${folder}/patch.png` } }, images };
  const raw = { raw: { width, height, channels: 3 as const } };
  images['before.png'] = await sharp(Uint8Array.from(originals[chosen.indexOf(flip.image)]!.pixels), raw)
    .png()
    .toBuffer();
  images['after.png'] = await sharp(flip.pixels, raw).png().toBuffer();
  const example = { image: flip.image, size: size!, before: `${folder}/before.png`, after: `${folder}/after.png` };
  return { result: { ...result, files: { patch: `${folder}/patch.png`, example } }, images };
}

/**
 * The feature-visualization icon of the named cell, the one its atlas shows (from the icons cache when the view
 * was built): with warm starts, the cell's chain of coarser ancestors is rendered first, as in the view.
 */
async function patchIcon(trial: PatchInput, where: string): Promise<Buffer> {
  const { recipe, spec } = trial;
  const view = planViews(recipe).find((v) => v.id === spec.patch.view);
  if (!view)
    throw new UserError(
      `${where}: patch.view "${spec.patch.view}" is not a view of this recipe (${planViews(recipe)
        .map((v) => v.id)
        .join(', ')}).`,
    );
  const layoutKey = layoutKeyFor({ chunks: trial.chunks, recipe }, view);
  const sizes = gridSizesFor(recipe, view);
  if (!sizes.includes(spec.patch.size))
    throw new UserError(`${where}: view ${view.id} has no grid of size ${spec.patch.size}; use one of its grid sizes (${sizes.join(', ')}).`);
  const levels = sizes.map((size) => {
    const grid = trial.cache.read('grid', gridKeyFor(recipe, layoutKey, size, trial.declared.length));
    if (!grid) throw new UserError(`${where}: view ${view.id} has no grid of size ${size} yet; build the view first.`);
    const cells = (JSON.parse(grid.file('cells.json').toString()) as { cells: { x: number; y: number }[] }).cells;
    return { size, cells, means: new Float32Array(new Uint8Array(grid.file('means.f32')).buffer) };
  });
  const level = sizes.indexOf(spec.patch.size);
  const index = levels[level]!.cells.findIndex((cell) => cell.x === spec.patch.cell[0] && cell.y === spec.patch.cell[1]);
  if (index < 0)
    throw new UserError(
      `${where}: cell [${spec.patch.cell.join(', ')}] of ${view.id} at size ${spec.patch.size} holds too few samples to have an icon; pick a kept cell.`,
    );
  const depth = levels[0]!.means.length / levels[0]!.cells.length;
  const offsets = levels.map((_, k) => levels.slice(0, k).reduce((sum, l) => sum + l.cells.length, 0));
  const parents = warmStartParents(recipe.icons.warmStart, levels);
  // The cell and the icons its warm start comes from, first first.
  const chain = [offsets[level]! + index];
  while (parents && parents[chain[0]!]! >= 0) chain.unshift(parents[chain[0]!]!);
  const meansOf = (global: number) => {
    let k = 0;
    while (k + 1 < offsets.length && offsets[k + 1]! <= global) k++;
    return levels[k]!.means.subarray((global - offsets[k]!) * depth, (global - offsets[k]! + 1) * depth);
  };
  const directions = new Float32Array(chain.length * depth);
  chain.forEach((global, row) => directions.set(meansOf(global), row * depth));
  const result = await runIcons({
    modelFolder: path.resolve(trial.root, recipe.model),
    modelHash: trial.modelHash,
    layer: view.layer,
    directions,
    depth,
    params: recipe.icons,
    preprocess: recipe.preprocess,
    cache: trial.cache,
    pool: trial.pool,
    parents: Int32Array.from(chain, (_, row) => row - 1),
  });
  // The patch is the part of the icon that the layer's centre position sees (its effective receptive field, as
  // the data-set crops use): the whole icon shrunk to a patch would shrink the feature with it.
  const model = path.resolve(trial.root, recipe.model);
  const probe = await trial.pool.call(iconTasks.probeLayer, { model, layer: view.layer, preprocess: recipe.preprocess });
  // The icon shows the layer `scale` input pixels per icon pixel (icons/tasks.ts): the field in icon pixels.
  const framing = await trial.pool.call(iconTasks.framingSummary, { model, layer: view.layer, iconSize: recipe.icons.size });
  const input = inputSize(recipe.preprocess);
  const size = recipe.icons.size;
  const field = Math.min(size, Math.round(defaultField(input, [probe.shape[1]!, probe.shape[2]!]) / framing.scale));
  const offset = Math.floor((size - field) / 2);
  return sharp(result.icons.at(-1)!).extract({ left: offset, top: offset, width: field, height: field }).png().toBuffer();
}
