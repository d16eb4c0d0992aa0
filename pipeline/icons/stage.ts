/**
 * The icons stage (optimize mode): one feature-visualization icon per direction — a grid cell's mean
 * activation — as a PNG. Each icon is a cache artifact keyed by the model, layer, direction, parameters and
 * seed, so adding a grid level or rerunning after an interruption renders only the icons that are missing;
 * icons are written as their batch finishes. Batches are cut from the missing icons in order and each icon's
 * seed comes from its direction, so results depend on neither the worker count nor the batch an icon was in.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { UserError } from '../errors.ts';
import { hashOf } from '../cache/hash.ts';
import type { CacheStore } from '../cache/store.ts';
import { tasksOf, type WorkerPool } from '../engine/pool.ts';
import { inputSize, type Preprocess } from '../models/preprocess.ts';
import { whiten } from '../featurevis/objectives.ts';
import { iconSettings, warmSettings, type IconParams } from './settings.ts';
import type { IconBatchInput } from './tasks.ts';

/** Bump when icons would come out different for the same inputs, so old ones are not reused. */
export const ICONS_VERSION = 2;
/** The icon tasks the worker pool runs (tasks.ts); figures outside the atlas views use them too. */
export const iconTasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));
const STAGE = 'icons';
const FILE = 'icon.png';

export interface IconsInput {
  modelFolder: string;
  /** The model's identity (hash of its files), part of every icon's key. */
  modelHash: string;
  layer: string;
  /** [n, depth] directions, one icon each. */
  directions: Float32Array;
  depth: number;
  params: IconParams;
  preprocess: Preprocess;
  cache: CacheStore;
  pool: WorkerPool;
  /** The layer's activation second moment E[a·aᵀ] [depth, depth]; needed when params.whiten is set. */
  secondMoment?: Float32Array;
  onProgress?: (done: number, total: number) => void;
  /**
   * With icons.warmStart "similar" or "parent": per icon, the index of the icon it starts from, which comes
   * before it (−1: from noise). Its steps are icons.warmStartSteps.
   */
  parents?: Int32Array;
  /** Told once per build what made icons slower or framed differently (an op without a fast kernel, …). */
  onNotice?: (line: string) => void;
  /**
   * Render only the missing icons of the families this says yes to, by the key of the family's root (the icon
   * from noise that the others start from): a shard's share. The others stay missing in the result.
   */
  only?: (rootKey: string) => boolean;
}

/** Notices already given in this process: each is said once per build, not once per batch. */
const noticed = new Set<string>();

export interface IconsResult {
  /** One PNG per direction, params.size pixels square, in the order of the directions (undefined: left to another shard). */
  icons: Buffer[];
  /** Whether every icon is there (false only when `only` left some to another shard). */
  complete: boolean;
  /** Icons rendered by this run (the rest came from the cache). */
  computed: number;
  seconds: number;
}

