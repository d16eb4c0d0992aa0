/**
 * The render stage for one view: grid levels with their icons in, the published view out (see format.ts):
 * one semantic-zoom DZI pyramid, cell chunks, example sprites, thumbnail, static image, view.json.
 * Everything is written into a temporary folder beside `dir`, checked (every tile the viewer can request
 * exists and decodes), then renamed into place; on any failure the temporary folder is removed.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { UserError } from '../../errors.ts';
import { gridForWidth, planPyramid, type PyramidPlan } from './arrangement.ts';
import { chunkCells } from './cells.ts';
import { composeGrid, parseColour, EDGE_CROP } from './compose.ts';
import { describeView } from './describe.ts';
import { memoizeCrops, spriteOf, type CropImage } from './examples.ts';
import { StagingFolder, diskFullError, isDiskFull } from './files.ts';
import { FORMAT_VERSION, type CellRecord, type LevelIndex, type ViewIndex } from '../../published/format.ts';
import { verifyPyramid } from './integrity.ts';
import { dziXml, pictureOf, tileGrid, type RenderSettings } from './pyramid.ts';

/** Sides of the minimap thumbnail and of the static image (print, no-JS readers, social cards). */
export const THUMBNAIL_PIXELS = 256;
export const STATIC_PIXELS = 1600;

export interface RenderLevelInput {
  size: number;
  cells: CellRecord[];
  /** One square image (PNG or anything sharp reads) per cell, in the order of `cells`; one size for the whole view. */
  icons: Buffer[];
}

export interface RenderViewOptions {
  /** The view folder to create (replaced whole if it exists). */
  dir: string;
  index: Pick<ViewIndex, 'atlas' | 'view' | 'kind' | 'layer' | 'classes' | 'title' | 'samples' | 'labels' | 'focusClasses'>;
  /** Grid levels, any order; a level without kept cells is left out of the view (see LevelIndex). */
  levels: RenderLevelInput[];
  /** Data-set example sprites: the side of one example, and the crop of a sample's origin. */
  examples?: { size: number; crop: CropImage };
  settings: RenderSettings;
  /** Scratch space for levels too large to compose in memory (default: the OS temporary folder). */
  cacheDir?: string;
  /** Share of each icon's side cut at every edge (default EDGE_CROP, for feature visualizations; 0 for photo crops). */
  edgeCrop?: number;
  /** Raw bytes per composed strip before spilling to disk (tests lower it to exercise the strip path). */
  stripBytes?: number;
  /** Steps done of all: the pyramid, each level's cell data, the check of the whole. */
  onProgress?: (done: number, total: number) => void;
}

export interface RenderViewResult {
  files: number;
  bytes: number;
  /**
   * Per rendered grid level: the tiles of the pyramid levels it owns (arrangement.ts) and the bytes of those
   * tiles plus its cell chunks and sprites. Levels without kept cells are absent.
   */
  levels: { size: number; tiles: number; bytes: number }[];
  seconds: number;
}

