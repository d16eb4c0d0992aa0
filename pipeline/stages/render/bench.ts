/**
 * Tiles per second: how fast a composed level is cut into a DZI pyramid with the recipe's tile settings.
 * For `npm run bench:icons` (its tiles/s column) and for sizing big atlases. The image is a deterministic
 * texture of 80 px cells (noise over a per-cell colour), which JPEG and WebP find about as hard as icons.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { encodeTiles, type RenderSettings } from './pyramid.ts';

export interface TileBenchmark {
  width: number;
  format: 'jpeg' | 'webp';
  tileSize: number;
  tiles: number;
  bytes: number;
  seconds: number;
  tilesPerSecond: number;
}

export async function benchmarkTiles(options: { width?: number; settings?: Partial<RenderSettings>; scratch?: string } = {}): Promise<TileBenchmark> {
  const width = options.width ?? 6400;
  const settings: RenderSettings = { format: 'jpeg', quality: 85, tileSize: 254, overlap: 1, background: '#ffffff', ...options.settings };
  const pixels = texture(width);
  const folder = await fs.mkdtemp(path.join(options.scratch ?? os.tmpdir(), 'atlas-tile-bench-'));
  try {
    const start = performance.now();
    await encodeTiles(sharp(pixels, { raw: { width, height: width, channels: 3 }, limitInputPixels: false }), settings)
      .tile({ size: settings.tileSize, overlap: settings.overlap, layout: 'dz' })
      .toFile(path.join(folder, 'bench'));
    const seconds = (performance.now() - start) / 1000;
    let tiles = 0;
    let bytes = 0;
    for (const entry of await fs.readdir(path.join(folder, 'bench_files'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(`.${settings.format}`)) continue;
      tiles++;
      bytes += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
    }
    return { width, format: settings.format, tileSize: settings.tileSize, tiles, bytes, seconds, tilesPerSecond: tiles / seconds };
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

function texture(width: number): Buffer {
  const pixels = Buffer.alloc(width * width * 3);
  let state = 12345;
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const cell = Math.floor(y / 80) * 1000 + Math.floor(x / 80);
      state = (state * 1103515245 + 12345) >>> 0;
      const noise = (state >>> 24) - 128;
      const at = (y * width + x) * 3;
      pixels[at] = clamp(((cell * 67) % 200) + 30 + (noise >> 4));
      pixels[at + 1] = clamp(((cell * 131) % 200) + 30 + (noise >> 4));
      pixels[at + 2] = clamp(((cell * 29) % 200) + 30 + (noise >> 4));
    }
  }
  return pixels;
}

const clamp = (v: number) => Math.max(0, Math.min(255, v));
