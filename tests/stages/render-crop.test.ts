/**
 * Data-set example crops (the `examples` icon mode and the sprites): the receptive-field box around a layer
 * position, cut from the image as the model saw it, for synthetic and folder data sets.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { cropBox, datasetImages, defaultField, exampleCrop, exampleCropper, type RgbImage } from '../../pipeline/datasets/crop.ts';
import { drawImage } from '../../pipeline/datasets/synthetic/world.ts';
import { preprocessSchema } from '../../pipeline/models/preprocess.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-crop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 64 × 64 image whose red is 4·x and green 4·y: a pixel says where it came from. */
function coordinateImage(): RgbImage {
  const pixels = new Uint8Array(64 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) pixels.set([x * 4, y * 4, 128], (y * 64 + x) * 3);
  return { pixels, width: 64, height: 64 };
}

describe('receptive-field box', () => {
  it('spans a few strides, a quarter of the input at least, the whole input at most', () => {
    expect(defaultField([64, 64], [16, 16])).toBe(16);
    expect(defaultField([64, 64], [8, 8])).toBe(32);
    expect(defaultField([64, 64], [4, 4])).toBe(64);
    expect(defaultField([224, 224], [7, 7])).toBe(128);
  });

  it('is centred on the position’s stride cell and shifted inside the image at the borders', () => {
    expect(cropBox({ input: [64, 64], layer: [8, 8], position: [3, 5] })).toEqual({ left: 28, top: 12, width: 32, height: 32 });
    expect(cropBox({ input: [64, 64], layer: [8, 8], position: [0, 0] })).toEqual({ left: 0, top: 0, width: 32, height: 32 });
    expect(cropBox({ input: [64, 64], layer: [8, 8], position: [7, 7] })).toEqual({ left: 32, top: 32, width: 32, height: 32 });
    expect(cropBox({ input: [64, 64], layer: [8, 8], position: [4, 4], field: 8 })).toEqual({ left: 32, top: 32, width: 8, height: 8 });
    expect(() => cropBox({ input: [64, 64], layer: [8, 8], position: [8, 0] })).toThrow('outside the 8×8 layer');
  });
});

describe('exampleCrop', () => {
  it('cuts that box and scales it to the requested size', async () => {
    const png = await exampleCrop({ image: coordinateImage(), layerSize: [8, 8], position: [3, 5], size: 32 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.format]).toEqual([32, 32, 'raw']);
    expect([data[0], data[1]]).toEqual([28 * 4, 12 * 4]);
    const last = (31 * 32 + 31) * info.channels;
    expect([data[last], data[last + 1]]).toEqual([59 * 4, 43 * 4]);
    const big = await sharp(await exampleCrop({ image: coordinateImage(), layerSize: [16, 16], position: [0, 0], size: 80 })).metadata();
    expect([big.width, big.height, big.format]).toEqual([80, 80, 'png']);
  });
});

describe('data-set images by index', () => {
  it('reads synthetic images as drawn and resizes them to another input size', async () => {
    const data = { synthetic: { seed: 5, split: 'test' as const }, count: 10 };
    const read = datasetImages({ data, preprocess: preprocessSchema.parse({ size: 64, range: [0, 1] }), root: work });
    expect(Buffer.from((await read(3)).pixels).equals(Buffer.from(drawImage(5, 'test', 3).pixels))).toBe(true);
    const larger = await datasetImages({ data, preprocess: preprocessSchema.parse({ size: 96, range: [0, 1] }), root: work })(3);
    expect([larger.width, larger.height, larger.pixels.length]).toEqual([96, 96, 96 * 96 * 3]);
    const crop = exampleCropper({ data, preprocess: preprocessSchema.parse({ size: 64, range: [0, 1] }), root: work, layerSize: [8, 8], size: 40 });
    expect((await sharp(await crop([3, 2, 2])).metadata()).width).toBe(40);
  });

  it('reads a folder’s images in the activations stage’s order, fitted like the model’s input', async () => {
    const folder = path.join(work, 'photos');
    const colours: Record<string, [number, number, number][]> = {
      cat: [
        [250, 0, 0],
        [0, 250, 0],
      ],
      dog: [[0, 0, 250]],
    };
    for (const [label, list] of Object.entries(colours)) {
      mkdirSync(path.join(folder, label), { recursive: true });
      for (const [i, [r, g, b]] of list.entries()) {
        await sharp({ create: { width: 60, height: 40, channels: 3, background: { r, g, b } } })
          .png()
          .toFile(path.join(folder, label, `${i}.png`));
      }
    }
    const read = datasetImages({ data: { folder: 'photos', count: 10 }, preprocess: preprocessSchema.parse({ size: 32, range: [0, 1] }), root: work });
    const images = await Promise.all([0, 1, 2].map(read));
    expect(images.map((image) => [image.width, image.height])).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
    expect(images.map((image) => [...image.pixels.slice(0, 3)])).toEqual([
      [250, 0, 0],
      [0, 250, 0],
      [0, 0, 250],
    ]);
    await expect(read(3)).rejects.toThrow('image 3 of the data set is gone');
  });
});
