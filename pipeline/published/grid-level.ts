/**
 * Semantic zoom: which grid a figure shows, by a rule of its own rather than by an engine's tile heuristics.
 *
 *   The rule: a figure shows the finest grid whose cells are at least MIN_CELL_CSS_PIXELS (48) CSS pixels wide on
 *   screen, or the coarsest grid when none is. A full-size icon fills its cell, so at the home view a reader sees
 *   pictures, not dots, and every engine shows the same grid for the same viewport, whatever its device pixel ratio.
 *
 * A view's pyramid holds several grids, each at its own level (format.ts); a level between two grids' levels is
 * downsampled from the finer one, so grid i is drawn by the levels above grid i−1's level up to its own. Within
 * that range OpenSeadragon picks the resolution as it always does (the finest level whose pixels are at least half
 * a device pixel: its render pixel ratio counts device pixels, CSS pixels × OpenSeadragon.pixelDensityRatio);
 * `minPixelRatioFor` gives the TiledImage the minPixelRatio that keeps its choice inside the range.
 */
import type { LevelIndex } from './format.ts';

export const MIN_CELL_CSS_PIXELS = 48;
/** OpenSeadragon's default: it draws the finest level whose pixels are at least half a device pixel. */
export const DEFAULT_MIN_PIXEL_RATIO = 0.5;

export function maxPyramidLevel(imageWidth: number): number {
  return Math.ceil(Math.log2(imageWidth));
}

/** The index (in `levels`, coarse to fine) of the grid the rule shows when the whole map is `mapCssPixels` wide. */
export function gridIndexFor(levels: Pick<LevelIndex, 'size'>[], mapCssPixels: number): number {
  for (let i = levels.length - 1; i > 0; i--) {
    if (mapCssPixels / levels[i]!.size >= MIN_CELL_CSS_PIXELS) return i;
  }
  return 0;
}

/** The pyramid levels that draw grid `index`: above the previous grid's level, up to its own. */
export function pyramidRange(levels: Pick<LevelIndex, 'dziLevel'>[], index: number): { min: number; max: number } {
  return { min: index === 0 ? 0 : levels[index - 1]!.dziLevel + 1, max: levels[index]!.dziLevel };
}

/**
 * Device pixels per pixel of pyramid level `level` (OpenSeadragon's render pixel ratio) when the map is
 * `mapCssPixels` wide on a screen of `pixelDensity` device pixels per CSS pixel.
 */
export function renderPixelRatio(imageWidth: number, level: number, mapCssPixels: number, pixelDensity: number): number {
  return (mapCssPixels * pixelDensity) / (imageWidth / 2 ** (maxPyramidLevel(imageWidth) - level));
}

/** The level OpenSeadragon would draw by itself: the finest whose render pixel ratio is at least the default. */
export function defaultPyramidLevel(imageWidth: number, mapCssPixels: number, pixelDensity: number): number {
  for (let level = maxPyramidLevel(imageWidth); level > 0; level--) {
    if (renderPixelRatio(imageWidth, level, mapCssPixels, pixelDensity) >= DEFAULT_MIN_PIXEL_RATIO) return level;
  }
  return 0;
}

/** The pyramid level a figure draws for grid `index`: OpenSeadragon's own choice, kept inside the grid's range. */
export function pyramidLevelFor(levels: Pick<LevelIndex, 'dziLevel'>[], index: number, imageWidth: number, mapCssPixels: number, pixelDensity: number): number {
  const { min, max } = pyramidRange(levels, index);
  return Math.min(max, Math.max(min, defaultPyramidLevel(imageWidth, mapCssPixels, pixelDensity)));
}

/**
 * The minPixelRatio under which OpenSeadragon's level loop (it skips levels whose render pixel ratio is below it,
 * from the finest down) stops at `level`: just under that level's ratio, and so above the next finer level's,
 * which is half of it.
 */
export function minPixelRatioFor(imageWidth: number, level: number, mapCssPixels: number, pixelDensity: number): number {
  return renderPixelRatio(imageWidth, level, mapCssPixels, pixelDensity) * 0.99;
}
