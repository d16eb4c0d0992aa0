/**
 * Which samples a class view holds, and where a comparison puts them. Both read the per-sample attributions
 * the activations stage kept for the view's layer: the top-k classes, and the exact values of declared classes.
 */

/** Samples whose top `top` attributions (top 1: the winner) include `label`, in sample order. */
export function samplesForClass(topClasses: Int32Array, topK: number, label: number, top: number): Int32Array {
  const n = topClasses.length / topK;
  const chosen: number[] = [];
  const depth = Math.min(top, topK);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < depth; t++) {
      if (topClasses[i * topK + t] === label) {
        chosen.push(i);
        break;
      }
    }
  }
  return Int32Array.from(chosen);
}

/** Samples with either class among their top `top` attributions. */
export function samplesForPair(topClasses: Int32Array, topK: number, labels: [number, number], top: number): Int32Array {
  const [left, right] = [samplesForClass(topClasses, topK, labels[0], top), samplesForClass(topClasses, topK, labels[1], top)];
  const union = new Set([...left, ...right]);
  return Int32Array.from([...union].sort((a, b) => a - b));
}

/**
 * Comparison x: attribution to `right` minus attribution to `left`, clipped at the 99th percentile of its
 * magnitude and mapped to [0, 1] with 0.5 where both are equal and a margin at both ends; `y` is the 1-D layout
 * already scaled to [0, 1]. Returns [n, 2] points.
 */
export function comparisonPoints(leftValues: Float32Array, rightValues: Float32Array, y: Float32Array, margin: number): Float32Array {
  const n = leftValues.length;
  const difference = Float64Array.from({ length: n }, (_, i) => rightValues[i]! - leftValues[i]!);
  const magnitudes = Array.from(difference, Math.abs).sort((a, b) => a - b);
  const limit = magnitudes[Math.min(n - 1, Math.round(0.99 * (n - 1)))] || 1;
  const points = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const clipped = Math.max(-limit, Math.min(limit, difference[i]!)) / limit;
    points[i * 2] = 0.5 + (0.5 * clipped) / (1 + 2 * margin);
    points[i * 2 + 1] = y[i]!;
  }
  return points;
}

/** Rows `indices` of an [n, width] array. */
export function takeRows<T extends Float32Array | Int32Array>(values: T, width: number, indices: Int32Array): T {
  const out = new (values.constructor as { new (length: number): T })(indices.length * width);
  for (let r = 0; r < indices.length; r++) out.set(values.subarray(indices[r]! * width, (indices[r]! + 1) * width), r * width);
  return out;
}
