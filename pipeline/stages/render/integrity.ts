/**
 * After rendering: every tile OpenSeadragon can ask for exists, decodes, and has the size the DZI arithmetic
 * says (no 404 holes, no truncated files, no levels out of step). Returns tiles and bytes per level.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { dziLevelWidth, dziMaxLevel, dziTileBox, dziTileCount } from './arrangement.ts';
import { mapLimit } from './compose.ts';
import type { ViewIndex } from '../../published/format.ts';

export interface PyramidReport {
  maxLevel: number;
  tiles: number;
  bytes: number;
  levels: { level: number; width: number; tiles: number; bytes: number }[];
}

export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

/** Checks the pyramid of a view folder (the one holding tiles.dzi and tiles_files/). */
export async function verifyPyramid(viewFolder: string, image: ViewIndex['image'], shownAs = viewFolder): Promise<PyramidReport> {
  const { width, tileSize, overlap, format } = image;
  const maxLevel = dziMaxLevel(Math.max(image.width, image.height));
  if (maxLevel !== Math.ceil(Math.log2(Math.max(image.width, image.height)))) {
    // OpenSeadragon's log ratio and libvips' halving would disagree on the number of levels.
    throw new IntegrityError(`${shownAs}: a ${width}px pyramid has a level count OpenSeadragon miscomputes; choose another cell size`);
  }
  const problems: string[] = [];
  const levels: PyramidReport['levels'] = [];
  for (let level = 0; level <= maxLevel; level++) {
    const levelWidth = dziLevelWidth(width, level, maxLevel);
    const count = dziTileCount(levelWidth, tileSize);
    const tiles: [number, number][] = [];
    for (let row = 0; row < count; row++) for (let column = 0; column < count; column++) tiles.push([column, row]);
    let bytes = 0;
    await mapLimit(tiles, 4, async ([column, row]) => {
      const name = path.join('tiles_files', String(level), `${column}_${row}.${format}`);
      let data: Buffer;
      try {
        data = await fs.readFile(path.join(viewFolder, name));
      } catch {
        problems.push(`${name} is missing`);
        return;
      }
      bytes += data.byteLength;
      const box = dziTileBox(levelWidth, column, row, tileSize, overlap);
      try {
        // failOn 'warning' (sharp's default) rejects truncated data as well as garbage.
        const { info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
        if (info.width !== box.width || info.height !== box.height)
          problems.push(`${name} is ${info.width}×${info.height} px, expected ${box.width}×${box.height}`);
      } catch (error) {
        problems.push(`${name} does not decode (${String((error as Error).message).split('\n')[0]})`);
      }
    });
    levels.push({ level, width: levelWidth, tiles: tiles.length, bytes });
  }
  if (problems.length) {
    problems.sort();
    throw new IntegrityError(
      `${shownAs}: ${problems.length} tile${problems.length === 1 ? '' : 's'} the viewer would request ${problems.length === 1 ? 'is' : 'are'} broken: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  }
  return { maxLevel, tiles: levels.reduce((n, l) => n + l.tiles, 0), bytes: levels.reduce((n, l) => n + l.bytes, 0), levels };
}
