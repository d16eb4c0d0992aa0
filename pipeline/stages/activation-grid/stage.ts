/**
 * Activation grids (Distill's figure of one image with an icon at every spatial position of a layer): the
 * image's activations and per-position attributions from the worker pool, an icon per position strong enough to
 * draw (feature visualization of its activation vector, through the icons stage and its cache), and the files
 * the <ActivationGrid> component reads (pipeline/published/activation-grid.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { hashOf } from '../../cache/hash.ts';
import type { CacheStore } from '../../cache/store.ts';
import { datasetImages, exampleCropper } from '../../datasets/crop.ts';
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import type { FigureRun } from '../figure-run.ts';
import { UserError } from '../../errors.ts';
import type { Recipe } from '../../recipes/schema.ts';
import type { ActivationGridIndex, ActivationGridPosition } from '../../published/activation-grid.ts';
import { cachedIcons, iconKeys, runIcons, type IconsInput } from '../../icons/stage.ts';
import type { ActivationGridInput, ActivationGridOutput } from './tasks.ts';

const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));
/** Bump whenever the cached forward pass (activations, attributions) can change. */
export const ACTIVATION_GRID_VERSION = 1;
/** Positions whose activation norm is below this share of the image's largest get no icon. */
export const MIN_MAGNITUDE = 0.2;
/** The image is published at least this many pixels wide (small model inputs are enlarged). */
const IMAGE_PIXELS = 384;

export type ActivationGridSpec = Recipe['activationGrids'][number];

