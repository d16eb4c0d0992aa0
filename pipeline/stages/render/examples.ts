/**
 * Data-set example sprites: for each cell chunk, one JPEG with a row per cell (in the chunk's order) and a
 * column per example (the samples nearest the cell's mean), each `size` px square. A cell with fewer examples
 * than the widest leaves the rest of its row in the background colour.
 */
import sharp from 'sharp';
import type { CellChunk } from '../../published/format.ts';
import { mapLimit, type Rgb } from './compose.ts';

export type Origin = [image: number, y: number, x: number];
export type CropImage = (origin: Origin) => Promise<Buffer>;

/** Crops are asked for once per origin per view: the same sample is often among several levels' examples. */
export function memoizeCrops(crop: CropImage, size: number): (origin: Origin) => Promise<Buffer> {
  const cache = new Map<string, Promise<Buffer>>();
  return (origin) => {
    const key = origin.join(',');
    let pixels = cache.get(key);
    if (!pixels) {
      pixels = crop(origin).then((image) =>
        sharp(image)
          // Cover: a non-square crop is centred and trimmed rather than letterboxed.
          .resize(size, size, { fit: 'cover', kernel: 'lanczos3' })
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer(),
      );
      cache.set(key, pixels);
    }
    return pixels;
  };
}

export async function spriteOf(sprite: {
  chunk: CellChunk;
  columns: number;
  size: number;
  background: Rgb;
  quality: number;
  pixelsOf: (origin: Origin) => Promise<Buffer>;
}): Promise<Buffer> {
  const { chunk, size, background } = sprite;
  const width = Math.max(1, sprite.columns) * size;
  const height = chunk.cells.length * size;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = background.r;
    pixels[i + 1] = background.g;
    pixels[i + 2] = background.b;
  }
  const jobs = chunk.cells.flatMap((cell, row) => cell.examples.slice(0, sprite.columns).map((origin, column) => ({ origin, row, column })));
  await mapLimit(jobs, 4, async ({ origin, row, column }) => {
    const example = await sprite.pixelsOf(origin);
    for (let line = 0; line < size; line++) {
      example.copy(pixels, ((row * size + line) * width + column * size) * 3, line * size * 3, (line + 1) * size * 3);
    }
  });
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: sprite.quality })
    .toBuffer();
}
