/**
 * Exact k nearest neighbours by blocked matrix products on the engine (fast on wasm and GPU): every row against
 * all rows, 512 rows at a time, keeping the k smallest distances other than the point itself. Needs n > k.
 */
import { tf } from '../../engine/tf.ts';

export type Metric = 'cosine' | 'euclidean';

export interface Neighbours {
  k: number;
  /** [n, k] indices and distances, nearest first. */
  indices: Int32Array;
  distances: Float32Array;
}

/** Rows scaled to unit length; zero rows stay zero. */
export function normalizeRows(data: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += data[i * d + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) out[i * d + j] = data[i * d + j]! / norm;
  }
  return out;
}

/** Rows per pool job when the search is split across workers. */
export const KNN_ROWS_PER_JOB = 4096;

export function exactKnn(data: Float32Array, n: number, d: number, k: number, metric: Metric, block = 128): Neighbours {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const rows = metric === 'cosine' ? normalizeRows(data, n, d) : data;
  knnRows({ rows, n, d, k, metric, start: 0, end: n, indices, distances }, block);
  return { k, indices, distances };
}

/**
 * The same search with rows split into jobs that `runJob` runs (e.g. on the worker pool); inputs and outputs
 * live in shared memory, so jobs only carry row ranges. The result is the same however the jobs are run.
 */
export async function exactKnnWith(
  data: Float32Array,
  n: number,
  d: number,
  k: number,
  metric: Metric,
  runJob: (job: KnnJob) => Promise<void>,
): Promise<Neighbours> {
  const rows = new Float32Array(new SharedArrayBuffer(n * d * 4));
  rows.set(metric === 'cosine' ? normalizeRows(data, n, d) : data);
  const indices = new Int32Array(new SharedArrayBuffer(n * k * 4));
  const distances = new Float32Array(new SharedArrayBuffer(n * k * 4));
  const jobs: Promise<void>[] = [];
  for (let start = 0; start < n; start += KNN_ROWS_PER_JOB)
    jobs.push(runJob({ rows, n, d, k, metric, start, end: Math.min(n, start + KNN_ROWS_PER_JOB), indices, distances }));
  await Promise.all(jobs);
  return { k, indices: Int32Array.from(indices), distances: Float32Array.from(distances) };
}

export interface KnnJob {
  /** [n, d] rows, already normalized for cosine. */
  rows: Float32Array;
  n: number;
  d: number;
  k: number;
  metric: Metric;
  /** The rows [start, end) whose neighbours are written into `indices` and `distances` ([n, k]). */
  start: number;
  end: number;
  indices: Int32Array;
  distances: Float32Array;
}

/**
 * Neighbours of rows [start, end) against all rows, `block` rows at a time (small blocks keep each worker's
 * engine memory near 25 MB per block at 50,000 points).
 */
export function knnRows(job: KnnJob, block = 128): void {
  const { rows, n, d, k, metric, indices, distances } = job;
  const all = tf.tensor2d(rows, [n, d]);
  // Transposed once: wasm's matMul with transposeB re-transposes the large operand on every call (7× slower).
  const allT = tf.transpose(all);
  // Squared norms for euclidean: the largest 2·a·b − |b|² is the nearest (|a|² is the same along a row).
  const norms = metric === 'euclidean' ? tf.tidy(() => tf.sum(tf.square(all), 1)) : undefined;
  const squares = norms?.dataSync() as Float32Array | undefined;
  norms?.dispose();
  const bestValues = new Float64Array(k);
  const bestIndices = new Int32Array(k);
  for (let start = job.start; start < job.end; start += block) {
    const size = Math.min(block, job.end - start);
    // Selection in JS: most scores fall below the row's current k-th best and cost one comparison
    // (the engine's topk sorts whole rows, which took most of the time).
    // (tf.tidy must not return the typed array: it walks every key of what it returns, looking for tensors.)
    const product = tf.tidy(() => tf.matMul(tf.slice(all, [start, 0], [size, d]), allT));
    const scores = product.dataSync() as Float32Array; // [size, n]
    product.dispose();
    for (let row = 0; row < size; row++) {
      const self = start + row;
      let count = 0;
      const offset = row * n;
      for (let j = 0; j < n; j++) {
        if (j === self) continue;
        const value = squares ? 2 * scores[offset + j]! - squares[j]! : scores[offset + j]!;
        if (count === k && value <= bestValues[k - 1]!) continue;
        // Insert keeping descending order; ties keep the lower index first.
        let at = count < k ? count++ : k - 1;
        while (at > 0 && bestValues[at - 1]! < value) {
          bestValues[at] = bestValues[at - 1]!;
          bestIndices[at] = bestIndices[at - 1]!;
          at--;
        }
        bestValues[at] = value;
        bestIndices[at] = j;
      }
      const own = squares ? squares[self]! : 0;
      for (let t = 0; t < count; t++) {
        const value = bestValues[t]!;
        distances[self * k + t] = metric === 'cosine' ? Math.max(0, 1 - value) : Math.sqrt(Math.max(0, own - value));
        indices[self * k + t] = bestIndices[t]!;
      }
    }
  }
  all.dispose();
  allT.dispose();
}
