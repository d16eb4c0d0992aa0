/** Layout: exact neighbours, PCA, the percentile clip, trustworthiness, and UMAP on clustered data. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { exactKnn } from '../../pipeline/stages/layout/knn.ts';
import { pca } from '../../pipeline/stages/layout/pca.ts';
import { clipAndScale } from '../../pipeline/stages/layout/scale.ts';
import { trustworthiness } from '../../pipeline/stages/layout/trustworthiness.ts';
import { layoutActivations } from '../../pipeline/stages/layout/layout.ts';
import { Random } from '../../pipeline/random.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { FAST_POWER_ABOVE, fastPow, planLayout } from '../../pipeline/stages/layout/umap.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

/** `clusters` Gaussian blobs in `d` dimensions, `per` points each; returns data and cluster of each point. */
function blobs(clusters: number, per: number, d: number, seed = 1) {
  const r = new Random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: d }, () => gaussian() * 4));
  const data = new Float32Array(clusters * per * d);
  const labels: number[] = [];
  for (let c = 0; c < clusters; c++) {
    for (let p = 0; p < per; p++) {
      const i = c * per + p;
      labels.push(c);
      for (let j = 0; j < d; j++) data[i * d + j] = centres[c]![j]! + gaussian();
    }
  }
  return { data, labels, n: clusters * per };
}

describe('layout building blocks', () => {
  it('finds the exact nearest neighbours for both metrics', () => {
    const { data, n } = blobs(3, 40, 8);
    for (const metric of ['euclidean', 'cosine'] as const) {
      const { indices, distances } = exactKnn(data, n, 8, 5, metric, 37);
      for (const i of [0, 57, 119]) {
        const brute = Array.from({ length: n }, (_, j) => j)
          .filter((j) => j !== i)
          .map((j) => {
            let dot = 0,
              a = 0,
              b = 0,
              sq = 0;
            for (let t = 0; t < 8; t++) {
              const [x, y] = [data[i * 8 + t]!, data[j * 8 + t]!];
              dot += x * y;
              a += x * x;
              b += y * y;
              sq += (x - y) ** 2;
            }
            return [metric === 'cosine' ? 1 - dot / Math.sqrt(a * b) : Math.sqrt(sq), j] as const;
          })
          .sort((p, q) => p[0] - q[0])
          .slice(0, 5);
        expect(Array.from(indices.subarray(i * 5, i * 5 + 5))).toEqual(brute.map(([, j]) => j));
        brute.forEach(([distance], t) => expect(distances[i * 5 + t]).toBeCloseTo(distance, 3));
      }
    }
  });

  it('finds the principal directions', () => {
    const r = new Random(3);
    const n = 400;
    const data = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) data.set([10 * (r.next() - 0.5), 0.1 * (r.next() - 0.5), 3 * (r.next() - 0.5)], i * 3);
    const projected = pca(data, n, 3, 2);
    const variance = (values: Float32Array, stride: number, axis: number) => {
      let mean = 0,
        sq = 0;
      for (let i = 0; i < n; i++) mean += values[i * stride + axis]! / n;
      for (let i = 0; i < n; i++) sq += (values[i * stride + axis]! - mean) ** 2 / n;
      return sq;
    };
    // The first component carries the widest axis, the second the next: their variances match those columns.
    expect(variance(projected, 2, 0) / variance(data, 3, 0)).toBeCloseTo(1, 1);
    expect(variance(projected, 2, 1) / variance(data, 3, 2)).toBeCloseTo(1, 1);
  });

  it('clips outliers to the percentiles and scales to [0, 1] with a margin', () => {
    const points = new Float32Array(202);
    for (let i = 0; i < 100; i++) points.set([i, 2 * i], i * 2);
    points.set([1e6, -1e6], 200);
    const scaled = clipAndScale(points, [1, 99], 0.1);
    expect(Math.min(...scaled)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...scaled)).toBeLessThanOrEqual(1);
    // The bulk keeps its spread: the outlier does not squeeze it.
    expect(scaled[99 * 2]! - scaled[0]!).toBeGreaterThan(0.7);
  });

  it("computes UMAP's x^b as Math.pow does, to a relative 2e-15 + 2e-16·|b·log2 x|, across all doubles", () => {
    const r = new Random(9);
    const xs = [1, 2, 0.5, Math.SQRT2, 1 - 2 ** -52, 1 + 2 ** -52, 1e-300, 5e-324, 2 ** -1022, 1e300, Number.MAX_VALUE, 0];
    for (let i = 0; i < 20_000; i++) xs.push(Math.exp((r.next() - 0.5) * 55), Math.exp((r.next() - 0.5) * 1400));
    for (const b of [0.5, 0.79, 1, 1.58, 1.93])
      for (const x of xs) {
        const exact = Math.pow(x, b);
        if (exact === 0 || exact === Infinity) {
          expect(fastPow(x, b), `${x}^${b}`).toBe(exact);
          continue;
        }
        const error = Math.abs(fastPow(x, b) / exact - 1);
        // The error grows with the result's exponent, |b·log2 x|, as any exp(b·log x) does.
        expect(error, `${x}^${b}`).toBeLessThan(2e-15 + 2e-16 * Math.abs(b * Math.log2(x)));
      }
  });

  it('uses the table x^b only above FAST_POWER_ABOVE points, so smaller layouts keep the bytes they had', () => {
    const ring = (n: number) => ({
      heads: Int32Array.from({ length: n }, (_, i) => i),
      tails: Int32Array.from({ length: n }, (_, i) => (i + 1) % n),
      weights: new Float32Array(n).fill(1),
    });
    const plan = (n: number) => planLayout(ring(n), n, { minDist: 0.1, epochs: 10, random: new Random(1) });
    expect(plan(FAST_POWER_ABOVE).fastPower).toBe(false);
    expect(plan(FAST_POWER_ABOVE + 1).fastPower).toBe(true);
  });

  it('scores a faithful layout 1 and a shuffled one lower', () => {
    const { data, n } = blobs(4, 30, 2);
    const sample = Array.from({ length: n }, (_, i) => i);
    expect(trustworthiness(data, 2, data, 5, 'euclidean', sample)).toBeCloseTo(1, 6);
    const shuffled = new Float32Array(data.length);
    for (let i = 0; i < n; i++) shuffled.set(data.subarray(((i * 37) % n) * 2, ((i * 37) % n) * 2 + 2), i * 2);
    expect(trustworthiness(data, 2, shuffled, 5, 'euclidean', sample)).toBeLessThan(0.7);
  });
});

