/**
 * Where each grid goes in a view's one deep-zoom pyramid (semantic zoom), and the DZI arithmetic OpenSeadragon
 * uses to ask for tiles. Pure functions: no images here.
 *
 * The arrangement. The finest grid is drawn at `cellPixels` per cell, so the pyramid's full image is
 * finest × cellPixels wide and its top level L = ⌈log2 width⌉. A grid `ratio` = finest / size times coarser
 * sits at level L − round(log2 ratio), whose width is ⌈width / 2^(L − level)⌉: with successive doublings
 * (20, 40, 80, 160) that is exactly size × cellPixels, the same pixels per cell at every grid's own level.
 * Other sizes (say 20, 30, 80) are resampled to their level's width, so their pixelsPerCell is fractional;
 * two grids that round to the same level are pushed apart, the coarser one going one level down.
 * Pyramid levels between two grids' levels are downsampled from the finer of the two; levels below the
 * coarsest grid's are downsampled from it; no level is ever downsampled from a grid finer than the next one.
 */
import { gridIndexFor } from '../../published/grid-level.ts';

export interface PlannedGrid {
  size: number;
  /** Pyramid level drawn from this grid. */
  dziLevel: number;
  /** Width (= height) of the pyramid at that level, in pixels. */
  width: number;
  /** width / size: exactly the cell pixels for successive doublings, fractional otherwise. */
  pixelsPerCell: number;
  /** Pyramid levels whose tiles come from this grid: (previous grid's level, dziLevel], or [0, dziLevel] for the coarsest. */
  owns: number[];
}

export interface PyramidPlan {
  /** Full-resolution side of the pyramid's square image. */
  width: number;
  maxLevel: number;
  /** Coarse to fine. */
  grids: PlannedGrid[];
}

/** The DZI top level for an image side, as OpenSeadragon computes it (and as libvips' halving to 1 px gives). */
export function dziMaxLevel(width: number): number {
  return Math.ceil(Math.log(width) / Math.log(2));
}

/** A pyramid level's side: OpenSeadragon scales by 2^(level − max); libvips halves rounding up; both agree. */
export function dziLevelWidth(width: number, level: number, maxLevel = dziMaxLevel(width)): number {
  return Math.ceil(width / 2 ** (maxLevel - level));
}

/** Columns (= rows) of tiles at a level. */
export function dziTileCount(levelWidth: number, tileSize: number): number {
  return Math.ceil(levelWidth / tileSize);
}

/** A tile's pixel box at its level, overlap included: what the decoded tile file must measure. */
export function dziTileBox(levelWidth: number, column: number, row: number, tileSize: number, overlap: number) {
  const left = column === 0 ? 0 : column * tileSize - overlap;
  const top = row === 0 ? 0 : row * tileSize - overlap;
  const width = Math.min(tileSize + (column === 0 ? 1 : 2) * overlap, levelWidth - left);
  const height = Math.min(tileSize + (row === 0 ? 1 : 2) * overlap, levelWidth - top);
  return { left, top, width, height };
}

/** Plans the pyramid for grids of these sizes (any order; each must be distinct and non-empty upstream). */
export function planPyramid(sizes: number[], cellPixels: number): PyramidPlan {
  const ascending = [...sizes].sort((a, b) => a - b);
  if (!ascending.length) throw new Error('planPyramid: no grid sizes');
  ascending.forEach((size, i) => {
    if (!Number.isInteger(size) || size < 1) throw new Error(`planPyramid: grid size ${size} is not a positive integer`);
    if (i > 0 && size === ascending[i - 1]) throw new Error(`planPyramid: grid size ${size} appears twice`);
  });
  const finest = ascending.at(-1)!;
  const width = finest * cellPixels;
  const maxLevel = dziMaxLevel(width);

  // Fine to coarse, so that a collision pushes the coarser grid down, never the finest off its level.
  const levels: number[] = [];
  let above = maxLevel + 1;
  for (let i = ascending.length - 1; i >= 0; i--) {
    const ideal = maxLevel - Math.round(Math.log2(finest / ascending[i]!));
    const level = Math.min(ideal, above - 1);
    if (level < 0) throw new Error(`planPyramid: grid sizes ${ascending.join(', ')} need more pyramid levels than a ${width}px image has`);
    levels[i] = level;
    above = level;
  }

  const grids = ascending.map((size, i): PlannedGrid => {
    const dziLevel = levels[i]!;
    const levelWidth = dziLevelWidth(width, dziLevel, maxLevel);
    const from = i === 0 ? 0 : levels[i - 1]! + 1;
    return { size, dziLevel, width: levelWidth, pixelsPerCell: levelWidth / size, owns: range(from, dziLevel + 1) };
  });
  return { width, maxLevel, grids };
}

/**
 * CSS pixels across a figure's map at its home view, the map shown whole: an article figure on a desktop window
 * of 1,280 × 900 px is 958 × 700 px, so its map is 700 px square. The grid the viewer shows there, by its rule
 * (pipeline/published/grid-level.ts: the finest grid whose cells are ≥ 48 CSS px), is the one readers see first
 * (coverage, legibility). A phone's 343 px map shows the next coarser grid.
 */
export const HOME_MAP_CSS_PIXELS = 700;

/** The grid a viewer shows at its home view on a desktop. */
export function homeGrid(plan: PyramidPlan): PlannedGrid {
  return plan.grids[gridIndexFor(plan.grids, HOME_MAP_CSS_PIXELS)]!;
}

/** The grid whose image a picture of this width should come from: the coarsest one at least that wide. */
export function gridForWidth(plan: PyramidPlan, width: number): PlannedGrid {
  return plan.grids.find((grid) => grid.width >= width) ?? plan.grids.at(-1)!;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
