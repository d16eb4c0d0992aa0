/**
 * Exact k nearest neighbours by blocked matrix products on the engine (fast on wasm and GPU): every row against
 * all rows, 512 rows at a time, keeping the k smallest distances other than the point itself.
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

export function exactKnn(data: Float32Array, n: number, d: number, k: number, metric: Metric, block = 512): Neighbours {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const rows = metric === 'cosine' ? normalizeRows(data, n, d) : data;
  const all = tf.tensor2d(rows, [n, d]);
  const squares = metric === 'euclidean' ? tf.sum(tf.square(all), 1) : undefined;
  for (let start = 0; start < n; start += block) {
    const size = Math.min(block, n - start);
    tf.tidy(() => {
      const part = tf.slice(all, [start, 0], [size, d]);
      const dot = tf.matMul(part, all, false, true); // [size, n]
      let distance =
        metric === 'cosine'
          ? tf.sub(1, dot)
          : tf.relu(tf.add(tf.sub(tf.reshape(tf.slice(squares!, [start], [size]), [size, 1]), tf.mul(2, dot)), tf.reshape(squares!, [1, n])));
      // A point is not its own neighbour.
      const self = tf.oneHot(tf.range(start, start + size, 1, 'int32'), n);
      distance = tf.add(distance, tf.mul(self, 1e30));
      const { values, indices: nearest } = tf.topk(tf.neg(distance), k);
      const v = values.dataSync();
      const i = nearest.dataSync();
      for (let j = 0; j < size * k; j++) {
        const value = -v[j]!;
        distances[start * k + j] = metric === 'euclidean' ? Math.sqrt(value) : Math.max(0, value);
        indices[start * k + j] = i[j]!;
      }
    });
  }
  all.dispose();
  squares?.dispose();
  return { k, indices, distances };
}
