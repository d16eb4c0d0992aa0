/**
 * Trustworthiness (Venna and Kaski): how far the layout's neighbours are from being true neighbours,
 * 1 = every point's k nearest on the map are among its k nearest in the original space. Measured on a
 * sample of points against all points, as sklearn's trustworthiness does for the full set. Distances are
 * computed for a few sampled points at a time, so a million points need a few megabytes, not gigabytes.
 */
import { tf } from '../../engine/tf.ts';
import type { Metric } from './knn.ts';
import { normalizeRows } from './knn.ts';

/** Sampled points whose distances to all points are computed at once. */
const ROWS_AT_ONCE = 8;

export function trustworthiness(high: Float32Array, d: number, low: Float32Array, k: number, metric: Metric, sample: number[]): number {
  const n = low.length / 2;
  const rows = metric === 'cosine' ? normalizeRows(high, n, d) : high;
  let penalty = 0;
  const all = tf.tensor2d(rows, [n, d]);
  // Transposed once: wasm's matMul with transposeB re-transposes the large operand on every call.
  const allT = tf.transpose(all);
  const squares = tf.sum(tf.square(all), 1);
  for (let first = 0; first < sample.length; first += ROWS_AT_ONCE) {
    const chosenIndices = sample.slice(first, first + ROWS_AT_ONCE);
    // (Arrays are read outside tf.tidy, which walks every key of what it returns, looking for tensors.)
    const block = tf.tidy(() => {
      const dot = tf.matMul(tf.gather(all, chosenIndices), allT);
      return metric === 'cosine'
        ? tf.sub(1, dot)
        : tf.add(tf.sub(tf.reshape(tf.gather(squares, chosenIndices), [-1, 1]), tf.mul(2, dot)), tf.reshape(squares, [1, n]));
    });
    const distances = block.dataSync() as Float32Array;
    block.dispose();
    chosenIndices.forEach((i, s) => {
      penalty += rankPenalty(distances.subarray(s * n, (s + 1) * n), i, nearestOnMap(low, n, i, k), k);
    });
  }
  all.dispose();
  allT.dispose();
  squares.dispose();
  const m = sample.length;
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}

/**
 * Σ max(0, rank − k) over the map neighbours j of point i, where rank is j's place among i's original
 * neighbours (1 = nearest): points strictly nearer, then ties by index. One pass over the row puts each point
 * t at upper(row[t]), the number of map neighbours' distances ≤ row[t]; row[t] < dj exactly when that place is
 * at most lower(dj), the number of their distances < dj.
 */
function rankPenalty(row: Float32Array, i: number, mapNearest: number[], k: number): number {
  const sorted = Float64Array.from(mapNearest, (j) => row[j]!).sort();
  const m = sorted.length;
  const bound = (value: number, inclusive: boolean) => {
    let [low, high] = [0, m];
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sorted[middle]! < value || (inclusive && sorted[middle] === value)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const at = new Float64Array(m + 1);
  for (let t = 0; t < row.length; t++) if (t !== i) at[bound(row[t]!, true)]!++;
  let penalty = 0;
  for (const j of mapNearest) {
    const dj = row[j]!;
    const [lower, upper] = [bound(dj, false), bound(dj, true)];
    let rank = 1;
    for (let p = 0; p <= lower; p++) rank += at[p]!;
    // Points as far as j other than j itself come before it when their index is lower.
    let equal = 0;
    for (let p = lower + 1; p <= upper; p++) equal += at[p]!;
    if (equal > 1) for (let t = 0; t < j; t++) if (t !== i && row[t] === dj) rank++;
    if (rank > k) penalty += rank - k;
  }
  return penalty;
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
