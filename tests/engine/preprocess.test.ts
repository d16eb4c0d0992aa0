/** Declared preprocessing: value range or mean/std, channel order, and images fitted to the input size. */
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { preprocessSchema, readImage, toInput } from '../../pipeline/models/preprocess.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const pixel = Uint8Array.of(0, 128, 255);

describe('preprocessing', () => {
  it('scales to a value range', () => {
    const p = preprocessSchema.parse({ size: 1, range: [-1, 1] });
    const values = Array.from(toInput([pixel], p).dataSync());
    [-1, 128 / 127.5 - 1, 1].forEach((expected, i) => expect(values[i]).toBeCloseTo(expected, 6));
  });

  it('normalizes with mean and std, in BGR order when asked', () => {
    const p = preprocessSchema.parse({ size: 1, mean: [10, 20, 30], std: [2, 4, 5], channels: 'bgr' });
    const values = Array.from(toInput([pixel], p).dataSync());
    // BGR: blue first, normalized with the blue statistics.
    [(255 - 30) / 5, (128 - 20) / 4, (0 - 10) / 2].forEach((expected, i) => expect(values[i]).toBeCloseTo(expected, 5));
  });

  it('refuses range together with mean/std', () => {
    expect(preprocessSchema.safeParse({ size: 4, range: [0, 1], mean: [1, 2, 3] }).success).toBe(false);
  });

  it('fits images by stretching, cropping or padding', async () => {
    // A 4×2 image: left half red, right half blue.
    const wide = await sharp({ create: { width: 4, height: 2, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .composite([{ input: { create: { width: 2, height: 2, channels: 3, background: { r: 0, g: 0, b: 255 } } }, left: 2, top: 0 }])
      .png()
      .toBuffer();
    const pad = await readImage(wide, preprocessSchema.parse({ size: 4, resize: 'pad' }));
    expect(Array.from(pad.subarray(0, 3))).toEqual([0, 0, 0]); // the top row is padding
    const crop = await readImage(wide, preprocessSchema.parse({ size: 2, resize: 'crop' }));
    expect(crop.length).toBe(2 * 2 * 3);
    const stretch = await readImage(wide, preprocessSchema.parse({ size: [2, 4], resize: 'stretch' }));
    expect(Array.from(stretch.subarray(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(stretch.subarray(9, 12))).toEqual([0, 0, 255]);
  });
});
