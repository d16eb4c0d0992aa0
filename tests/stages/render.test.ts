/**
 * The render stage on synthetic icons and cells: semantic zoom (each grid's pyramid level shows that grid),
 * every tile present and decodable with the size OpenSeadragon expects, the DZI, cell chunks, sprites,
 * density-scaled icons, and byte-for-byte determinism.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dziLevelWidth, dziMaxLevel, dziTileBox, dziTileCount, planPyramid } from '../../pipeline/stages/render/arrangement.ts';
import { benchmarkTiles } from '../../pipeline/stages/render/bench.ts';
import { iconScale, iconSide } from '../../pipeline/stages/render/compose.ts';
import type { CellChunk, CellRecord, ViewIndex } from '../../pipeline/published/format.ts';
import type { RenderSettings } from '../../pipeline/stages/render/pyramid.ts';
import { renderView, type RenderViewResult } from '../../pipeline/stages/render/stage.ts';
import { writeFixtureAtlas } from '../fixtures/atlas-views.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-render-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const settings: RenderSettings = { format: 'jpeg', quality: 90, tileSize: 64, overlap: 1, background: '#ffffff' };
const index = {
  atlas: 'test',
  view: 'layer',
  kind: 'layer' as const,
  layer: 'layer',
  title: 'Layer',
  labels: ['whale', 'boat', 'kite'],
  focusClasses: ['whale'],
};

async function solidIcon(rgb: [number, number, number], side = 32): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

function cell(x: number, y: number, count: number, top = 0, examples: [number, number, number][] = []): CellRecord {
  return {
    x,
    y,
    count,
    classes: [
      [top, 0.1],
      [(top + 1) % 3, 0.01],
    ],
    focus: [0.05],
    examples,
    extent: [0, 0, 1, 1],
  };
}

/** Every cell of a size × size grid, all dense enough to fill their cells. */
function fullGrid(size: number, count = 1000): CellRecord[] {
  return Array.from({ length: size * size }, (_, i) => cell(i % size, Math.floor(i / size), count));
}

