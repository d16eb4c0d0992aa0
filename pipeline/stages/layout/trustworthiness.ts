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
      const row = rowsOfDistances[s]!;
      const mapNearest = nearestOnMap(low, n, i, k);
      for (const j of mapNearest) {
        // Rank of j among i's original neighbours (1 = nearest): points strictly nearer, then ties by index.
        let rank = 1;
        const dj = row[j]!;
        for (let t = 0; t < n; t++) if (t !== i && t !== j && (row[t]! < dj || (row[t] === dj && t < j))) rank++;
        if (rank > k) penalty += rank - k;
      }
    });
  });
  const m = sample.length;
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}

/** The k points nearest to point i on the 2-D map (ties by index). */
function nearestOnMap(low: Float32Array, n: number, i: number, k: number): number[] {
  const best: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const d = (low[j * 2]! - low[i * 2]!) ** 2 + (low[j * 2 + 1]! - low[i * 2 + 1]!) ** 2;
    if (best.length < k || d < best[best.length - 1]![0]) {
      best.push([d, j]);
      best.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      if (best.length > k) best.pop();
    }
  }
  return best.map(([, j]) => j);
}
