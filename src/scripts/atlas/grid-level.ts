/**
 * Semantic zoom: which grid the pyramid shows at the current zoom. A view's pyramid holds several grids, each
 * at its own level (format.ts); a level between two grids' levels is downsampled from the finer one, so the grid
 * shown at pyramid level L is the coarsest whose dziLevel ≥ L.
 */
import type { LevelIndex } from '../../../pipeline/stages/render/format.ts';

/** OpenSeadragon's default: it draws the finest level whose pixels are at least half a device pixel. */
export const MIN_PIXEL_RATIO = 0.5;

export function maxPyramidLevel(imageWidth: number): number {
  return Math.ceil(Math.log2(imageWidth));
}

/**
 * The pyramid level OpenSeadragon draws when the whole image is `imageDevicePixels` wide on screen: the finest
 * level no wider than imageDevicePixels / MIN_PIXEL_RATIO (TiledImage level selection).
 */
export function drawnPyramidLevel(imageWidth: number, imageDevicePixels: number): number {
  const top = maxPyramidLevel(imageWidth);
  for (let level = top; level > 0; level--) {
    const levelWidth = Math.ceil(imageWidth / 2 ** (top - level));
    if (levelWidth * MIN_PIXEL_RATIO <= imageDevicePixels) return level;
  }
  return 0;
}

/** The index (in `levels`, coarse to fine) of the grid drawn at pyramid level `pyramidLevel`. */
export function gridIndexAt(levels: LevelIndex[], pyramidLevel: number): number {
  const index = levels.findIndex((level) => level.dziLevel >= pyramidLevel);
  return index === -1 ? levels.length - 1 : index;
}