export async function renderView(rendering: RenderViewOptions): Promise<RenderViewResult> {
  const start = performance.now();
  const where = `view ${rendering.index.atlas}/${rendering.index.view}`;
  const iconSize = await validate(rendering, where);
  const levels = rendering.levels.filter((level) => level.cells.length > 0).sort((a, b) => a.size - b.size);
  if (!levels.length) throw new UserError(`${where}: no grid level has a kept cell; lower grids.minCount or add images.`);
  const cellPixels = rendering.settings.cellPixels ?? iconSize;
  const plan = planPyramid(
    levels.map((l) => l.size),
    cellPixels,
  );
  const background = parseColour(rendering.settings.background);

  const folder = new StagingFolder(rendering.dir);
  await fs.mkdir(path.dirname(rendering.dir), { recursive: true });
  const scratchRoot = rendering.cacheDir ?? os.tmpdir();
  await fs.mkdir(scratchRoot, { recursive: true });
  const scratch = await fs.mkdtemp(path.join(scratchRoot, 'atlas-render-'));
  try {
    await folder.create();
    const steps = levels.length + 2;
    let done = 0;
    await writePyramid(rendering, folder, plan, levels, { scratch, background, iconSize, cellPixels });
    rendering.onProgress?.(++done, steps);

    const examplesSize = rendering.examples && levels.some((l) => l.cells.some((c) => c.examples.length)) ? rendering.examples.size : 0;
    const columns = Math.max(0, ...levels.flatMap((l) => l.cells.map((c) => c.examples.length)));
    const pixelsOf = rendering.examples && examplesSize ? memoizeCrops(rendering.examples.crop, examplesSize) : undefined;
    const levelIndex: LevelIndex[] = [];
    const dataBytes = new Map<number, number>();
    for (const level of levels) {
      const planned = plan.grids.find((g) => g.size === level.size)!;
      const chunks = chunkCells(level.size, level.cells);
      let bytes = 0;
      for (const [id, chunk] of chunks) {
        bytes += await folder.write(path.join('cells', String(level.size), `${id}.json`), JSON.stringify(chunk));
        if (pixelsOf) {
          const sprite = await spriteOf({ chunk, columns, size: examplesSize, background, quality: rendering.settings.quality, pixelsOf });
          bytes += await folder.write(path.join('examples', String(level.size), `${id}.jpg`), sprite);
        }
      }
      dataBytes.set(level.size, bytes);
      rendering.onProgress?.(++done, steps);
      levelIndex.push({
        size: level.size,
        pixelsPerCell: planned.pixelsPerCell,
        dziLevel: planned.dziLevel,
        cells: level.cells.length,
        chunks: [...chunks.keys()],
      });
    }

    const finest = levels.at(-1)!;
    const view: ViewIndex = {
      version: FORMAT_VERSION,
      ...rendering.index,
      ...(rendering.index.classes ? { classes: rendering.index.classes } : {}),
      image: {
        dzi: 'tiles.dzi',
        width: plan.width,
        height: plan.width,
        tileSize: rendering.settings.tileSize,
        overlap: rendering.settings.overlap,
        format: rendering.settings.format,
      },
      background: rendering.settings.background,
      levels: levelIndex,
      examples: examplesSize,
      thumbnail: 'thumbnail.jpg',
      static: 'static.jpg',
      description: describeView(rendering.index, finest.size, finest.cells),
    };
    await folder.write('view.json', `${JSON.stringify(view, null, 2)}\n`);

    const report = await verifyPyramid(folder.temporary, view.image, rendering.dir);
    for (const picture of ['thumbnail.jpg', 'static.jpg']) {
      await sharp(folder.path(picture))
        .raw()
        .toBuffer()
        .catch((error: Error) => {
          throw new Error(`${path.join(rendering.dir, picture)} does not decode (${error.message.split('\n')[0]})`);
        });
    }
    const totals = await folderTotals(folder.temporary);
    const result: RenderViewResult = {
      files: totals.files,
      bytes: totals.bytes,
      levels: plan.grids.map((grid) => {
        const owned = report.levels.filter((l) => grid.owns.includes(l.level));
        return {
          size: grid.size,
          tiles: owned.reduce((n, l) => n + l.tiles, 0),
          bytes: owned.reduce((n, l) => n + l.bytes, 0) + (dataBytes.get(grid.size) ?? 0),
        };
      }),
      seconds: 0,
    };
    await folder.commit();
    rendering.onProgress?.(++done, steps);
    result.seconds = (performance.now() - start) / 1000;
    return result;
  } catch (error) {
    await folder.discard();
    throw error;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Composes and tiles each grid in turn (one level's image in memory or scratch at a time), plus the pictures. */
async function writePyramid(
  rendering: RenderViewOptions,
  folder: StagingFolder,
  plan: PyramidPlan,
  levels: RenderLevelInput[],
  context: { scratch: string; background: ReturnType<typeof parseColour>; iconSize: number; cellPixels: number },
): Promise<void> {
  const pictures = [
    { file: 'thumbnail.jpg', width: Math.min(THUMBNAIL_PIXELS, plan.width) },
    { file: 'static.jpg', width: Math.min(STATIC_PIXELS, plan.width) },
  ];
  for (const [gridIndex, grid] of plan.grids.entries()) {
    const level = levels.find((l) => l.size === grid.size)!;
    let image;
    try {
      image = await composeGrid({
        size: grid.size,
        cells: level.cells,
        icons: level.icons,
        iconSize: context.iconSize,
        pixelsPerCell: context.cellPixels,
        samples: rendering.index.samples,
        background: context.background,
        edgeCrop: rendering.edgeCrop ?? EDGE_CROP,
        scratch: context.scratch,
        ...(rendering.stripBytes ? { stripBytes: rendering.stripBytes } : {}),
      });
    } catch (error) {
      if (isDiskFull(error)) throw diskFullError(`the scratch folder ${context.scratch}`);
      throw error;
    }
    try {
      await tileGrid({ folder, plan, gridIndex, image, settings: rendering.settings });
      for (const picture of pictures) {
        // Pictures at a width show what the pyramid shows there: the coarsest grid at least that wide.
        if (gridForWidth(plan, picture.width).size === grid.size)
          await folder.write(picture.file, await pictureOf(image, picture.width, rendering.settings.quality));
      }
    } finally {
      await image.dispose();
    }
  }
  await folder.write('tiles.dzi', dziXml(plan.width, rendering.settings));
}

/** Checks the input and returns the icons' side. */
async function validate(rendering: RenderViewOptions, where: string): Promise<number> {
  if (!rendering.levels.length) throw new UserError(`${where}: no grid levels to render.`);
  const seen = new Set<number>();
  let iconSize: number | undefined;
  for (const level of rendering.levels) {
    const at = `${where}, grid ${level.size}`;
    if (!Number.isInteger(level.size) || level.size < 1) throw new UserError(`${where}: grid size ${level.size} is not a positive integer.`);
    if (seen.has(level.size)) throw new UserError(`${where}: grid size ${level.size} is given twice.`);
    seen.add(level.size);
    if (level.icons.length !== level.cells.length)
      throw new UserError(`${at}: ${level.cells.length} cells but ${level.icons.length} icons; the icons stage must give one icon per kept cell.`);
    const occupied = new Set<number>();
    for (const [i, cell] of level.cells.entries()) {
      if (!Number.isInteger(cell.x) || !Number.isInteger(cell.y) || cell.x < 0 || cell.y < 0 || cell.x >= level.size || cell.y >= level.size) {
        throw new UserError(`${at}: cell ${i} at (${cell.x}, ${cell.y}) lies outside the ${level.size}×${level.size} grid.`);
      }
      if (occupied.has(cell.y * level.size + cell.x)) throw new UserError(`${at}: two cells at (${cell.x}, ${cell.y}).`);
      occupied.add(cell.y * level.size + cell.x);
      let meta: sharp.Metadata;
      try {
        meta = await sharp(level.icons[i]!).metadata();
      } catch (error) {
        throw new UserError(`${at}: the icon of cell (${cell.x}, ${cell.y}) is not a readable image (${String((error as Error).message).split('\n')[0]}).`);
      }
      iconSize ??= meta.width;
      if (meta.width !== meta.height || meta.width !== iconSize) {
        throw new UserError(
          `${at}: the icon of cell (${cell.x}, ${cell.y}) is ${meta.width}×${meta.height} px; every icon of a view must be square and the same size (${iconSize}×${iconSize} px here).`,
        );
      }
    }
  }
  if (rendering.examples && (!Number.isInteger(rendering.examples.size) || rendering.examples.size < 1))
    throw new UserError(`${where}: examples size ${rendering.examples.size} is not a positive integer.`);
  return iconSize ?? 1;
}

async function folderTotals(folder: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await fs.readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await fs.stat(path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))).size;
  }
  return { files, bytes };
}