describe('UMAP layout', () => {
  const params = { neighbors: 15, minDist: 0.05, metric: 'cosine' as const, pca: 16, seed: 7, clipPercentiles: [1, 99] as [number, number], margin: 0.1 };

  it('separates clusters, is trustworthy, and repeats exactly for a seed', async () => {
    const { data, labels, n } = blobs(6, 60, 32);
    const first = await layoutActivations(data, n, 32, params);
    const second = await layoutActivations(data, n, 32, params);
    expect(Buffer.from(first.points.buffer).equals(Buffer.from(second.points.buffer))).toBe(true);
    expect(first.trustworthiness).toBeGreaterThan(0.9);
    // Most points' nearest neighbour on the map is from their own cluster.
    let same = 0;
    for (let i = 0; i < n; i++) {
      let best = -1,
        bestDistance = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const distance = (first.points[i * 2]! - first.points[j * 2]!) ** 2 + (first.points[i * 2 + 1]! - first.points[j * 2 + 1]!) ** 2;
        if (distance < bestDistance) [best, bestDistance] = [j, distance];
      }
      if (labels[best] === labels[i]) same++;
    }
    expect(same / n).toBeGreaterThan(0.95);
  }, 60_000);

  it('gives the same bytes on a worker pool of one or two threads as on this thread', async () => {
    const { data, n } = blobs(4, 50, 24, 9);
    const here = await layoutActivations(data, n, 24, { ...params, epochs: 60 });
    for (const size of [1, 2]) {
      const pool = WorkerPool.create({ size, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
      try {
        const pooled = await layoutActivations(data, n, 24, { ...params, epochs: 60 }, 'the fixture', pool);
        expect(Buffer.from(pooled.points.buffer).equals(Buffer.from(here.points.buffer))).toBe(true);
      } finally {
        await pool.close();
      }
    }
  }, 90_000);

  it('matches the umap-js reference in quality on the same neighbours', async () => {
    const { data, n } = blobs(6, 60, 32, 4);
    const ours = await layoutActivations(data, n, 32, params);
    const reference = await layoutActivations(data, n, 32, { ...params, implementation: 'umap-js' });
    expect(ours.trustworthiness).toBeGreaterThan(reference.trustworthiness - 0.02);
  }, 60_000);

  it('refuses too few samples, NaN and constant activations, each in one sentence', async () => {
    const { data, n } = blobs(1, 10, 4);
    await expect(layoutActivations(data, n, 4, params, 'mixed4a')).rejects.toThrowError(
      'mixed4a: 10 samples cannot be laid out with 15 neighbours; use more images or set layout.neighbors below 10.',
    );
    const nan = blobs(2, 20, 4).data;
    nan[5] = Number.NaN;
    await expect(layoutActivations(nan, 40, 4, params, 'mixed4a')).rejects.toThrowError(/NaN or infinite/);
    await expect(layoutActivations(new Float32Array(40 * 4).fill(0.5), 40, 4, params, 'mixed4a')).rejects.toThrowError(/same activation vector/);
  });
});
