/**
 * One DZI pyramid per view from several grid images (see arrangement.ts for which level comes from which
 * grid). Each grid's image is resampled to its level's width when needed and cut with sharp's `.tile()`
 * into its own DZI; only the levels that grid owns are moved into the view's `tiles_files/`, and one
 * `tiles.dzi` describes the whole. libvips cuts every pyramid down to 1 px, so a grid's levels below the ones
 * it owns are thrown away: about a third more tiling work than strictly needed, for the simplicity of
 * letting libvips do all the cutting and downsampling.
 */
import { promises as fs } from 'node:fs';
import type { Sharp } from 'sharp';
import type { Recipe } from '../../recipes/schema.ts';
import type { PyramidPlan } from './arrangement.ts';
import type { GridImage } from './compose.ts';
import { guardWrite, type StagingFolder } from './files.ts';

export type RenderSettings = Recipe['render'];

/** Tile encoding: the format and quality from the recipe; other encoder options at sharp's defaults. */
export function encodeTiles(image: Sharp, settings: RenderSettings): Sharp {
  return settings.format === 'webp'
    ? // effort 4 (sharp's default): 6 costs ~2× the time for ~3 % fewer bytes.
      image.webp({ quality: settings.quality, effort: 4 })
    : // Baseline JPEG with 4:2:0 chroma, what every browser decodes fastest.
      image.jpeg({ quality: settings.quality });
}

/** The file extension libvips gives tiles, which is also the DZI's Format. */
export const tileExtension = (settings: RenderSettings): 'jpeg' | 'webp' => settings.format;

export function dziXml(width: number, settings: RenderSettings): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="${tileExtension(settings)}" Overlap="${settings.overlap}" TileSize="${settings.tileSize}">`,
    `  <Size Width="${width}" Height="${width}"/>`,
    '</Image>',
    '',
  ].join('\n');
}

/**
 * Tiles one grid's image into the view and keeps the levels it owns. Called coarse to fine or in any order:
 * each grid writes disjoint level folders.
 */
export async function tileGrid(job: {
  folder: StagingFolder;
  plan: PyramidPlan;
  gridIndex: number;
  image: GridImage;
  settings: RenderSettings;
}): Promise<void> {
  const grid = job.plan.grids[job.gridIndex]!;
  let pipeline = job.image.open();
  if (job.image.width !== grid.width) pipeline = pipeline.resize(grid.width, grid.width, { kernel: 'lanczos3' });
  const base = job.folder.path(`.pyramid-${grid.size}`);
  await guardWrite(job.folder.shown(job.folder.path('tiles_files')), () =>
    encodeTiles(pipeline, job.settings)
      // layout 'dz': <base>.dzi and <base>_files/<level>/<column>_<row>.<ext>, cut down to a 1 px level;
      // blank tiles are written too (skipBlanks defaults to off for this layout), so no tile is missing.
      .tile({ size: job.settings.tileSize, overlap: job.settings.overlap, layout: 'dz' })
      .toFile(base),
  );
  // libvips' top level for this image must be the level the plan gave the grid, or the levels would not line up.
  const top = job.folder.path(`.pyramid-${grid.size}_files`, String(grid.dziLevel));
  const above = job.folder.path(`.pyramid-${grid.size}_files`, String(grid.dziLevel + 1));
  if (!(await exists(top)) || (await exists(above))) throw new Error(`render: the pyramid of grid ${grid.size} does not top out at level ${grid.dziLevel}`);
  await fs.mkdir(job.folder.path('tiles_files'), { recursive: true });
  for (const level of grid.owns) {
    await fs.rename(job.folder.path(`.pyramid-${grid.size}_files`, String(level)), job.folder.path('tiles_files', String(level)));
  }
  await fs.rm(`${base}.dzi`, { force: true });
  await fs.rm(`${base}_files`, { recursive: true, force: true });
}

/** A picture of the whole map, `width` px wide, from the grid the pyramid would show at that width. */
export async function pictureOf(image: GridImage, width: number, quality: number): Promise<Buffer> {
  return image.open().resize(width, width, { kernel: 'lanczos3' }).jpeg({ quality }).toBuffer();
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
