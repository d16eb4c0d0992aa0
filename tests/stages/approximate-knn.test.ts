/**
 * The approximate neighbour search (random-projection trees + NN-descent) against the exact one: recall, the same
 * bytes on any number of threads, duplicate points, and the layout it feeds. Activations are laid out on a
 * low-dimensional manifold in many dimensions, as a network's are; bench:scale measures recall on the demo's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { tasksOf, WorkerPool } from '../../pipeline/engine/pool.ts';
import { Random } from '../../pipeline/random.ts';
import { approximateKnn } from '../../pipeline/stages/layout/approximate-knn.ts';
import { exactKnn, exactKnnWith, type Neighbours } from '../../pipeline/stages/layout/knn.ts';
import { EXACT_NEIGHBOURS_UP_TO, layoutActivations, neighbourSearchFor } from '../../pipeline/stages/layout/layout.ts';

const tasks = tasksOf<typeof import('../../pipeline/stages/layout/tasks.ts')>(new URL('../../pipeline/stages/layout/tasks.ts', import.meta.url));
let pool: WorkerPool;
beforeAll(async () => {
  await useBackend('wasm');
  pool = WorkerPool.create({ size: 2 });
});
afterAll(() => pool.close());

/** n points on a curved `latent`-dimensional manifold in d dimensions, in `clusters` patches, with a little noise. */
function manifold(n: number, d: number, latent: number, clusters: number, seed = 1): Float32Array {
  const r = new Random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const mix = Array.from({ length: latent * d }, () => gaussian());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: latent }, () => gaussian() * 3));
  const data = new Float32Array(n * d);
  const z = new Float64Array(latent);
  for (let i = 0; i < n; i++) {
    const centre = centres[i % clusters]!;
    for (let t = 0; t < latent; t++) z[t] = centre[t]! + gaussian();
    for (let j = 0; j < d; j++) {
      let value = 0;
      for (let t = 0; t < latent; t++) value += mix[t * d + j]! * z[t]!;
      data[i * d + j] = Math.tanh(value / 4) + 0.02 * gaussian();
    }
  }
  return data;
}

/** Of each point's `top` exact nearest, the share the approximate rows also have among their first `top`. */
function recall(exact: Neighbours, approximate: Neighbours, n: number, top: number): number {
  let found = 0;
  for (let i = 0; i < n; i++) {
    const truth = new Set(exact.indices.subarray(i * exact.k, i * exact.k + top));
    for (let s = 0; s < top; s++) if (truth.has(approximate.indices[i * approximate.k + s]!)) found++;
  }
  return found / (n * top);
}

describe('approximate nearest neighbours', () => {
  it('finds at least 95 % of the 15 exact nearest on 50,000 points, for both metrics', async () => {
    const n = 50_000;
    const d = 50;
    const data = manifold(n, d, 8, 12);
    for (const metric of ['cosine', 'euclidean'] as const) {
      const exact = await exactKnnWith(data, n, d, 15, metric, (job) => pool.call(tasks.neighbours, job));
      const approximate = await approximateKnn(data, n, d, 15, metric, 1, pool);
      expect(recall(exact, approximate, n, 15), metric).toBeGreaterThanOrEqual(0.95);
      // Each row nearest first, with the distances the exact search gives for the same pairs.
      for (const i of [0, 12_345, n - 1]) {
        const row = approximate.distances.subarray(i * 15, (i + 1) * 15);
        for (let s = 1; s < 15; s++) expect(row[s]!).toBeGreaterThanOrEqual(row[s - 1]!);
        const shared = approximate.indices[i * 15]!;
        const at = Array.from(exact.indices.subarray(i * 15, (i + 1) * 15)).indexOf(shared);
        if (at >= 0) expect(row[0]!).toBeCloseTo(exact.distances[i * 15 + at]!, 4);
      }
    }
  }, 240_000);

  it('gives the same bytes on two worker threads as on this thread alone', async () => {
    const n = 6000;
    const data = manifold(n, 20, 5, 4, 3);
    const alone = await approximateKnn(data, n, 20, 10, 'cosine', 7);
    const pooled = await approximateKnn(data, n, 20, 10, 'cosine', 7, pool);
    expect(Buffer.from(pooled.indices.buffer).equals(Buffer.from(alone.indices.buffer))).toBe(true);
    expect(Buffer.from(pooled.distances.buffer).equals(Buffer.from(alone.distances.buffer))).toBe(true);
    // Another seed draws other trees (and so may differ), but is as good.
    const exact = exactKnn(data, n, 20, 10, 'cosine');
    expect(recall(exact, await approximateKnn(data, n, 20, 10, 'cosine', 8, pool), n, 10)).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('fills every row with distinct other points, even where many points are identical', async () => {
    const n = 3000;
    const d = 8;
    const data = manifold(n, d, 3, 3, 5);
    // A third of the points are copies of one point: no plane can split them.
    for (let i = 0; i < n; i += 3) data.set(data.subarray(0, d), i * d);
    const k = 12;
    const { indices, distances } = await approximateKnn(data, n, d, k, 'euclidean', 1, pool);
    for (let i = 0; i < n; i++) {
      const row = Array.from(indices.subarray(i * k, (i + 1) * k));
      expect(row.every((j) => j >= 0 && j < n && j !== i)).toBe(true);
      expect(new Set(row).size).toBe(k);
    }
    // A copy's nearest are other copies, at distance 0.
    expect(Array.from(distances.subarray(3 * k, 4 * k)).every((value) => value === 0)).toBe(true);
  }, 60_000);

  it('is chosen above EXACT_NEIGHBOURS_UP_TO samples, or when a recipe asks, and lays out as well as the exact search', async () => {
    const base = { neighbors: 15, minDist: 0.1, metric: 'cosine' as const, pca: 0, seed: 1, clipPercentiles: [1, 99] as [number, number], margin: 0 };
    expect(neighbourSearchFor(base, EXACT_NEIGHBOURS_UP_TO)).toBe('exact');
    expect(neighbourSearchFor(base, EXACT_NEIGHBOURS_UP_TO + 1)).toBe('approximate');
    expect(neighbourSearchFor({ ...base, neighbourSearch: 'exact' }, 10 ** 6)).toBe('exact');
    expect(neighbourSearchFor({ ...base, neighbourSearch: 'approximate' }, 100)).toBe('approximate');

    const n = 5000;
    const data = manifold(n, 32, 6, 6, 9);
    const exact = await layoutActivations(data, n, 32, { ...base, epochs: 100 }, 'the layer', pool);
    const approximate = await layoutActivations(data, n, 32, { ...base, epochs: 100, neighbourSearch: 'approximate' }, 'the layer', pool);
    expect(exact.neighbourSearch).toBe('exact');
    expect(approximate.neighbourSearch).toBe('approximate');
    expect(Math.abs(approximate.trustworthiness - exact.trustworthiness)).toBeLessThan(0.01);
  }, 120_000);
});
