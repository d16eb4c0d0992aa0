/** The replacement batch-norm gradient equals autodiff through the same formula written with elementary ops. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { seededValues } from '../helpers/random.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    difference = Math.max(difference, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return difference / scale;
}

describe('batch normalization gradient', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const perChannel of [true, false]) {
      it(`matches elementary autodiff for x, mean, variance, scale and offset (${backend}, ${perChannel ? 'per channel' : 'full shape'})`, async () => {
        await useBackend(backend);
        const shape = [2, 5, 4, 3];
        const statShape = perChannel ? [3] : shape;
        const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
        const x = tf.tensor(seededValues(size(shape), 1), shape);
        const mean = tf.tensor(seededValues(size(statShape), 2), statShape);
        const variance = tf.add(1.5, tf.tensor(seededValues(size(statShape), 3), statShape));
        const scale = tf.tensor(seededValues(size(statShape), 4), statShape);
        const offset = tf.tensor(seededValues(size(statShape), 5), statShape);
        const weights = tf.tensor(seededValues(size(shape), 6), shape);
        const epsilon = 1e-3;
        const loss = (y: tf.Tensor) => tf.sum(tf.mul(tf.sin(y), weights)) as tf.Scalar;
        const fused = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
          loss(tf.batchNorm(a, m, v, o, s, epsilon)),
        )([x, mean, variance, scale, offset]);
        const elementary = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
          loss(tf.add(tf.mul(tf.mul(tf.sub(a, m), tf.rsqrt(tf.add(v, epsilon))), s), o)),
        )([x, mean, variance, scale, offset]);
        for (let i = 0; i < 5; i++) {
          expect(maxRelativeError(fused[i]!.dataSync() as Float32Array, elementary[i]!.dataSync() as Float32Array)).toBeLessThan(1e-4);
        }
      });
    }
  }
});
