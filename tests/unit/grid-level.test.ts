/**
 * The viewer's grid rule (pipeline/published/grid-level.ts): the finest grid whose cells are ≥ 48 CSS px, drawn
 * from its own pyramid levels, and the minPixelRatio that makes OpenSeadragon's level loop (modelled here as
 * TiledImage._updateLevelsForViewport runs it) pick exactly that level at every zoom.
 */
import { describe, expect, it } from 'vitest';
import {
  MIN_CELL_CSS_PIXELS,
  gridIndexFor,
  maxPyramidLevel,
  minPixelRatioFor,
  pyramidLevelFor,
  pyramidRange,
  renderPixelRatio,
} from '../../pipeline/published/grid-level.ts';

/** OpenSeadragon's choice of the finest level to draw: from the top down, skip levels below minPixelRatio. */
function openSeadragonLevel(imageWidth: number, mapCssPixels: number, density: number, minPixelRatio: number): number {
  for (let level = maxPyramidLevel(imageWidth); level > 0; level--) {
    if (renderPixelRatio(imageWidth, level, mapCssPixels, density) >= minPixelRatio) return level;
  }
  return 0;
}

const PYRAMIDS = {
  // The demo: 64 px cells at each grid's own level.
  demo: {
    width: 1280,
    levels: [
      { size: 5, dziLevel: 9 },
      { size: 10, dziLevel: 10 },
      { size: 20, dziLevel: 11 },
    ],
  },
  // The test fixture: 96 px cells.
  fixture: {
    width: 3072,
    levels: [
      { size: 4, dziLevel: 9 },
      { size: 8, dziLevel: 10 },
      { size: 16, dziLevel: 11 },
      { size: 32, dziLevel: 12 },
    ],
  },
  // Sharp icons: 256 px cells, so a grid's own levels are finer than OpenSeadragon would pick by itself.
  sharp: {
    width: 8192,
    levels: [
      { size: 8, dziLevel: 11 },
      { size: 16, dziLevel: 12 },
      { size: 32, dziLevel: 13 },
    ],
  },
};

describe('the grid rule', () => {
  it('shows the finest grid whose cells are at least 48 CSS px wide, else the coarsest', () => {
    const { levels } = PYRAMIDS.demo;
    expect(levels[gridIndexFor(levels, 700)]!.size).toBe(10); // a desktop figure: 70 px cells; grid 20 would be 35
    expect(levels[gridIndexFor(levels, 343)]!.size).toBe(5); // a phone: 68.6 px cells
    expect(levels[gridIndexFor(levels, 960)]!.size).toBe(20); // exactly 48
    expect(levels[gridIndexFor(levels, 959)]!.size).toBe(10);
    expect(levels[gridIndexFor(levels, 100)]!.size).toBe(5); // nothing is 48 px: the coarsest
  });

  for (const [name, { width, levels }] of Object.entries(PYRAMIDS)) {
    it(`makes OpenSeadragon draw the shown grid's own levels at every zoom and pixel density (${name})`, () => {
      for (const density of [1, 1.5, 2, 3]) {
        for (let mapCssPixels = 120; mapCssPixels < 40_000; mapCssPixels *= 1.07) {
          const index = gridIndexFor(levels, mapCssPixels);
          const level = pyramidLevelFor(levels, index, width, mapCssPixels, density);
          const { min, max } = pyramidRange(levels, index);
          expect(level).toBeGreaterThanOrEqual(min);
          expect(level).toBeLessThanOrEqual(max);
          const drawn = openSeadragonLevel(width, mapCssPixels, density, minPixelRatioFor(width, level, mapCssPixels, density));
          expect(drawn, `map ${mapCssPixels.toFixed(0)} px at density ${density}`).toBe(level);
          if (index < levels.length - 1) expect(mapCssPixels / levels[index + 1]!.size).toBeLessThan(MIN_CELL_CSS_PIXELS);
        }
      }
    });
  }
});
