/** The layer's activation second moment, which whitened icon directions (recipe icons.whiten) are taken against. */
import { tf } from '../engine/tf.ts';

/** E[a·aᵀ] over the view's samples, [depth, depth], for whitened directions. */
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
