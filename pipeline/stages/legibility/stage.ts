/**
 * Legibility: can an independently trained network name what an icon shows? A judge model (trained apart from
 * the atlas's model, with the same classes) classifies every icon of a grid level; the score is the share of
 * cells whose icon it assigns to the cell's top attributed class. Features that transfer to another network are
 * features, not adversarial noise. Two references put the number in context: seeded random-noise images, and
 * icons of the same cells optimized for only `referenceSteps` steps from noise.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { hashOf } from '../../cache/hash.ts';
import type { CacheStore } from '../../cache/store.ts';
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import { UserError } from '../../errors.ts';
import { Random } from '../../random.ts';
import type { Preprocess } from '../../models/preprocess.ts';
import type { Recipe } from '../../recipes/schema.ts';
import { modelHash } from '../../models/identity.ts';
import { readModelLabels } from '../../models/labels.ts';
import { runIcons } from '../../icons/stage.ts';
import type { CellRecord } from '../../published/format.ts';
import type { LegibilityScore } from '../../published/manifest.ts';

/** Bump when the scores could come out different for the same icons and judge. */
export const LEGIBILITY_VERSION = 1;
const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));
/** Images per judge call. */
const BATCH = 64;

export type LegibilityParams = NonNullable<Recipe['legibility']>;

export interface LegibilityInput {
  params: LegibilityParams;
  recipe: Recipe & { file: string };
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  /** The atlas model's classes, in output order (a cell's classes index them). */
  labels: string[];
  modelFolder: string;
  modelHash: string;
  layer: string;
  depth: number;
  preprocess: Preprocess;
  size: number;
  cells: CellRecord[];
  /** [cells, depth] mean activations, the icons' directions. */
  means: Float32Array;
  /** The level's icons (PNG), in the order of `cells`. */
  icons: Buffer[];
  secondMoment?: Float32Array;
  /** Progress of the reference icons. */
  onProgress?: (done: number, total: number) => void;
}

/** The judge's folder, checked: it exists and knows every class of the atlas's model. */
export function judgeOf(params: LegibilityParams, recipe: Recipe & { file: string }, root: string, labels: string[]): { folder: string; labels: string[] } {
  const folder = path.resolve(root, params.judge);
  const where = `${path.relative(root, recipe.file)}: field "legibility.judge"`;
  if (!existsSync(path.join(folder, 'model.json'))) {
    throw new UserError(`${where} names ${params.judge}, which has no model.json; give the folder of a second model trained on the same classes.`);
  }
  const judgeLabels = readModelLabels(folder, `${where} (${params.judge})`);
  const missing = labels.filter((label) => !judgeLabels.includes(label));
  if (missing.length) {
    throw new UserError(
      `${where}: the judge ${params.judge} lacks the classes ${missing.join(', ')} of the atlas's model; train the judge on the same classes (its labels.json lists ${judgeLabels.slice(0, 8).join(', ')}${judgeLabels.length > 8 ? ', …' : ''}).`,
    );
  }
  return { folder, labels: judgeLabels };
}

export async function runLegibility(request: LegibilityInput): Promise<LegibilityScore> {
  const judge = judgeOf(request.params, request.recipe, request.root, request.labels);
  const referenceParams = { ...request.recipe.icons, steps: request.params.referenceSteps, warmStart: 'none' as const };
  const reference = await runIcons({
    modelFolder: request.modelFolder,
    modelHash: request.modelHash,
    layer: request.layer,
    directions: request.means,
    depth: request.depth,
    params: referenceParams,
    preprocess: request.preprocess,
    cache: request.cache,
    pool: request.pool,
    ...(request.secondMoment ? { secondMoment: request.secondMoment } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  const targets = request.cells.map((cell) => (cell.classes.length ? request.labels[cell.classes[0]![0]]! : undefined));
  const key = hashOf(
    'legibility',
    LEGIBILITY_VERSION,
    modelHash(judge.folder),
    judge.labels,
    request.preprocess,
    request.params.seed,
    request.params.referenceSteps,
    targets,
    hashOf(...request.icons),
    hashOf(...reference.icons),
  );
  const cached = request.cache.read('legibility', key);
  if (cached) return JSON.parse(cached.file('score.json').toString()) as LegibilityScore;

  const noise = await Promise.all(request.cells.map((cell, index) => noiseImage(request.recipe.icons.size, request.params.seed, request.size, index)));
  const [iconClasses, noiseClasses, referenceClasses] = await Promise.all(
    [request.icons, noise, reference.icons].map((images) => classify(request.pool, judge.folder, request.preprocess, images)),
  );
  const scored = targets.flatMap((target, index) => (target === undefined ? [] : [index]));
  const share = (classes: Int32Array) =>
    scored.length ? scored.filter((index) => judge.labels[classes[index]!] === targets[index]).length / scored.length : 0;
  const score: LegibilityScore = {
    size: request.size,
    cells: scored.length,
    icons: share(iconClasses!),
    noise: share(noiseClasses!),
    reference: share(referenceClasses!),
    referenceSteps: request.params.referenceSteps,
  };
  request.cache.write('legibility', key, { 'score.json': JSON.stringify(score) }, { judge: request.params.judge, layer: request.layer });
  return score;
}

async function classify(pool: WorkerPool, model: string, preprocess: Preprocess, images: Buffer[]): Promise<Int32Array> {
  const batches: Buffer[][] = [];
  for (let start = 0; start < images.length; start += BATCH) batches.push(images.slice(start, start + BATCH));
  const results = await Promise.all(
    batches.map((batch) => pool.call(tasks.classifyImages, { model, preprocess, images: batch.map((b) => new Uint8Array(b)) })),
  );
  const out = new Int32Array(images.length);
  results.forEach((classes, i) => out.set(classes, i * BATCH));
  return out;
}

/** Uniform RGB noise, seeded by the recipe's seed and the cell's place, as a PNG. */
function noiseImage(side: number, seed: number, size: number, index: number): Promise<Buffer> {
  const random = new Random(seed, size, index, 0x4e4f4953);
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(random.next() * 256);
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
}