async function pixelAt(file: string, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

const dominant = ([r, g, b]: [number, number, number]) =>
  r > g + 60 && r > b + 60 ? 'red' : g > r + 60 && g > b + 60 ? 'green' : b > r + 60 && b > g + 60 ? 'blue' : 'mixed';

describe('pyramid arrangement', () => {
  it('puts successive doublings on successive levels at the same pixels per cell', () => {
    const plan = planPyramid([20, 40, 80, 160], 80);
    expect(plan.width).toBe(12_800);
    expect(plan.maxLevel).toBe(14);
    expect(plan.grids.map((g) => [g.size, g.dziLevel, g.width, g.pixelsPerCell])).toEqual([
      [20, 11, 1600, 80],
      [40, 12, 3200, 80],
      [80, 13, 6400, 80],
      [160, 14, 12_800, 80],
    ]);
    expect(plan.grids[0]!.owns).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(plan.grids[3]!.owns).toEqual([14]);
  });

  it('resamples other sizes to the nearest level and never lets two grids share one', () => {
    const plan = planPyramid([30, 20, 80], 64);
    expect(plan.grids.map((g) => [g.size, g.dziLevel])).toEqual([
      [20, 11],
      [30, 12],
      [80, 13],
    ]);
    // 30 is 2.67× coarser than 80: round(log2) = 1 level down, drawn 2560 px wide = 85.33 px per cell.
    expect(plan.grids[1]!.width).toBe(2560);
    expect(plan.grids[1]!.pixelsPerCell).toBeCloseTo(85.33, 2);
    expect(planPyramid([60, 80], 32).grids.map((g) => g.dziLevel)).toEqual([11, 12]);
  });

  it('matches OpenSeadragon’s DZI arithmetic', () => {
    expect(dziMaxLevel(512)).toBe(9);
    expect(dziMaxLevel(513)).toBe(10);
    expect(dziLevelWidth(6400, 10)).toBe(800);
    expect(dziLevelWidth(6401, 10)).toBe(801);
    expect(dziTileCount(800, 254)).toBe(4);
    expect(dziTileBox(800, 0, 0, 254, 1)).toEqual({ left: 0, top: 0, width: 255, height: 255 });
    expect(dziTileBox(800, 3, 1, 254, 1)).toEqual({ left: 761, top: 253, width: 39, height: 256 });
  });
});

describe('icon size', () => {
  it('grows with the point count as in the article: min(1, √(count / mean))', () => {
    // 10 × 10 grid of 10,000 samples: 100 per cell on average.
    expect(iconScale(100, 10_000, 10)).toBe(1);
    expect(iconScale(400, 10_000, 10)).toBe(1);
    expect(iconScale(25, 10_000, 10)).toBeCloseTo(0.5);
    expect(iconSide(25, 10_000, 10, 80)).toBe(40);
    expect(iconSide(0, 10_000, 10, 80)).toBe(80);
    expect(iconSide(1, 1e9, 10, 80)).toBe(1);
  });
});

describe('a rendered view', () => {
  const dir = path.join(work, 'atlas', 'layer');
  let result: RenderViewResult;
  let view: ViewIndex;
  const colours: Record<number, [number, number, number]> = { 4: [220, 20, 20], 8: [20, 200, 20], 16: [20, 20, 220] };

  beforeAll(async () => {
    const levels = await Promise.all(
      [16, 4, 8].map(async (size) => {
        const cells = fullGrid(size).map((c, i) => ({
          ...c,
          examples: [
            [i, 0, 0],
            [i + 1000, 1, 1],
          ] as [number, number, number][],
        }));
        const icon = await solidIcon(colours[size]!);
        return { size, cells, icons: cells.map(() => icon) };
      }),
    );
    // Example crops: grey level = image index, so sprite rows can be told apart.
    const crop = async ([image]: [number, number, number]) => solidIcon([image % 256, image % 256, image % 256], 20);
    result = await renderView({ dir, index: { ...index, samples: 1000 }, levels, examples: { size: 8, crop }, settings });
    view = JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8')) as ViewIndex;
  });

  it('shows each grid at its own pyramid level, coarser levels from the next finer grid', async () => {
    expect(view.levels.map((l) => [l.size, l.dziLevel, l.pixelsPerCell])).toEqual([
      [4, 7, 32],
      [8, 8, 32],
      [16, 9, 32],
    ]);
    const at = (level: number) => path.join(dir, 'tiles_files', String(level), '0_0.jpeg');
    expect(dominant(await pixelAt(at(9), 16, 16))).toBe('blue');
    expect(dominant(await pixelAt(at(8), 16, 16))).toBe('green');
    expect(dominant(await pixelAt(at(7), 16, 16))).toBe('red');
    for (const level of [0, 3, 6]) expect(dominant(await pixelAt(at(level), 0, 0))).toBe('red');
    // Far tiles too: the last tile of the finest level is blue, of level 8 green.
    expect(dominant(await pixelAt(path.join(dir, 'tiles_files', '9', '7_7.jpeg'), 30, 30))).toBe('blue');
    expect(dominant(await pixelAt(path.join(dir, 'tiles_files', '8', '3_3.jpeg'), 30, 30))).toBe('green');
  });

  it('has every tile the viewer can request, each decoding to its DZI size, and nothing else', async () => {
    const maxLevel = dziMaxLevel(view.image.width);
    expect(
      readdirSync(path.join(dir, 'tiles_files'))
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: maxLevel + 1 }, (_, i) => i));
    let tiles = 0;
    for (let level = 0; level <= maxLevel; level++) {
      const width = dziLevelWidth(view.image.width, level);
      const count = dziTileCount(width, 64);
      expect(readdirSync(path.join(dir, 'tiles_files', String(level))).length).toBe(count * count);
      for (let row = 0; row < count; row++) {
        for (let column = 0; column < count; column++) {
          const { info } = await sharp(path.join(dir, 'tiles_files', String(level), `${column}_${row}.jpeg`))
            .raw()
            .toBuffer({ resolveWithObject: true });
          const box = dziTileBox(width, column, row, 64, 1);
          expect([info.width, info.height]).toEqual([box.width, box.height]);
          tiles++;
        }
      }
    }
    expect(result.levels.reduce((n, l) => n + l.tiles, 0)).toBe(tiles);
    expect(result.levels.map((l) => l.size)).toEqual([4, 8, 16]);
    expect(readdirSync(path.dirname(dir))).toEqual(['layer']);
  });

  it('writes a DZI that describes the pyramid', () => {
    const xml = readFileSync(path.join(dir, 'tiles.dzi'), 'utf8');
    expect(xml).toContain('xmlns="http://schemas.microsoft.com/deepzoom/2008"');
    expect(xml).toMatch(/Format="jpeg" Overlap="1" TileSize="64"/);
    expect(xml).toMatch(/<Size Width="512" Height="512"\/>/);
    expect(view.image).toEqual({ dzi: 'tiles.dzi', width: 512, height: 512, tileSize: 64, overlap: 1, format: 'jpeg' });
  });

  it('counts files and bytes', () => {
    const all = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(result.files).toBe(all.length);
    expect(result.bytes).toBe(all.reduce((n, e) => n + statSync(path.join(e.parentPath, e.name)).size, 0));
    expect(result.seconds).toBeGreaterThan(0);
  });

  it('makes a thumbnail and a static image', async () => {
    expect((await sharp(path.join(dir, 'thumbnail.jpg')).metadata()).width).toBe(256);
    expect((await sharp(path.join(dir, 'static.jpg')).metadata()).width).toBe(512);
    // The thumbnail comes from the 8-grid (the coarsest at least 256 px wide), as the pyramid shows at 256 px.
    expect(dominant(await pixelAt(path.join(dir, 'thumbnail.jpg'), 100, 100))).toBe('green');
  });

  it('writes sprites with a row per cell in chunk order and a column per example', async () => {
    expect(view.examples).toBe(8);
    const chunk = JSON.parse(readFileSync(path.join(dir, 'cells', '16', '0_0.json'), 'utf8')) as CellChunk;
    const sprite = path.join(dir, 'examples', '16', '0_0.jpg');
    const meta = await sharp(sprite).metadata();
    expect([meta.width, meta.height]).toEqual([16, chunk.cells.length * 8]);
    for (const row of [0, 1, 37, 200, chunk.cells.length - 1]) {
      for (const column of [0, 1]) {
        const expected = chunk.cells[row]!.examples[column]![0] % 256;
        const [grey] = await pixelAt(sprite, column * 8 + 4, row * 8 + 4);
        expect(Math.abs(grey - expected)).toBeLessThan(12);
      }
    }
  });
});

