/** Transforms: exact geometry for whole-pixel moves, rotation about the centre, and a correct gradient. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { Random } from '../../pipeline/random.ts';
import { applyTransforms, centreCrop, jitter, pad, randomRotate, randomScale, standardTransforms } from '../../pipeline/featurevis/transforms.ts';
import { seededValues } from '../helpers/random.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const ramp = (h: number, w: number) =>
  tf.tensor4d(
    Float32Array.from({ length: h * w }, (_, i) => i),
    [1, h, w, 1],
  );
const randoms = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => new Random(seed, i));

describe('transforms', () => {
  it('pads with the fill value and crops back to the original exactly', () => {
    const image = ramp(4, 5);
    const padded = applyTransforms(image, [pad(2)], randoms(1), -1);
    expect(padded.shape).toEqual([1, 8, 9, 1]);
    const values = padded.dataSync();
    expect(values[0]).toBe(-1);
    expect(values[2 * 9 + 2]).toBe(0); // the image's first pixel, 2 in from each side
    const back = applyTransforms(image, [pad(2), centreCrop(4, 5)], randoms(1), -1);
    expect(Array.from(back.dataSync())).toEqual(Array.from(image.dataSync()));
  });

  it('jitters by whole pixels, each example by its own stream', () => {
    const image = tf.concat([ramp(6, 6), ramp(6, 6)], 0);
    const out = applyTransforms(image, [jitter(2)], randoms(2), 0);
    expect(out.shape).toEqual([2, 4, 4, 1]);
    const values = out.dataSync();
    for (const b of [0, 1]) {
      const first = values[b * 16]!;
      // A crop of the ramp: rows step by 6, columns by 1, and it starts within the first 2 rows and columns.
      expect(values[b * 16 + 1]! - first).toBe(1);
      expect(values[b * 16 + 4]! - first).toBe(6);
      expect([0, 1, 2, 6, 7, 8, 12, 13, 14]).toContain(first);
    }
  });

  it('rotates about the centre: a quarter turn maps the corners round', () => {
    const image = ramp(5, 5);
    const out = applyTransforms(image, [randomRotate([90])], randoms(1), 0).dataSync();
    const grid = (values: ArrayLike<number>, y: number, x: number) => values[y * 5 + x]!;
    expect(grid(out, 2, 2)).toBeCloseTo(12, 4); // the centre stays
    // Turned by 90°, each output pixel reads the pixel a quarter turn away; the four corners permute.
    const corners = [grid(out, 0, 0), grid(out, 0, 4), grid(out, 4, 4), grid(out, 4, 0)].map((v) => Math.round(v));
    expect(corners.sort((a, b) => a - b)).toEqual([0, 4, 20, 24]);
    expect(Math.round(grid(out, 0, 0))).not.toBe(0);
  });

  it('scales about the centre', () => {
    const image = ramp(9, 9);
    const out = applyTransforms(image, [randomScale([2])], randoms(1), 0).dataSync();
    expect(out[4 * 9 + 4]).toBeCloseTo(40, 4); // centre fixed
    // Zoomed in 2×: one pixel right of centre reads half a pixel right of centre.
    expect(out[4 * 9 + 5]).toBeCloseTo(40.5, 4);
  });

  it('has the transposed sampling as its gradient (adjoint test through the standard transforms)', () => {
    const [b, h, w] = [3, 20, 20];
    const x = tf.tensor4d(seededValues(b * h * w * 3, 7), [b, h, w, 3]);
    const transforms = standardTransforms(20, [24, 24]);
    const forward = (t: tf.Tensor) => applyTransforms(t, transforms, randoms(b, 9), 0);
    const y = tf.tensor4d(seededValues(b * 24 * 24 * 3, 8), [b, 24, 24, 3]);
    const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(forward(t), y)) as tf.Scalar)(x);
    const left = tf.sum(tf.mul(gradient, x)).dataSync()[0]!;
    const right = tf.sum(tf.mul(forward(x), y)).dataSync()[0]!;
    expect(Math.abs(left - right) / Math.abs(right)).toBeLessThan(1e-4);
  });
});
