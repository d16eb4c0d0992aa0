/**
 * Principal components: the covariance (XᵀX on the engine, the heavy part) and its eigenvectors (ml-matrix's
 * symmetric eigendecomposition, D×D), then the projection on the engine. Rows are [n, d] float32. Rows in
 * several blocks are read twice, a block at a time: once for the covariance, summed in float64, once to project.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { tf } from '../../engine/tf.ts';
import type { RowBlocks } from '../row-blocks.ts';
import { normalizeRows } from './knn.ts';

/** The first k principal components of the rows (each scaled to unit length first when `normalize`), [n, k]. */
export function pcaOfBlocks(blocks: RowBlocks, k: number, normalize: boolean): Float32Array {
  const { n, depth: d } = blocks;
  const prepare = (rows: Float32Array) => (normalize ? normalizeRows(rows, rows.length / d, d) : rows);
  if (blocks.blocks === 1) {
    let projected: Float32Array = new Float32Array(0);
    blocks.forEach((_, rows) => (projected = pca(prepare(rows), n, d, k)));
    return projected;
  }
  const sums = new Float64Array(d);
  const products = new Float64Array(d * d);
  blocks.forEach((_, block) =>
    forEachPiece(prepare(block), d, (rows) => {
      const product = tf.tidy(() => {
        const x = tf.tensor2d(rows, [rows.length / d, d]);
        return tf.matMul(tf.transpose(x), x);
      });
      const values = product.dataSync();
      product.dispose();
      for (let i = 0; i < values.length; i++) products[i] = products[i]! + values[i]!;
      for (let i = 0; i < rows.length; i++) sums[i % d] = sums[i % d]! + rows[i]!;
    }),
  );
  const mean = Array.from(sums, (sum) => sum / n);
  const covariance = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => (products[i * d + j]! / n - mean[i]! * mean[j]!) * (n / Math.max(1, n - 1))),
  );
  const basis = principalBasis(covariance, d, k);
  const projected = new Float32Array(n * k);
  const w = tf.tensor2d(basis, [d, k]);
  const shift = tf.tidy(() => tf.matMul(tf.tensor2d(mean, [1, d]), w));
  blocks.forEach((start, block) =>
    forEachPiece(prepare(block), d, (rows, offset) => {
      const projection = tf.tidy(() => tf.sub(tf.matMul(tf.tensor2d(rows, [rows.length / d, d]), w), shift));
      projected.set(projection.dataSync() as Float32Array, (start + offset) * k);
      projection.dispose();
    }),
  );
  w.dispose();
  shift.dispose();
  return projected;
}

/** Rows on the engine PIECE_ROWS at a time: the engine's memory grows to its largest tensor and never shrinks. */
const PIECE_ROWS = 32_768;
function forEachPiece(rows: Float32Array, d: number, visit: (piece: Float32Array, offset: number) => void): void {
  for (let offset = 0; offset < rows.length / d; offset += PIECE_ROWS) visit(rows.subarray(offset * d, (offset + PIECE_ROWS) * d), offset);
}

export function pca(data: Float32Array, n: number, d: number, k: number): Float32Array {
  if (k >= d) return data.slice();
  // Covariance as XᵀX/n − μμᵀ (scaled to n − 1), without a centred copy of the data. The transpose is explicit:
  // wasm's matMul with transposeA took 47 s for 50k × 512 against 2.4 s this way.
  const x = tf.tensor2d(data, [n, d]);
  const mean = tf.tidy(() => tf.mean(x, 0, true)); // [1, d]
  // (Arrays are read outside tf.tidy, which walks every key of what it returns, looking for tensors.)
  const covarianceTensor = tf.tidy(() => tf.mul(tf.sub(tf.div(tf.matMul(tf.transpose(x), x), n), tf.matMul(tf.transpose(mean), mean)), n / Math.max(1, n - 1)));
  const covariance = covarianceTensor.arraySync() as number[][];
  covarianceTensor.dispose();
  const basis = principalBasis(covariance, d, k);
  // (X − μ)W = XW − μW.
  const projection = tf.tidy(() => {
    const w = tf.tensor2d(basis, [d, k]);
    return tf.sub(tf.matMul(x, w), tf.matMul(mean, w));
  });
  const projected = projection.dataSync() as Float32Array;
  projection.dispose();
  x.dispose();
  mean.dispose();
  return projected;
}

/** The covariance's k leading eigenvectors as a [d, k] basis, each with its largest component positive. */
function principalBasis(covariance: number[][], d: number, k: number): Float32Array {
  const evd = new EigenvalueDecomposition(new Matrix(covariance), { assumeSymmetric: true });
  const order = evd.realEigenvalues
    .map((value, i) => [value, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, k);
  const vectors = evd.eigenvectorMatrix;
  const basis = new Float32Array(d * k);
  order.forEach(([, column], j) => {
    // Fix each vector's sign (largest component positive) so results do not flip between runs.
    let largest = 0;
    for (let i = 0; i < d; i++) if (Math.abs(vectors.get(i, column)) > Math.abs(largest)) largest = vectors.get(i, column);
    const sign = largest < 0 ? -1 : 1;
    for (let i = 0; i < d; i++) basis[i * k + j] = sign * vectors.get(i, column);
  });
  return basis;
}
