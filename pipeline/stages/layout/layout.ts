/**
 * The layout of one layer's activations: optional normalization and PCA (a block of rows at a time), k nearest
 * neighbours (exact, or approximate above EXACT_NEIGHBOURS_UP_TO samples), UMAP (umap.ts on typed arrays, or
 * umap-js as the reference; seeded), then the percentile clip and scale to [0, 1]. Bad input — too few samples,
 * NaN or constant activations — stops with one sentence before any of it runs.
 */
import { UMAP } from 'umap-js';
import { UserError } from '../../errors.ts';
import { Random } from '../../random.ts';
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import { approximateKnn } from './approximate-knn.ts';
import { exactKnn, exactKnnWith, normalizeRows, type Metric } from './knn.ts';
import { rowBlocksOf, wholeRows, type RowBlocks } from '../row-blocks.ts';
import { pcaOfBlocks } from './pca.ts';
import { clipAndScale } from './scale.ts';
import { trustworthiness } from './trustworthiness.ts';
import { defaultEpochs, fuzzyGraph, optimizeLayout, optimizeLayoutWith, planLayout, SHARDS } from './umap.ts';

const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));

export interface LayoutParams {
  neighbors: number;
  minDist: number;
  metric: Metric;
  pca: number;
  /** 'auto' (default): exact up to EXACT_NEIGHBOURS_UP_TO samples, approximate above. */
  neighbourSearch?: 'auto' | 'exact' | 'approximate';
  seed: number;
  epochs?: number;
  clipPercentiles: [number, number];
  margin: number;
  /** 2 (default), or 1 for a 1-D layout (returned with y = 0). */
  dimensions?: 1 | 2;
  /** "typed" (default): this project's typed-array UMAP; "umap-js": the reference implementation. */
  implementation?: 'typed' | 'umap-js';
}

/**
 * Where the exact search (O(n²), on the engine) stops paying: at 50,000 samples of 50 dimensions it took as long
 * as NN-descent with 50 neighbours, whose recall@15 there is above 0.99 (bench:scale).
 */
export const EXACT_NEIGHBOURS_UP_TO = 50_000;

export interface LayoutResult {
  /** [n, 2] positions in [0, 1]. */
  points: Float32Array;
  trustworthiness: number;
  neighbourSearch: 'exact' | 'approximate';
  seconds: { pca: number; neighbours: number; umap: number };
  /** The rows the neighbours were searched in, [n, dims] (after normalization and PCA). */
  reduced: Float32Array;
  dims: number;
}

export type LayoutStep = 'pca' | 'neighbours' | 'umap';

/**
 * With a pool, the neighbour search and the optimization's shards run on its workers (same result as without).
 */