export async function runIcons(request: IconsInput): Promise<IconsResult> {
  const started = performance.now();
  const { params, depth, layer } = request;
  if (params.mode !== 'optimize') throw new Error(`runIcons renders icons.mode "optimize"; "${params.mode}" icons are made elsewhere.`);
  const count = request.directions.length / depth;
  if (!Number.isInteger(count)) throw new Error(`runIcons: ${request.directions.length} direction values are not a whole number of ${depth}-vectors.`);
  checkSize(params.size, request.preprocess);
  checkDirections(request.directions, depth, layer);
  if (params.whiten && !request.secondMoment) throw new Error("runIcons: icons.whiten needs the layer's activation second moment (secondMoment).");

  // The directions the icons optimize; the keys hash the unwhitened ones plus whatever whitening used.
  const targets = params.whiten ? whiten(request.directions, depth, request.secondMoment!) : request.directions;
  const { keys, directionHashes, parents } = iconKeys(request);

  const icons: (Buffer | undefined)[] = keys.map((key) => readIcon(request.cache, key));
  const rootOf = (index: number): number => (parents[index]! < 0 ? index : rootOf(parents[index]!));
  const missing = icons.flatMap((icon, index) => (icon || (request.only && !request.only(keys[rootOf(index)]!)) ? [] : [index]));
  const leftOver = icons.filter((icon) => !icon).length - missing.length;
  let done = count - missing.length - leftOver;
  request.onProgress?.(done, count - leftOver);
  if (missing.length > 0) {
    await checkLayer(request);
    // Waves: an icon is rendered once the icon it starts from exists, so a child whose parent is missing too
    // waits one wave. Within a wave, warm starts and starts from noise run in batches of their own.
    const wave = new Int32Array(count);
    for (const index of missing) wave[index] = parents[index]! >= 0 && !icons[parents[index]!] ? wave[parents[index]!]! + 1 : 0;
    const waves = missing.reduce((most, index) => Math.max(most, wave[index]!), 0) + 1;
    for (let current = 0; current < waves; current++) {
      const batches: number[][] = [];
      for (const warm of [false, true]) {
        const members = missing.filter((index) => wave[index] === current && parents[index]! >= 0 === warm);
        const size = balancedBatch(members.length, params.batch, request.pool.size);
        for (let start = 0; start < members.length; start += size) batches.push(members.slice(start, start + size));
      }
      await renderBatches(batches);
    }
  }

  async function renderBatches(batches: number[][]): Promise<void> {
    // As many batches in flight as there are workers; after a failure no new batch starts, so an interrupted
    // run leaves only whole icons behind and the rerun renders the rest.
    let failed = false;
    const renderBatch = async (batch: number[]) => {
      const directions = new Float32Array(batch.length * depth);
      batch.forEach((index, row) => directions.set(targets.subarray(index * depth, (index + 1) * depth), row * depth));
      const warm = parents[batch[0]!]! >= 0;
      const starts = warm ? await Promise.all(batch.map((index) => sharp(icons[parents[index]!]!).removeAlpha().raw().toBuffer())) : undefined;
      const input: IconBatchInput = {
        model: request.modelFolder,
        layer,
        preprocess: request.preprocess,
        directions,
        depth,
        // The icon's own seed: from its direction and the recipe's seed, never from its place in a batch.
        seeds: batch.map((index) => Number.parseInt(hashOf(directionHashes[index]!, params.seed).slice(0, 8), 16)),
        settings: warm ? warmSettings(params) : iconSettings(params),
        ...(starts ? { starts: starts.map((bytes) => new Uint8Array(bytes)) } : {}),
      };
      const output = await request.pool.call(iconTasks.renderIconBatch, input, [directions.buffer]);
      for (const notice of output.notices) {
        if (noticed.has(notice)) continue;
        noticed.add(notice);
        request.onNotice?.(notice);
      }
      const perIcon = params.size * params.size * 3;
      for (const [row, index] of batch.entries()) {
        const png = await encodePng(output.pixels.subarray(row * perIcon, (row + 1) * perIcon), params.size);
        // The family's root key: which shard an icon belongs to (atlas cache export --shard).
        request.cache.write(STAGE, keys[index]!, { [FILE]: png }, { layer, objective: output.objectives[row], root: keys[rootOf(index)] });
        icons[index] = png;
      }
      done += batch.length;
      request.onProgress?.(done, count - leftOver);
    };
    let next = 0;
    const lane = async () => {
      while (!failed && next < batches.length) {
        const batch = batches[next++]!;
        try {
          await renderBatch(batch);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(request.pool.size, batches.length) }, lane));
  }
  return { icons: icons as Buffer[], complete: leftOver === 0, computed: missing.length, seconds: (performance.now() - started) / 1000 };
}

/**
 * The batch size that gives every worker the same share of `count` icons: at most `batch`, in a number of
 * batches that is a multiple of the worker count. Cutting 23 icons into 16 + 7 would leave one of two workers
 * idle for more than half the time; 12 + 11 does not. An icon's pixels do not depend on its batch.
 */
export function balancedBatch(count: number, batch: number, workers: number): number {
  if (count <= 0) return batch;
  const lanes = Math.max(1, workers);
  const batches = Math.ceil(Math.ceil(count / batch) / lanes) * lanes;
  return Math.max(1, Math.ceil(count / batches));
}