describe('cell chunks', () => {
  it('hold exactly the kept cells, one file per non-empty block of 16 × 16 cells', async () => {
    const size = 40;
    // A sparse, irregular selection across blocks, one block (1_1) left empty.
    const cells = fullGrid(size, 50).filter((c) => (c.x * 7 + c.y * 3) % 5 === 0 && !(c.x >= 16 && c.x < 32 && c.y >= 16 && c.y < 32));
    const icon = await solidIcon([100, 100, 100], 8);
    const dir = path.join(work, 'chunks', 'view');
    await renderView({ dir, index: { ...index, samples: 50 * size * size }, levels: [{ size, cells, icons: cells.map(() => icon) }], settings });
    const view = JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8')) as ViewIndex;
    expect(view.levels[0]!.chunks).toEqual(['0_0', '1_0', '2_0', '0_1', '2_1', '0_2', '1_2', '2_2']);
    expect(readdirSync(path.join(dir, 'cells', '40')).sort()).toEqual([...view.levels[0]!.chunks].map((c) => `${c}.json`).sort());
    const written = view.levels[0]!.chunks.flatMap((id) => {
      const chunk = JSON.parse(readFileSync(path.join(dir, 'cells', '40', `${id}.json`), 'utf8')) as CellChunk;
      expect(chunk.size).toBe(40);
      expect(`${chunk.block[0]}_${chunk.block[1]}`).toBe(id);
      for (const c of chunk.cells) expect([Math.floor(c.x / 16), Math.floor(c.y / 16)]).toEqual(chunk.block);
      // Row-major inside the chunk: the order of the sprite rows.
      const order = chunk.cells.map((c) => c.y * size + c.x);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      return chunk.cells.map((c) => `${c.x},${c.y},${c.count}`);
    });
    expect(written.sort()).toEqual(cells.map((c) => `${c.x},${c.y},${c.count}`).sort());
    expect(view.levels[0]!.cells).toBe(cells.length);
    expect(view.examples).toBe(0);
  });
});

