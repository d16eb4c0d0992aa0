/** Contact sheets: a grid of generated images per class, as PNG, for the README and for looking at the world. */
import sharp from 'sharp';
import { CLASS_NAMES, IMAGE_SIZE, drawImage, type Split } from './world.ts';

export async function contactSheet(seed: number, label: number, columns = 8, rows = 2, scale = 1, split: Split = 'train'): Promise<Buffer> {
  const size = IMAGE_SIZE * scale;
  const tiles = [];
  for (let i = 0; i < columns * rows; i++) {
    const image = drawImage(seed, split, label + i * CLASS_NAMES.length);
    const tile = await sharp(Buffer.from(image.pixels), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } })
      .resize(size, size, { kernel: 'nearest' })
      .png()
      .toBuffer();
    tiles.push({ input: tile, left: (i % columns) * size, top: Math.floor(i / columns) * size });
  }
  return sharp({ create: { width: columns * size, height: rows * size, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(tiles)
    .png({ palette: true, quality: 90, compressionLevel: 9 })
    .toBuffer();
}
