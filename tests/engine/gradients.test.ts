/** The replacement batch-norm gradient equals autodiff through the same formula written with elementary ops. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { seededValues } from '../helpers/random.ts';
import { maxRelativeError } from '../helpers/compare.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

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
        const fused = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => loss(tf.batchNorm(a, m, v, o, s, epsilon)))([
          x,
          mean,
          variance,
          scale,
          offset,
        ]);
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

describe('gradients through the other ops vision models use', () => {
  it('pad, resize, concat, pooling, LRN, relu6, elu and leaky relu agree between wasm and cpu', async () => {
    const values = seededValues(2 * 9 * 9 * 4, 11);
    const results: Float32Array[] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      results.push(
        tf.tidy(() => {
          const x = tf.tensor4d(values, [2, 9, 9, 4]);
          return tf
            .grad((input: tf.Tensor) => {
              const a = tf.pad(input as tf.Tensor4D, [
                [0, 0],
                [1, 2],
                [2, 1],
                [0, 0],
              ]);
              // A ramp makes every value distinct: with ties (the zero padding), max pooling may route the
              // gradient to either equal input, and backends legitimately differ.
              const ramp = tf.reshape(tf.linspace(0, 0.5, 2 * 16 * 16 * 4), [2, 16, 16, 4]);
              const b = tf.add(tf.image.resizeBilinear(a, [16, 16]), ramp) as tf.Tensor4D;
              const c = tf.concat([tf.maxPool(b, 3, 2, 'same'), tf.avgPool(b, 3, 2, 'same')], 3);
              const d = tf.localResponseNormalization(c, 2, 1, 1e-2, 0.75);
              const e = tf.add(tf.relu6(tf.mul(d, 8)), tf.add(tf.elu(d), tf.leakyRelu(d, 0.1)));
              return tf.sum(tf.mul(e, tf.cos(e))) as tf.Scalar;
            })(x)
            .dataSync() as Float32Array;
        }),
      );
    }
    await useBackend('wasm');
    expect(maxRelativeError(results[0]!, results[1]!)).toBeLessThan(1e-4);
  });
});

describe('max-pool gradient on wasm', () => {
  it('is right when allocating its output grows the wasm heap (views taken before growth are detached)', async () => {
    // 48 MB in and out: more than the heap has spare early in a test run, so the kernel's allocation grows it.
    const shape: [number, number, number, number] = [6, 64, 64, 512];
    const values = seededValues(
      shape.reduce((a, b) => a * b),
      5,
    );
    const results: Float32Array[] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      results.push(
        tf.tidy(
          () =>
            tf
              .grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')))(tf.tensor4d(values, shape))
              .dataSync() as Float32Array,
        ),
      );
    }
    await useBackend('wasm');
    expect(maxRelativeError(results[0]!, results[1]!)).toBeLessThan(1e-6);
    // About 35 s alone (the cpu backend's reference dominates); a generous limit for a busy machine.
  }, 180_000);
});

describe('max-pool gradient on wasm, ties and windows', () => {
  // Values from a few levels, so windows hold ties (as after a ReLU): the first largest in (row, column) order
  // must receive the gradient, as on the cpu backend.
  const cases: [string, number | [number, number], number | [number, number], 'same' | 'valid'][] = [
    ['3×3 stride 1 same', 3, 1, 'same'],
    ['2×2 stride 2 valid', 2, 2, 'valid'],
    ['3×3 stride 2 same', 3, 2, 'same'],
    ['2×3 stride (1, 2) valid', [2, 3], [1, 2], 'valid'],
  ];
  for (const [label, filter, stride, pad] of cases) {
    it(`matches cpu: ${label}`, async () => {
      const shape: [number, number, number, number] = [2, 7, 9, 3];
      const values = seededValues(
        shape.reduce((a, b) => a * b),
        8,
      ).map((v) => Math.round(v * 2));
      const weights = seededValues(2 * 7 * 9 * 3, 9);
      const results: Float32Array[] = [];
      for (const backend of ['wasm', 'cpu'] as const) {
        await useBackend(backend);
        results.push(
          tf.tidy(
            () =>
              tf
                .grad((x: tf.Tensor) => {
                  const y = tf.maxPool(x as tf.Tensor4D, filter, stride, pad);
                  return tf.sum(tf.mul(y, tf.tensor(weights.subarray(0, y.size), y.shape))) as tf.Scalar;
                })(tf.tensor4d(values, shape))
                .dataSync() as Float32Array,
          ),
        );
      }
      await useBackend('wasm');
      expect(maxRelativeError(results[0]!, results[1]!)).toBeLessThan(1e-6);
    });
  }
});

describe('ops without a fast wasm kernel', () => {
  it('run through the cpu bridge and are recorded, so a build can name them', async () => {
    const { bridgedKernelsUsed } = await import('../../pipeline/engine/wasm-kernels/cpu-bridge.ts');
    bridgedKernelsUsed.clear();
    // The gradient of a gather is an UnsortedSegmentSum, which wasm lacks.
    const gradient = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(tf.gather(x, [2, 0, 2])) as tf.Scalar)(tf.tensor1d([1, 2, 3, 4]))
        .dataSync(),
    );
    expect([...gradient]).toEqual([1, 0, 2, 0]);
    expect([...bridgedKernelsUsed]).toContain('UnsortedSegmentSum');
  });
});