describe('icons scaled by density, on the background', () => {
  it('draws a sparse cell’s icon smaller, centred, the rest of its cell in the background colour', async () => {
    // 2 × 2 grid, 400 samples: 100 per cell on average. Counts 100 and 25 → 32 px and 16 px icons in 32 px cells.
    const cells = [cell(0, 0, 100), cell(1, 1, 25)];
    const icon = await solidIcon([200, 30, 30], 40);
    const dir = path.join(work, 'density', 'view');
    await renderView({
      dir,
      index: { ...index, samples: 400 },
      levels: [{ size: 2, cells, icons: [icon, icon] }],
      settings: { ...settings, cellPixels: 32, background: '#204080' },
      edgeCrop: 0,
    });
    const { data, info } = await sharp(path.join(dir, 'tiles_files', '6', '0_0.jpeg'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(64);
    const redIn = (x0: number, y0: number) => {
      let n = 0;
      for (let y = y0; y < y0 + 32; y++) for (let x = x0; x < x0 + 32; x++) if (data[(y * 64 + x) * 3]! > 150) n++;
      return n;
    };
    expect(redIn(0, 0)).toBeGreaterThan(32 * 32 * 0.95);
    expect(redIn(32, 32)).toBeGreaterThan(16 * 16 * 0.85);
    expect(redIn(32, 32)).toBeLessThan(16 * 16 * 1.2);
    const centre = (x: number, y: number) => [data[(y * 64 + x) * 3]!, data[(y * 64 + x) * 3 + 2]!];
    expect(centre(48, 48)[0]).toBeGreaterThan(150);
    // Corner of the sparse cell and the empty cells: background #204080.
    for (const [x, y] of [
      [34, 34],
      [48, 16],
      [16, 48],
    ] as const) {
      const [r, b] = centre(x, y);
      expect(Math.abs(r! - 0x20)).toBeLessThan(20);
      expect(Math.abs(b! - 0x80)).toBeLessThan(20);
    }
  });
});

describe('determinism', () => {
  it('gives the same bytes for the same input', async () => {
    const [a, b] = [path.join(work, 'same-a'), path.join(work, 'same-b')];
    await writeFixtureAtlas(a);
    await writeFixtureAtlas(b);
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
    expect(files(a)).toEqual(files(b));
    expect(files(a).length).toBeGreaterThan(60);
    for (const file of files(a)) expect(readFileSync(path.join(a, file)).equals(readFileSync(path.join(b, file))), file).toBe(true);
  });
});

describe('the tiles-per-second benchmark', () => {
  it('counts every tile of the pyramid it cuts', async () => {
    const result = await benchmarkTiles({ width: 600, settings: { tileSize: 128 } });
    let tiles = 0;
    for (let level = 0; level <= dziMaxLevel(600); level++) tiles += dziTileCount(dziLevelWidth(600, level), 128) ** 2;
    expect(result).toMatchObject({ width: 600, format: 'jpeg', tileSize: 128, tiles });
    expect(result.tilesPerSecond).toBeGreaterThan(0);
  });
});
