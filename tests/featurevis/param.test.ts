/** Image parameterizations: the Fourier inverse is numpy's irfft2, colours decorrelate, values stay in range. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { inverseDft, irfft2, spectrumFrequencies, spectrumScale } from '../../pipeline/featurevis/param/fourier.ts';
import { colorCorrelation, decorrelatedToRgb } from '../../pipeline/featurevis/param/color.ts';
import { imageParam } from '../../pipeline/featurevis/param/index.ts';
import { Random } from '../../pipeline/random.ts';
import { seededValues } from '../helpers/random.ts';
import { maxRelativeError } from '../helpers/compare.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

/**
 * numpy.fft.irfft2 written out from its definition: an inverse DFT along y (complex), then along x the inverse
 * real DFT of each row's half spectrum — its own term once for DC and Nyquist, twice (real part) otherwise.
 */
function directIrfft2(re: Float32Array, im: Float32Array, h: number, w: number): Float64Array {
  const columns = Math.floor(w / 2) + 1;
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    const zr = new Float64Array(columns);
    const zi = new Float64Array(columns);
    for (let kx = 0; kx < columns; kx++) {
      for (let ky = 0; ky < h; ky++) {
        const angle = (2 * Math.PI * ky * y) / h;
        const [r, i] = [re[ky * columns + kx]!, im[ky * columns + kx]!];
        zr[kx]! += (r * Math.cos(angle) - i * Math.sin(angle)) / h;
        zi[kx]! += (r * Math.sin(angle) + i * Math.cos(angle)) / h;
      }
    }
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let kx = 0; kx < columns; kx++) {
        const twice = kx === 0 || (w % 2 === 0 && kx === w / 2) ? 1 : 2;
        const angle = (2 * Math.PI * kx * x) / w;
        sum += twice * (zr[kx]! * Math.cos(angle) - zi[kx]! * Math.sin(angle));
      }
      out[y * w + x] = sum / w;
    }
  }
  return out;
}

describe('Fourier parameterization', () => {
  for (const [h, w] of [
    [8, 8],
    [7, 10],
    [12, 9],
  ] as const) {
    it(`inverts like a direct DFT (${h}×${w}, even and odd sizes)`, () => {
      const columns = Math.floor(w / 2) + 1;
      const re = seededValues(h * columns, h * 100 + w);
      const im = seededValues(h * columns, h * 100 + w + 1);
      // Two images at once, laid out [n, h, re|im, kx].
      const spectrum = new Float32Array(2 * h * 2 * columns);
      for (let n = 0; n < 2; n++) {
        for (let ky = 0; ky < h; ky++) {
          for (let kx = 0; kx < columns; kx++) {
            spectrum[((n * h + ky) * 2 + 0) * columns + kx] = re[ky * columns + kx]! * (n + 1);
            spectrum[((n * h + ky) * 2 + 1) * columns + kx] = im[ky * columns + kx]! * (n + 1);
          }
        }
      }
      const dft = inverseDft(h, w);
      const images = irfft2(tf.tensor4d(spectrum, [2, h, 2, columns]), dft).dataSync() as Float32Array;
      const expected = directIrfft2(re, im, h, w);
      expect(maxRelativeError(images.subarray(0, h * w), expected)).toBeLessThan(1e-5);
      expect(
        maxRelativeError(
          images.subarray(h * w),
          expected.map((v) => 2 * v),
        ),
      ).toBeLessThan(1e-5);
    });
  }

  it('has its gradient equal to the transposed transform (adjoint test)', () => {
    const [h, w] = [6, 8];
    const columns = w / 2 + 1;
    const dft = inverseDft(h, w);
    const x = tf.tensor4d(seededValues(h * 2 * columns, 3), [1, h, 2, columns]);
    const y = tf.tensor3d(seededValues(h * w, 4), [1, h, w]);
    const gradient = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(irfft2(s, dft), y)) as tf.Scalar)(x);
    // d/dx <F x, y> = Fᵀ y, so <Fᵀ y, x> = <F x, y>.
    const left = tf.sum(tf.mul(gradient, x)).dataSync()[0]!;
    const right = tf.sum(tf.mul(irfft2(x, dft), y)).dataSync()[0]!;
    expect(Math.abs(left - right) / Math.abs(right)).toBeLessThan(1e-4);
  });

  it('scales coefficients by 1/frequency, with the DC term capped', () => {
    const frequencies = spectrumFrequencies(4, 6);
    expect(frequencies.length).toBe(4 * 4);
    expect(frequencies[0]).toBe(0);
    expect(frequencies[1]).toBeCloseTo(1 / 6); // kx = 1
    expect(frequencies[4]).toBeCloseTo(1 / 4); // ky = 1
    expect(frequencies[2 * 4]).toBeCloseTo(0.5); // ky = 2 is the Nyquist row (fftfreq gives −0.5)
    const scale = spectrumScale(4, 6);
    expect(scale[0]).toBeCloseTo(6 * Math.sqrt(24)); // DC capped at 1/max(h, w)
    expect(scale[1]).toBeCloseTo(6 * Math.sqrt(24));
    expect(scale[4]).toBeCloseTo(4 * Math.sqrt(24));
  });
});

describe('colour and range', () => {
  it('maps decorrelated values to RGB with the normalized ImageNet matrix (largest column of unit length)', () => {
    const matrix = colorCorrelation();
    const norms = [0, 1, 2].map((c) => Math.hypot(...matrix.map((row) => row[c]!)));
    expect(Math.max(...norms)).toBeCloseTo(1, 6);
    // The first axis is luminance: it moves R, G and B together.
    const rgb = decorrelatedToRgb(tf.tensor4d([1, 0, 0], [1, 1, 1, 3])).dataSync();
    expect(Array.from(rgb)).toEqual(matrix.map((row) => expect.closeTo(row[0]!, 6)));
  });

  it('gives images in [0, 1], starting near grey, for both parameterizations', () => {
    for (const parameterization of ['fourier', 'pixels'] as const) {
      const param = imageParam({ height: 16, width: 12, parameterization, decorrelate: true, range: 'sigmoid' });
      const values = tf.tensor([...param.initial(new Random(1)), ...param.initial(new Random(2))], [2, ...param.shape]);
      const image = param.toImage(values);
      expect(image.shape).toEqual([2, 16, 12, 3]);
      const data = image.dataSync();
      expect(Math.min(...data)).toBeGreaterThan(0.3);
      expect(Math.max(...data)).toBeLessThan(0.7);
      // Large values saturate rather than leave the range.
      const big = param.toImage(tf.mul(values, 1e4)).dataSync();
      expect(Math.min(...big)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...big)).toBeLessThanOrEqual(1);
      param.dispose();
    }
  });
});

describe('warm starts', () => {
  for (const parameterization of ['fourier', 'pixels'] as const) {
    for (const [height, width] of [
      [16, 16],
      [12, 15],
    ] as const) {
      it(`fromImage inverts toImage: ${parameterization}, ${height}×${width}`, () => {
        const param = imageParam({ height, width, parameterization, decorrelate: true, range: 'sigmoid', initialScale: 0.5 });
        const start = param.initial(new Random(3));
        const image = tf.tidy(() => param.toImage(tf.tensor(start, [1, ...param.shape])).dataSync() as Float32Array);
        const values = param.fromImage(image);
        const again = tf.tidy(() => param.toImage(tf.tensor(values, [1, ...param.shape])).dataSync() as Float32Array);
        expect(maxRelativeError(again, image)).toBeLessThan(1e-4);
        param.dispose();
      });
    }
  }
});
