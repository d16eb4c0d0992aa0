/** The seam finder the browser seam test relies on (tests/helpers/seams.ts): it must see light lines, and only them. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { findSeams } from '../helpers/seams.ts';

/** A smooth mid-tone texture like the "seams" fixture's, with `mark` applied to some pixels. */
async function texture(mark?: (x: number, y: number, rgb: number[]) => number[]): Promise<Buffer> {
  const size = 200;
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rgb = [110 + 60 * Math.sin(x / 37), 100 + 50 * Math.sin(y / 53), 120 + 50 * Math.sin((x + y) / 71)];
      if (mark) rgb = mark(x, y, rgb);
      pixels.set(rgb.map(Math.round), (y * size + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

describe('findSeams', () => {
  it('finds nothing in a smooth texture', async () => {
    expect(await findSeams(await texture())).toEqual([]);
  });

  it('finds a one-pixel white column between tiles', async () => {
    const seams = await findSeams(await texture((x, y, rgb) => (x === 120 && y > 30 && y < 170 ? [255, 255, 255] : rgb)));
    expect(seams).toEqual([{ direction: 'column', at: 120, from: 31, length: 139 }]);
  });

  it('finds a row where the page shows half through (a blended seam)', async () => {
    const seams = await findSeams(await texture((x, y, rgb) => (y === 64 ? rgb.map((v) => (v + 255) / 2) : rgb)));
    expect(seams.map((s) => [s.direction, s.at])).toEqual([['row', 64]]);
    expect(seams[0]!.length).toBeGreaterThan(190);
  });

  it('ignores light dots and short dashes', async () => {
    expect(await findSeams(await texture((x, y, rgb) => (y === 90 && x > 40 && x < 50 ? [255, 255, 255] : rgb)))).toEqual([]);
  });
});