export async function layoutActivations(
  data: Float32Array | RowBlocks,
  n: number,
  d: number,
  params: LayoutParams,
  what = 'the layer',
  pool?: WorkerPool,
  onEpoch?: (done: number, total: number) => void,
  onStep?: (finished: LayoutStep, seconds: number) => void,
): Promise<LayoutResult> {
  if (n <= params.neighbors) {
    throw new UserError(`${what}: ${n} samples cannot be laid out with ${params.neighbors} neighbours; use more images or set layout.neighbors below ${n}.`);
  }
  const blocks = data instanceof Float32Array ? rowBlocksOf(data, n, d) : data;
  requireUsableRows(blocks, what);
  let clock = performance.now();
  const tick = () => {
    const now = performance.now();
    const seconds = (now - clock) / 1000;
    clock = now;
    return seconds;
  };
  const cosine = params.metric === 'cosine';
  const reducing = params.pca > 0 && params.pca < d;
  const reduced = reducing ? pcaOfBlocks(blocks, params.pca, cosine) : cosine ? normalizeRows(wholeRows(blocks), n, d) : wholeRows(blocks);
  const dims = reducing ? params.pca : d;
  const pcaSeconds = tick();
  onStep?.('pca', pcaSeconds);
  const search = neighbourSearchFor(params, n);
  const knn =
    search === 'approximate'
      ? await approximateKnn(reduced, n, dims, params.neighbors, params.metric, params.seed, pool)
      : pool
        ? await exactKnnWith(reduced, n, dims, params.neighbors, params.metric, (job) => pool.call(tasks.neighbours, job))
        : exactKnn(reduced, n, dims, params.neighbors, params.metric);
  const neighbourSeconds = tick();
  onStep?.('neighbours', neighbourSeconds);

  const random = new Random(params.seed, 0x4d4150);
  const epochs = params.epochs ?? defaultEpochs(n);
  // The graph is a temporary: only the plan (edges by head, sampling schedule) lives through the optimization.
  const makePlan = () =>
    planLayout(fuzzyGraph(knn.indices, knn.distances, n, params.neighbors), n, { minDist: params.minDist, epochs, random, dimensions: params.dimensions ?? 2 });
  const raw =
    params.implementation === 'umap-js'
      ? umapJs(reduced, n, dims, knn.indices, knn.distances, params, epochs, random)
      : pool
        ? await optimizeLayoutWith(makePlan(), async (plan, epoch) => {
            await Promise.all(Array.from({ length: SHARDS }, (_, shard) => pool.call(tasks.layoutShard, { plan, shard, epoch })));
            onEpoch?.(epoch + 1, epochs);
          })
        : optimizeLayout(makePlan());
  const umapSeconds = tick();
  onStep?.('umap', umapSeconds);

  const points = clipAndScale(raw, params.clipPercentiles, params.margin);
  const sample = Array.from({ length: Math.min(n, 500) }, (_, i) => Math.floor((i * n) / Math.min(n, 500)));
  return {
    points,
    trustworthiness: trustworthiness(reduced, dims, points, Math.min(15, n - 1), params.metric, sample),
    neighbourSearch: search,
    reduced,
    dims,
    seconds: { pca: pcaSeconds, neighbours: neighbourSeconds, umap: umapSeconds },
  };
}

/** NaN or infinite values, or every row the same, stop the layout with one sentence. */
function requireUsableRows(blocks: RowBlocks, what: string): void {
  const d = blocks.depth;
  let first: Float32Array | undefined;
  let constant = true;
  blocks.forEach((_, rows) => {
    first ??= rows.slice(0, d);
    for (let i = 0; i < rows.length; i++) {
      if (!Number.isFinite(rows[i]!)) throw new UserError(`${what}: the activations contain NaN or infinite values; check the model and its preprocessing.`);
      if (constant && rows[i] !== first[i % d]) constant = false;
    }
  });
  if (constant) throw new UserError(`${what}: every sample has the same activation vector, so there is nothing to lay out; choose another layer.`);
}

export function neighbourSearchFor(params: LayoutParams, n: number): 'exact' | 'approximate' {
  if (params.neighbourSearch === 'exact' || params.neighbourSearch === 'approximate') return params.neighbourSearch;
  return n > EXACT_NEIGHBOURS_UP_TO ? 'approximate' : 'exact';
}

/** The reference: umap-js fed the same neighbours. */
function umapJs(
  reduced: Float32Array,
  n: number,
  dims: number,
  indices: Int32Array,
  distances: Float32Array,
  params: LayoutParams,
  epochs: number,
  random: Random,
): Float32Array {
  const umap = new UMAP({ nComponents: 2, nNeighbors: params.neighbors, minDist: params.minDist, nEpochs: epochs, random: () => random.next() });
  const rows = (array: Float32Array | Int32Array) =>
    Array.from({ length: n }, (_, i) => Array.from(array.subarray(i * params.neighbors, (i + 1) * params.neighbors)));
  umap.setPrecomputedKNN(rows(indices), rows(distances));
  const steps = umap.initializeFit(Array.from({ length: n }, (_, i) => Array.from(reduced.subarray(i * dims, (i + 1) * dims))));
  for (let epoch = 0; epoch < steps; epoch++) umap.step();
  const raw = new Float32Array(n * 2);
  umap.getEmbedding().forEach(([x, y], i) => raw.set([x!, y!], i * 2));
  return raw;
}
