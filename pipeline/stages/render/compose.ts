/**
 * One grid level as one image: each kept cell's icon, edge-cropped, scaled by the cell's point count and
 * centred in its cell, on the background colour. Composed in horizontal strips of cell rows in plain RGB
 * buffers, so memory stays bounded however large the level (a 25,600 px level is 1.9 GB as one buffer): a
 * strip that fits the budget stays in memory, larger levels go to uncompressed libvips `.v` files that sharp
 * joins lazily.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/**
 * Share of the icon's side cut off at each edge before it is drawn. Feature-visualization icons are optimized
 * under jitter and padding, so their outer pixels are noisy; the article cut 1 % a side, 2.5 % (2 px of an
 * 80 px icon) removes the noisy rim without losing the centre.
 */
export const EDGE_CROP = 0.025;

/** Raw bytes per composed strip before a level is spilled to disk (64 MB ≈ 4,600² RGB pixels). */
export const STRIP_BYTES = 64 * 1024 * 1024;

/**
 * How much of its cell an icon fills: as in the Distill article's atlas (Atlas.html, "resize based on
 * density"), min(1, √(count / mean count)), the mean count being samples / size². A cell at or above the
 * average density fills its cell; a sparse one shrinks with the square root, so icon area ∝ count.
 */
export function iconScale(count: number, samples: number, gridSize: number): number {
  const average = samples / (gridSize * gridSize);
  if (!(average > 0) || !(count > 0)) return 1;
  return Math.min(1, Math.sqrt(count / average));
}

/** The icon's side in pixels inside a cell of `cellPixels` (at least 1 px, so a kept cell never vanishes). */
export function iconSide(count: number, samples: number, gridSize: number, cellPixels: number): number {
  return Math.max(1, Math.round(cellPixels * iconScale(count, samples, gridSize)));
}

/**
 * Share of a grid level's square covered by drawn icons: the sum of each kept cell's icon area under the density
 * rule above. A map of specks scores low; a continent of full cells high.
 */
export function drawnCoverage(cells: { count: number }[], samples: number, gridSize: number): number {
  const area = cells.reduce((sum, cell) => sum + iconScale(cell.count, samples, gridSize) ** 2, 0);
  return area / (gridSize * gridSize);
}

export function parseColour(hex: string): Rgb {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`not a colour like #ffffff: ${hex}`);
  return { r: parseInt(match[1]!, 16), g: parseInt(match[2]!, 16), b: parseInt(match[3]!, 16) };
}

export interface ComposeCell {
  x: number;
  y: number;
  count: number;
}

export interface ComposeInput {
  size: number;
  cells: ComposeCell[];
  /** One square PNG (any format sharp reads) per cell, all `iconSize` px. */
  icons: Buffer[];
  iconSize: number;
  /** Integer pixels per cell in the composed image. */
  pixelsPerCell: number;
  /** Samples in the view, for the density scale. */
  samples: number;
  background: Rgb;
  edgeCrop?: number;
  /** Folder for strips of levels over the memory budget. */
  scratch: string;
  stripBytes?: number;
}

/** A composed level: open() gives a fresh sharp pipeline reading it; dispose() frees its strips. */
export interface GridImage {
  width: number;
  open(): Sharp;
  dispose(): Promise<void>;
}

export async function composeGrid(input: ComposeInput): Promise<GridImage> {
  const { size, pixelsPerCell: cell, background } = input;
  const width = size * cell;
  const rowBytes = width * 3;
  const rowsPerStrip = Math.max(1, Math.floor((input.stripBytes ?? STRIP_BYTES) / (rowBytes * cell)));
  const inset = Math.round(input.iconSize * (input.edgeCrop ?? EDGE_CROP));
  const cropped = Math.max(1, input.iconSize - 2 * inset);

  // Cells by strip, so each strip prepares only its own icons.
  const byStrip = new Map<number, number[]>();
  input.cells.forEach((c, i) => {
    const strip = Math.floor(c.y / rowsPerStrip);
    byStrip.set(strip, [...(byStrip.get(strip) ?? []), i]);
  });

  const strips = Math.ceil(size / rowsPerStrip);
  const files: string[] = [];
  let inMemory: Buffer | undefined;
  for (let strip = 0; strip < strips; strip++) {
    const firstRow = strip * rowsPerStrip;
    const rows = Math.min(rowsPerStrip, size - firstRow);
    const height = rows * cell;
    const pixels = Buffer.alloc(width * height * 3);
    for (let i = 0; i < pixels.length; i += 3) {
      pixels[i] = background.r;
      pixels[i + 1] = background.g;
      pixels[i + 2] = background.b;
    }
    await mapLimit(byStrip.get(strip) ?? [], 4, async (index) => {
      const c = input.cells[index]!;
      const side = iconSide(c.count, input.samples, size, cell);
      const icon = await sharp(input.icons[index]!)
        // Crop the noisy rim first, then scale: lanczos3 for both enlarging and reducing.
        .extract({ left: inset, top: inset, width: cropped, height: cropped })
        .resize(side, side, { kernel: 'lanczos3' })
        // Transparent icons sit on the background; grey or CMYK ones become RGB.
        .flatten({ background })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (icon.info.channels !== 3) throw new Error(`icon of cell (${c.x}, ${c.y}) decoded to ${icon.info.channels} channels`);
      const offset = Math.floor((cell - side) / 2);
      const left = c.x * cell + offset;
      const top = (c.y - firstRow) * cell + offset;
      for (let row = 0; row < side; row++) {
        icon.data.copy(pixels, ((top + row) * width + left) * 3, row * side * 3, (row + 1) * side * 3);
      }
    });
    if (strips === 1) {
      inMemory = pixels;
    } else {
      const file = path.join(input.scratch, `grid-${size}-${process.pid}-${strip}.v`);
      await sharp(pixels, { raw: { width, height, channels: 3 } }).toFile(file);
      files.push(file);
    }
  }

  return {
    width,
    open: () =>
      inMemory
        ? sharp(inMemory, { raw: { width, height: width, channels: 3 }, limitInputPixels: false })
        : // libvips' arrayjoin pads every strip to the tallest, so the shorter last strip is cut back out.
          sharp(files, { join: { across: 1 }, limitInputPixels: false }).extract({ left: 0, top: 0, width, height: width }),
    dispose: async () => {
      inMemory = undefined;
      await Promise.all(files.map((file) => fs.rm(file, { force: true })));
    },
  };
}

/** Runs `task` over `items` with at most `limit` in flight, in order of start. */
export async function mapLimit<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
