/**
 * Trustworthiness (Venna and Kaski): how far the layout's neighbours are from being true neighbours,
 * 1 = every point's k nearest on the map are among its k nearest in the original space. Measured on a
 * sample of points against all points, as sklearn's trustworthiness does for the full set.
 */
import { tf } from '../../engine/tf.ts';
import type { Metric } from './knn.ts';
import { normalizeRows } from './knn.ts';

export function trustworthiness(high: Float32Array, d: number, low: Float32Array, k: number, metric: Metric, sample: number[]): number {
  const n = low.length / 2;
  const rows = metric === 'cosine' ? normalizeRows(high, n, d) : high;
  let penalty = 0;
  tf.tidy(() => {
    const all = tf.tensor2d(rows, [n, d]);
    const squares = tf.sum(tf.square(all), 1);
    const chosen = tf.gather(all, sample);
    const dot = tf.matMul(chosen, all, false, true);
    const distance =
      metric === 'cosine' ? tf.sub(1, dot) : tf.add(tf.sub(tf.reshape(tf.gather(squares, sample), [-1, 1]), tf.mul(2, dot)), tf.reshape(squares, [1, n]));
    const rowsOfDistances = distance.arraySync() as number[][];
    sample.forEach((i, s) => {
      // Rank of every point by original distance (self excluded, rank 1 = nearest).
      const order = rowsOfDistances[s]!.map((value, j) => [value, j] as const).filter(([, j]) => j !== i).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const rank = new Int32Array(n);
      order.forEach(([, j], r) => (rank[j] = r + 1));
      const mapNearest = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => [(low[j * 2]! - low[i * 2]!) ** 2 + (low[j * 2 + 1]! - low[i * 2 + 1]!) ** 2, j] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .slice(0, k);
      for (const [, j] of mapNearest) if (rank[j]! > k) penalty += rank[j]! - k;
    });
  });
  const m = sample.length;
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}
