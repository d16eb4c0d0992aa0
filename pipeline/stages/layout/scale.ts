/**
 * The layout's last step (Distill/Lucid): clip each axis to its percentiles, add a margin, and scale to [0, 1],
 * so a few outliers do not squeeze the map into a corner.
 */
export function clipAndScale(points: Float32Array, clip: [number, number], margin: number): Float32Array {
  const n = points.length / 2;
  const out = new Float32Array(points.length);
  for (let axis = 0; axis < 2; axis++) {
    const values = Array.from({ length: n }, (_, i) => points[i * 2 + axis]!).sort((a, b) => a - b);
    const at = (p: number) => values[Math.min(n - 1, Math.max(0, Math.round((p / 100) * (n - 1))))]!;
    let [low, high] = [at(clip[0]), at(clip[1])];
    const pad = (high - low) * margin;
    [low, high] = [low - pad, high + pad];
    const range = high - low || 1;
    for (let i = 0; i < n; i++) out[i * 2 + axis] = Math.min(1, Math.max(0, (points[i * 2 + axis]! - low) / range));
  }
  return out;
}
