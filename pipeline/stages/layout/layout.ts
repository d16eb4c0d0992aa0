/**
 * The layout of one layer's activations: optional normalization and PCA, exact k nearest neighbours, UMAP
 * (umap.ts on typed arrays, or umap-js as the reference; seeded), then the percentile clip and scale to [0, 1]. Bad input —
 * too few samples, NaN or constant activations — stops with one sentence before any of it runs.
 */
import { UMAP } from 'umap-js';
import { UserError } from '../../errors.ts';
import { Random } from '../../random.ts';
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import { exactKnn, exactKnnWith, normalizeRows, type Metric } from './knn.ts';
import { pca } from './pca.ts';
import { clipAndScale } from './scale.ts';
import { trustworthiness } from './trustworthiness.ts';
import { defaultEpochs, fuzzyGraph, optimizeLayout, optimizeLayoutWith, SHARDS } from './umap.ts';

const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));

export interface LayoutParams {
  neighbors: number;
  minDist: number;
  metric: Metric;
  pca: number;
  seed: number;
  epochs?: number;
  clipPercentiles: [number, number];
  margin: number;
  /** 2 (default), or 1 for a 1-D layout (returned with y = 0). */
  dimensions?: 1 | 2;
  /** "typed" (default): this project's typed-array UMAP; "umap-js": the reference implementation. */
  implementation?: 'typed' | 'umap-js';
}

export interface LayoutResult {
  /** [n, 2] positions in [0, 1]. */
  points: Float32Array;
  trustworthiness: number;
  seconds: { pca: number; neighbours: number; umap: number };
}

/**
 * With a pool, the neighbour search and the optimization's shards run on its workers (same result as without).
 */
export async function layoutActivations(
  data: Float32Array,
  n: number,
  d: number,
  params: LayoutParams,
  what = 'the layer',
  pool?: WorkerPool,
  onEpoch?: (done: number, total: number) => void,
): Promise<LayoutResult> {
  if (n <= params.neighbors) {
    throw new UserError(`${what}: ${n} samples cannot be laid out with ${params.neighbors} neighbours; use more images or set layout.neighbors below ${n}.`);
  }
  let constant = true;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new UserError(`${what}: the activations contain NaN or infinite values; check the model and its preprocessing.`);
    if (constant && data[i] !== data[i % d]) constant = false;
  }
  if (constant) throw new UserError(`${what}: every sample has the same activation vector, so there is nothing to lay out; choose another layer.`);

  let clock = performance.now();
  const tick = () => {
    const now = performance.now();
    const seconds = (now - clock) / 1000;
    clock = now;
    return seconds;
  };
  const prepared = params.metric === 'cosine' ? normalizeRows(data, n, d) : data;
  const reduced = params.pca > 0 && params.pca < d ? pca(prepared, n, d, params.pca) : prepared;
  const dims = params.pca > 0 && params.pca < d ? params.pca : d;
  const pcaSeconds = tick();
  const knn = pool
    ? await exactKnnWith(reduced, n, dims, params.neighbors, params.metric, (job) => pool.call(tasks.neighbours, job))
    : exactKnn(reduced, n, dims, params.neighbors, params.metric);
  const neighbourSeconds = tick();

  const random = new Random(params.seed, 0x4d4150);
  const epochs = params.epochs ?? defaultEpochs(n);
  const raw =
    params.implementation === 'umap-js'
      ? umapJs(reduced, n, dims, knn.indices, knn.distances, params, epochs, random)
      : pool
        ? await optimizeLayoutWith(
            fuzzyGraph(knn.indices, knn.distances, n, params.neighbors),
            n,
            { minDist: params.minDist, epochs, random, dimensions: params.dimensions ?? 2 },
            async (plan, epoch) => {
              await Promise.all(Array.from({ length: SHARDS }, (_, shard) => pool.call(tasks.layoutShard, { plan, shard, epoch })));
              onEpoch?.(epoch + 1, epochs);
            },
          )
        : optimizeLayout(fuzzyGraph(knn.indices, knn.distances, n, params.neighbors), n, {
            minDist: params.minDist,
            epochs,
            random,
            dimensions: params.dimensions ?? 2,
          });
  const umapSeconds = tick();

  const points = clipAndScale(raw, params.clipPercentiles, params.margin);
  const sample = Array.from({ length: Math.min(n, 500) }, (_, i) => Math.floor((i * n) / Math.min(n, 500)));
  return {
    points,
    trustworthiness: trustworthiness(reduced, dims, points, Math.min(15, n - 1), params.metric, sample),
    seconds: { pca: pcaSeconds, neighbours: neighbourSeconds, umap: umapSeconds },
  };
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