export async function runActivationGrid(
  task: FigureRun<ActivationGridSpec> & { labels: string[] },
): Promise<{ id: string; layer: string; title: string; path: string; icons: number; rendered: number } | undefined> {
  const { recipe, spec } = task;
  const modelFolder = path.resolve(task.root, recipe.model);
  const image = await gridImage(task);
  const grid = await gridActivations({ ...task, image });
  const [rows, columns] = grid.shape;
  const { norms, largest, drawn, directions, depth } = drawnPositions(grid, task);

  // Icons: a feature visualization of each drawn position's activation vector (or its data-set crop).
  let icons: Buffer[];
  let rendered = 0;
  if (recipe.icons.mode === 'examples') {
    const crop = exampleCropper({ data: recipe.data, preprocess: recipe.preprocess, root: task.root, layerSize: [rows, columns], size: recipe.icons.size });
    icons = await Promise.all(drawn.map((p) => crop([spec.image, Math.floor(p / columns), p % columns])));
  } else {
    const result = await runIcons({
      ...gridIcons(task, directions, depth),
      modelFolder,
      cache: task.cache,
      pool: task.pool,
      ...(task.only ? { only: task.only } : {}),
      ...(task.onProgress ? { onProgress: task.onProgress } : {}),
    });
    if (!result.complete) return undefined;
    icons = result.icons;
    rendered = result.computed;
  }

  const positions: ActivationGridPosition[] = norms.map((norm, p) => {
    const classes = grid.classes
      .map((label, c) => [label, grid.attributions[p * grid.classes.length + c]!] as [number, number])
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 5);
    return { row: Math.floor(p / columns), column: p % columns, magnitude: norm / largest, icon: drawn.indexOf(p), classes };
  });

  const folder = path.join(task.outDir, 'activation-grids', spec.id);
  mkdirSync(folder, { recursive: true });
  const size = recipe.icons.size;
  const perRow = Math.max(1, Math.min(drawn.length, columns));
  const spriteRows = Math.max(1, Math.ceil(drawn.length / perRow));
  const sprite = await sharp({ create: { width: perRow * size, height: spriteRows * size, channels: 3, background: recipe.render.background } })
    .composite(icons.map((icon, i) => ({ input: icon, left: (i % perRow) * size, top: Math.floor(i / perRow) * size })))
    .jpeg({ quality: recipe.render.quality })
    .toBuffer();
  writeFileSync(path.join(folder, 'icons.jpg'), sprite);
  const scale = Math.max(1, Math.ceil(IMAGE_PIXELS / image.width));
  const picture = await sharp(Buffer.from(image.pixels), { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(image.width * scale, image.height * scale, { kernel: 'lanczos3' })
    .jpeg({ quality: 90 })
    .toBuffer();
  writeFileSync(path.join(folder, 'image.jpg'), picture);

  const title = spec.title ?? `Activation grid of ${spec.layer}`;
  const index: ActivationGridIndex = {
    version: 1,
    atlas: recipe.id,
    id: spec.id,
    layer: spec.layer,
    title,
    image: { file: 'image.jpg', width: image.width * scale, height: image.height * scale, ...(spec.label ? { label: spec.label } : {}) },
    rows,
    columns,
    icons: { file: 'icons.jpg', size, perRow },
    labels: task.labels,
    positions,
    description: describeGrid(positions, rows, columns, task.labels, spec.layer),
  };
  writeFileSync(path.join(folder, 'grid.json'), `${JSON.stringify(index)}\n`);
  return { id: spec.id, layer: spec.layer, title, path: `activation-grids/${spec.id}`, icons: drawn.length, rendered };
}

type GridSource = { recipe: Recipe & { file: string }; spec: ActivationGridSpec; root: string };

/** The figure's image at the model's input size. */
function gridImage(task: GridSource) {
  return datasetImages({ data: task.recipe.data, preprocess: task.recipe.preprocess, root: task.root })(task.spec.image).catch((error: Error) => {
    throw new UserError(
      `${path.relative(task.root, task.recipe.file)}: activationGrids "${task.spec.id}" names image ${task.spec.image}, which cannot be read: ${error.message}`,
    );
  });
}

/** The cache key of the image's forward pass: the model, the layer, the preprocessing and the pixels. */
function activationsKey(task: GridSource & { modelHash: string }, pixels: Uint8Array): string {
  return hashOf('activation-grid', ACTIVATION_GRID_VERSION, task.modelHash, task.spec.layer, task.recipe.preprocess, pixels);
}

function readActivations(cache: CacheStore, key: string): ActivationGridOutput | undefined {
  const entry = cache.read('activation-grid', key);
  if (!entry) return undefined;
  const { shape, classes } = entry.meta.info as Pick<ActivationGridOutput, 'shape' | 'classes'>;
  const floats = (file: string) => new Float32Array(new Uint8Array(entry.file(file)).buffer);
  return { shape, classes, activations: floats('activations.f32'), attributions: floats('attributions.f32') };
}

/** The image's activations and attributions at the layer, from the cache or the worker pool. */
async function gridActivations(
  task: GridSource & { modelHash: string; cache: CacheStore; pool: WorkerPool; image: { pixels: Uint8Array } },
): Promise<ActivationGridOutput> {
  const key = activationsKey(task, task.image.pixels);
  const cached = readActivations(task.cache, key);
  if (cached) return cached;
  const input: ActivationGridInput = {
    model: path.resolve(task.root, task.recipe.model),
    layer: task.spec.layer,
    preprocess: task.recipe.preprocess,
    pixels: task.image.pixels,
  };
  const grid = await task.pool.call(tasks.activationGrid, input);
  const bytes = (array: Float32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  task.cache.write(
    'activation-grid',
    key,
    { 'activations.f32': bytes(grid.activations), 'attributions.f32': bytes(grid.attributions) },
    { shape: grid.shape, classes: grid.classes },
  );
  return grid;
}

/** Each position's activation norm, and the positions strong enough to get an icon, with their directions. */
function drawnPositions(grid: ActivationGridOutput, task: GridSource) {
  const [rows, columns, depth] = grid.shape;
  const norms = Array.from({ length: rows * columns }, (_, p) => {
    let sum = 0;
    for (let j = 0; j < depth; j++) sum += grid.activations[p * depth + j]! ** 2;
    return Math.sqrt(sum);
  });
  const largest = Math.max(...norms);
  if (!(largest > 0))
    throw new UserError(
      `${path.relative(task.root, task.recipe.file)}: activationGrids "${task.spec.id}": every activation of ${task.spec.layer} is zero for image ${task.spec.image}; choose another image or layer.`,
    );
  const drawn = norms.flatMap((norm, p) => (norm / largest >= MIN_MAGNITUDE ? [p] : []));
  const directions = new Float32Array(drawn.length * depth);
  drawn.forEach((p, i) => directions.set(grid.activations.subarray(p * depth, (p + 1) * depth), i * depth));
  return { norms, largest, drawn, directions, depth };
}

/** What the icons stage is asked for: one icon per drawn position, at the spec's steps. */
function gridIcons(task: GridSource & { modelHash: string }, directions: Float32Array, depth: number): Omit<IconsInput, 'modelFolder' | 'cache' | 'pool'> {
  const { recipe, spec } = task;
  return {
    modelHash: task.modelHash,
    layer: spec.layer,
    directions,
    depth,
    params: { ...recipe.icons, steps: spec.steps ?? recipe.icons.steps },
    preprocess: recipe.preprocess,
  };
}

/** Computes and caches the image's forward pass alone (a sharded build's layout phase), so that its icons can be counted. */
export async function cacheGridActivations(task: FigureRun<ActivationGridSpec>): Promise<void> {
  await gridActivations({ ...task, image: await gridImage(task) });
}

/** Whether an activation grid's forward pass and icons are in the cache, without computing them. */
export async function activationGridStatus(
  task: GridSource & { modelHash: string; cache: CacheStore },
): Promise<{ fresh: boolean; why: string; done?: number; total?: number }> {
  const image = await gridImage(task);
  const grid = readActivations(task.cache, activationsKey(task, image.pixels));
  if (!grid) return { fresh: false, why: "to compute: the image's activations, then its icons" };
  const { directions, depth, drawn } = drawnPositions(grid, task);
  if (task.recipe.icons.mode === 'examples') return { fresh: true, why: `activations cached; ${drawn.length} data-set crops, made while publishing` };
  const { keys } = iconKeys(gridIcons(task, directions, depth));
  const cached = cachedIcons(task.cache, keys);
  return {
    fresh: cached === keys.length,
    why: cached === keys.length ? `activations and ${keys.length} icons cached` : `activations cached; ${keys.length - cached} of ${keys.length} icons to draw`,
    done: cached,
    total: keys.length,
  };
}

/** "At mixed4b, the strongest activations (top right, centre) are most attributed to shark; …" */
function describeGrid(positions: ActivationGridPosition[], rows: number, columns: number, labels: string[], layer: string): string {
  const strong = positions.filter((p) => p.icon >= 0 && p.classes.length);
  if (!strong.length) return `No position of ${layer} is active enough to draw.`;
  const votes = new Map<number, { weight: number; where: Set<string> }>();
  const region = (p: ActivationGridPosition) => {
    const vertical = ['top', 'middle', 'bottom'][Math.min(2, Math.floor((3 * p.row) / rows))]!;
    const horizontal = ['left', 'centre', 'right'][Math.min(2, Math.floor((3 * p.column) / columns))]!;
    return vertical === 'middle' ? (horizontal === 'centre' ? 'centre' : horizontal) : `${vertical} ${horizontal}`;
  };
  for (const p of strong) {
    const [label] = p.classes[0]!;
    const vote = votes.get(label) ?? { weight: 0, where: new Set<string>() };
    vote.weight += p.magnitude;
    vote.where.add(region(p));
    votes.set(label, vote);
  }
  const ranked = [...votes].sort((a, b) => b[1].weight - a[1].weight).slice(0, 3);
  return `${strong.length} of ${rows * columns} positions of ${layer} are drawn. ${ranked.map(([label, vote]) => `Positions attributed most to ${labels[label]}: ${[...vote.where].join(', ')}.`).join(' ')}`;
}