/**
 * Each icon's cache key, from the model, layer, parameters, seed and its direction (and whitening, if used). A
 * warm-started icon's key also holds its parent's key, so it changes whenever the icon it starts from does.
 */
export function iconKeys(request: Pick<IconsInput, 'modelHash' | 'layer' | 'directions' | 'depth' | 'params' | 'preprocess' | 'secondMoment' | 'parents'>): {
  keys: string[];
  directionHashes: string[];
  parents: Int32Array;
} {
  const { params, depth } = request;
  const count = request.directions.length / depth;
  const base = hashOf(
    STAGE,
    ICONS_VERSION,
    request.modelHash,
    request.layer,
    request.preprocess,
    iconSettings(params),
    params.seed,
    params.whiten ? hashOf(bytes(request.secondMoment!)) : 'plain',
  );
  const directionHashes = Array.from({ length: count }, (_, i) => hashOf(bytes(request.directions.subarray(i * depth, (i + 1) * depth))));
  const parents = params.warmStart !== 'none' && request.parents ? request.parents : new Int32Array(count).fill(-1);
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const parent = parents[i]!;
    if (parent >= i) throw new Error(`runIcons: icon ${i} starts from icon ${parent}, which does not come before it.`);
    keys.push(parent < 0 ? hashOf(base, directionHashes[i]!) : hashOf(base, directionHashes[i]!, 'warm', warmSettings(params), keys[parent]!));
  }
  return { keys, directionHashes, parents };
}

/** A cached icon's PNG (undefined when missing or damaged). */
export function readIcon(cache: CacheStore, key: string): Buffer | undefined {
  return cache.read(STAGE, key)?.file(FILE);
}

/** How many of these icons are in the cache. */
export function cachedIcons(cache: CacheStore, keys: string[]): number {
  return keys.filter((key) => existsSync(path.join(cache.folder(STAGE, key), 'meta.json'))).length;
}

const bytes = (array: Float32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** PNG bytes that depend only on the pixels (fixed compression settings). */
function encodePng(pixels: Uint8Array, size: number): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 3 } })
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

function checkSize(size: number, preprocess: Preprocess): void {
  const [height, width] = inputSize(preprocess);
  if (size > Math.min(height, width)) {
    throw new UserError(
      `icons.size is ${size} px, larger than the model's input (${height}×${width} px, preprocess.size); set icons.size to at most ${Math.min(height, width)}.`,
    );
  }
}

function checkDirections(directions: Float32Array, depth: number, layer: string): void {
  const count = directions.length / depth;
  for (let i = 0; i < count; i++) {
    const vector = directions.subarray(i * depth, (i + 1) * depth);
    if (vector.some((v) => !Number.isFinite(v))) {
      throw new UserError(
        `icons of layer "${layer}": direction ${i + 1} of ${count} contains NaN or infinite values; recompute the layer's activations (atlas clean, then build).`,
      );
    }
    if (vector.every((v) => v === 0)) {
      throw new UserError(
        `icons of layer "${layer}": direction ${i + 1} of ${count} is all zeros, so there is nothing to visualize; a cell whose mean activation is zero cannot have an icon.`,
      );
    }
  }
}

/** The layer must exist and have height and width (the objective is taken at its centre position). */
async function checkLayer(request: IconsInput): Promise<void> {
  const probe = await request.pool.call(iconTasks.probeLayer, { model: request.modelFolder, layer: request.layer, preprocess: request.preprocess });
  if (probe.shape.length !== 4) {
    throw new UserError(
      `layer "${request.layer}" has no spatial extent (output shape [${probe.shape.join(', ')}]), so it cannot have feature-visualization icons; choose a convolutional layer or set icons.mode to "examples".`,
    );
  }
  if (probe.shape[3] !== request.depth)
    throw new Error(`runIcons: directions have ${request.depth} values but layer "${request.layer}" has ${probe.shape[3]} channels.`);
  if (probe.fixedInput && request.params.size > Math.min(...probe.fixedInput)) {
    throw new UserError(
      `icons.size is ${request.params.size} px, larger than the model's input (${probe.fixedInput.join('×')} px); set icons.size to at most ${Math.min(...probe.fixedInput)}.`,
    );
  }
}
