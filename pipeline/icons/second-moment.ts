/** The layer's activation second moment, which whitened icon directions (recipe icons.whiten) are taken against. */
import { tf } from '../engine/tf.ts';
import type { RowBlocks } from '../stages/row-blocks.ts';

/** E[a·aᵀ] over the view's samples, [depth, depth], for whitened directions (summed in float64 over several blocks). */
export function secondMomentOf(blocks: RowBlocks): Float32Array {
  if (blocks.blocks === 1) {
    let moment: Float32Array = new Float32Array(0);
    blocks.forEach((_, rows) => (moment = secondMoment(rows, blocks.n, blocks.depth)));
    return moment;
  }
  const sums = new Float64Array(blocks.depth * blocks.depth);
  blocks.forEach((_, rows) => {
    const block = secondMoment(rows, rows.length / blocks.depth, blocks.depth);
    const count = rows.length / blocks.depth;
    for (let i = 0; i < sums.length; i++) sums[i] = sums[i]! + block[i]! * count;
  });
  return Float32Array.from(sums, (sum) => sum / blocks.n);
}

/** E[a·aᵀ] over rows in memory. */
export function secondMoment(vectors: Float32Array, n: number, depth: number): Float32Array {
  // An explicit transpose: wasm's matMul with transposeA is many times slower. The values are read outside
  // tf.tidy, which walks every key of what it returns.
  const moment = tf.tidy(() => {
    const x = tf.tensor2d(vectors, [n, depth]);
    return tf.div(tf.matMul(tf.transpose(x), x), n);
  });
  const values = moment.dataSync() as Float32Array;
  moment.dispose();
  return values;
}
