/**
 * The render stage's bad inputs and failures: clear messages, nothing half-written, an existing view kept
 * until a new one is complete; broken pyramids found by the integrity check; levels composed in strips on
 * disk equal levels composed in memory; grid sizes that are not doublings; WebP tiles.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isUserError } from '../../pipeline/errors.ts';
import { dziLevelWidth, dziMaxLevel, dziTileCount } from '../../pipeline/stages/render/arrangement.ts';
import { io, isDiskFull } from '../../pipeline/stages/render/files.ts';
import type { CellRecord, ViewIndex } from '../../pipeline/published/format.ts';
import { IntegrityError, verifyPyramid } from '../../pipeline/stages/render/integrity.ts';
import type { RenderSettings } from '../../pipeline/stages/render/pyramid.ts';
import { renderView, type RenderViewOptions } from '../../pipeline/stages/render/stage.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-render-failures-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const originalWrite = io.writeFile;
afterEach(() => {
  io.writeFile = originalWrite;
});

const settings: RenderSettings = { format: 'jpeg', quality: 85, tileSize: 64, overlap: 1, background: '#ffffff' };
const index = { atlas: 'test', view: 'v', kind: 'layer' as const, layer: 'layer', title: 'Layer', samples: 1000, labels: ['a', 'b'], focusClasses: [] };

async function patternIcon(seed: number, side = 16): Promise<Buffer> {
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + seed * 101) % 256;
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
}

function cells(size: number, every = 1): CellRecord[] {
  return Array.from({ length: size * size }, (_, i) => i)
    .filter((i) => i % every === 0)
    .map((i) => ({
      x: i % size,
      y: Math.floor(i / size),
      count: 20 + (i % 7) * 10,
      classes: [[i % 2, 0.1]],
      focus: [],
      examples: [[i, 0, 0]],
      extent: [0, 0, 1, 1],
    }));
}

async function level(size: number, every = 1, side = 16) {
  const list = cells(size, every);
  return { size, cells: list, icons: await Promise.all(list.map((_, i) => patternIcon(i, side))) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('bad input', () => {
  it('refuses icons of the wrong count, size or shape, naming the level and cell', async () => {
    const base = await level(4);
    const dir = path.join(work, 'bad', 'v');
    const short = await rejection(renderView({ dir, index, levels: [{ ...base, icons: base.icons.slice(1) }], settings }));
    expect(isUserError(short)).toBe(true);
    expect(short.message).toBe('view test/v, grid 4: 16 cells but 15 icons; the icons stage must give one icon per kept cell.');

    const mixed = [...base.icons];
    mixed[5] = await patternIcon(5, 20);
    const size = await rejection(renderView({ dir, index, levels: [{ ...base, icons: mixed }], settings }));
    expect(size.message).toBe(
      'view test/v, grid 4: the icon of cell (1, 1) is 20×20 px; every icon of a view must be square and the same size (16×16 px here).',
    );

    mixed[5] = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect((await rejection(renderView({ dir, index, levels: [{ ...base, icons: mixed }], settings }))).message).toContain('is 16×12 px');

    mixed[5] = Buffer.from('not an image');
    expect((await rejection(renderView({ dir, index, levels: [{ ...base, icons: mixed }], settings }))).message).toMatch(
      /^view test\/v, grid 4: the icon of cell \(1, 1\) is not a readable image/,
    );

    const outside = { ...base, cells: base.cells.map((c, i) => (i === 3 ? { ...c, x: 4 } : c)) };
    expect((await rejection(renderView({ dir, index, levels: [outside], settings }))).message).toBe(
      'view test/v, grid 4: cell 3 at (4, 0) lies outside the 4×4 grid.',
    );
    expect(entries(path.join(work, 'bad'))).toEqual([]);
  });

  it('leaves a level without kept cells out of the pyramid and the index', async () => {
    const dir = path.join(work, 'empty-level', 'v');
    const result = await renderView({ dir, index, levels: [await level(2), { size: 4, cells: [], icons: [] }, await level(8)], settings });
    const view = JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8')) as ViewIndex;
    // 2 is two doublings below 8: it keeps its own level, and level 6 comes from the 8-grid.
    expect(view.levels.map((l) => [l.size, l.dziLevel])).toEqual([
      [2, 5],
      [8, 7],
    ]);
    expect(result.levels.map((l) => l.size)).toEqual([2, 8]);
    expect(existsSync(path.join(dir, 'cells', '4'))).toBe(false);
    expect(existsSync(path.join(dir, 'tiles_files', '6', '0_0.jpeg'))).toBe(true);
  });

  it('stops when every level is empty', async () => {
    const error = await rejection(renderView({ dir: path.join(work, 'all-empty', 'v'), index, levels: [{ size: 4, cells: [], icons: [] }], settings }));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe('view test/v: no grid level has a kept cell; lower grids.minCount or add images.');
    expect(entries(path.join(work, 'all-empty'))).toEqual([]);
  });
});

describe('a disk that fills up mid-render', () => {
  it('fails with one sentence, leaves nothing half-written and keeps the previous view', async () => {
    const parent = path.join(work, 'full');
    const scratch = path.join(work, 'full-scratch');
    const dir = path.join(parent, 'v');
    const options: RenderViewOptions = {
      dir,
      index,
      levels: [await level(4), await level(8)],
      settings,
      cacheDir: scratch,
      examples: { size: 8, crop: () => patternIcon(1, 12) },
    };
    await renderView(options);
    const before = readFileSync(path.join(dir, 'view.json'));

    let writes = 0;
    io.writeFile = async (file, data) => {
      if (++writes === 3) throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      return originalWrite(file, data);
    };
    const error = await rejection(renderView({ ...options, index: { ...index, title: 'New' } }));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^disk full while writing ${dir}/\\S+; free space and run again$`));
    expect(entries(parent)).toEqual(['v']);
    expect(entries(scratch)).toEqual([]);
    expect(readFileSync(path.join(dir, 'view.json')).equals(before)).toBe(true);

    // Free space again: the next run replaces the view whole.
    io.writeFile = originalWrite;
    await renderView({ ...options, index: { ...index, title: 'New' } });
    expect((JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8')) as ViewIndex).title).toBe('New');
    expect(entries(parent)).toEqual(['v']);
  });

  it('recognizes libvips’ way of saying so', () => {
    expect(isDiskFull(new Error('VipsForeignSaveDz: unable to write to "x": No space left on device'))).toBe(true);
    expect(isDiskFull(new Error('vips__file_write: write failed'))).toBe(false);
  });
});

describe('the integrity check', () => {
  it('finds missing, truncated and wrongly sized tiles', async () => {
    const dir = path.join(work, 'broken', 'v');
    await renderView({ dir, index, levels: [await level(8)], settings });
    const view = JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8')) as ViewIndex;
    await expect(verifyPyramid(dir, view.image)).resolves.toMatchObject({ maxLevel: 7 });
    unlinkSync(path.join(dir, 'tiles_files', '7', '1_1.jpeg'));
    truncateSync(path.join(dir, 'tiles_files', '6', '0_0.jpeg'), 100);
    writeFileSync(
      path.join(dir, 'tiles_files', '3', '0_0.jpeg'),
      await sharp({ create: { width: 5, height: 5, channels: 3, background: '#fff' } })
        .jpeg()
        .toBuffer(),
    );
    const error = await rejection(verifyPyramid(dir, view.image));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/^\S+: 3 tiles the viewer would request are broken: /);
    expect(error.message).toContain('tiles_files/7/1_1.jpeg is missing');
    expect(error.message).toContain('tiles_files/6/0_0.jpeg does not decode');
    expect(error.message).toContain('tiles_files/3/0_0.jpeg is 5×5 px, expected 8×8');
  });
});

describe('levels larger than the memory budget', () => {
  it('composes them in strips on disk with the same result as in memory', async () => {
    const levels = [await level(8, 3), await level(16, 2)];
    const inMemory = path.join(work, 'strips', 'memory');
    const inStrips = path.join(work, 'strips', 'strips');
    await renderView({ dir: inMemory, index, levels, settings });
    // 16 cells × 16 px × 3 bytes per pixel row: 768 bytes; 3 cell rows per strip.
    await renderView({ dir: inStrips, index, levels, settings, stripBytes: 768 * 16 * 3, cacheDir: path.join(work, 'strips-scratch') });
    const width = 256;
    for (let level = 0; level <= dziMaxLevel(width); level++) {
      const count = dziTileCount(dziLevelWidth(width, level), 64);
      for (let i = 0; i < count * count; i++) {
        const name = path.join('tiles_files', String(level), `${i % count}_${Math.floor(i / count)}.jpeg`);
        expect(readFileSync(path.join(inStrips, name)).equals(readFileSync(path.join(inMemory, name))), name).toBe(true);
      }
    }
    expect(entries(path.join(work, 'strips-scratch'))).toEqual([]);
  });
});

describe('grid sizes that are not doublings', () => {
  it('resamples each grid to its level and keeps every tile', async () => {
    const dir = path.join(work, 'odd', 'v');
    await renderView({ dir, index, levels: [await level(5), await level(6), await level(16, 2)], settings: { ...settings, format: 'webp', quality: 70 } });
    const view = JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8')) as ViewIndex;
    // 256 px at level 8; 6 → round(log2 2.67) = 1 level down (128 px); 5 → pushed to level 6 (64 px).
    expect(view.levels.map((l) => [l.size, l.dziLevel, Number(l.pixelsPerCell.toFixed(2))])).toEqual([
      [5, 6, 12.8],
      [6, 7, 21.33],
      [16, 8, 16],
    ]);
    expect(view.image.format).toBe('webp');
    expect(readFileSync(path.join(dir, 'tiles.dzi'), 'utf8')).toContain('Format="webp"');
    const report = await verifyPyramid(dir, view.image);
    expect(report.levels.map((l) => l.width)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect((await sharp(path.join(dir, 'tiles_files', '7', '0_0.webp')).metadata()).format).toBe('webp');
  });
});

mkdirSync(work, { recursive: true });
