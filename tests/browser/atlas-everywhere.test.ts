/**
 * One atlas everywhere: in every engine, a figure's home view shows the grid the viewer's rule names
 * (pipeline/published/grid-level.ts: the finest grid whose cells are ≥ 48 CSS px) — the same grid for the same
 * viewport and device pixel ratio — fetched from that grid's own pyramid levels; and a map that is one continuous
 * texture (the "seams" fixture atlas) shows no light seam between its tiles at any zoom.
 */
import { expect } from 'vitest';
import { engineSuite, type Kind } from '../helpers/engines/index.ts';
import { builtView, dataset, showFigure } from '../helpers/atlas-page.ts';
import { findSeams } from '../helpers/seams.ts';
import { MIN_CELL_CSS_PIXELS, gridIndexFor, pyramidRange } from '../../pipeline/published/grid-level.ts';

const LAYERS = 'fig-layers-atlas';
/** The fixture's grids are 4, 8, 16 and 32: a desktop figure's ~700 px map shows 8 (16 would be ~44 px cells), a phone's ~340 px map 4. */
const HOME_GRID: Record<Kind, number> = { desktop: 8, phone: 4 };

engineSuite('one atlas in every engine', (site) => {
  for (const kind of ['desktop', 'phone'] as const) {
    site.it(`opens on the grid the rule names, from its own pyramid levels (${kind})`, async () => {
      const { shown, levels } = await site.withPage(site.open(kind), async (page) => {
        await showFigure(page, LAYERS);
        await page.idle();
        const viewer = await page.box(`#${LAYERS} .atlas-viewer`);
        const map = Math.min(viewer.width, viewer.height);
        const { levels } = builtView('demo', 'mixed3b');
        const shown = Number((await dataset(page, LAYERS)).gridSize);
        expect(shown).toBe(levels[gridIndexFor(levels, map)]!.size);
        expect(shown).toBe(HOME_GRID[kind]);
        expect(map / shown, 'icon width in CSS px').toBeGreaterThanOrEqual(MIN_CELL_CSS_PIXELS);
        return { shown, levels };
      });

      // A page with this one figure: no tile finer than the shown grid's own levels is asked for.
      await site.withPage(site.open(kind, { path: 'fixtures/seams/' }), async (alone) => {
        await showFigure(alone, 'seams');
        await alone.idle();
        expect(Number((await dataset(alone, 'seams')).gridSize)).toBe(shown);
        const { max } = pyramidRange(
          levels,
          levels.findIndex((level) => level.size === shown),
        );
        const fetched = alone.tiles().map((url) => Number(url.split('/tiles_files/')[1]!.split('/')[0]));
        expect(fetched).toContain(max);
        expect(Math.max(...fetched)).toBe(max);
      });
    });

    site.it(`draws a continuous map without seams at any zoom (${kind})`, async () => {
      // Boxes with zooms that put tile edges at fractional screen positions, on several pyramid levels.
      for (const box of ['', '0.1,0.1,0.77,0.77', '0.31,0.27,0.53,0.49', '0.402,0.333,0.471,0.402']) {
        await site.withPage(site.open(kind, { path: `fixtures/seams/${box ? `?figure=seams&atlas=seams&box=${box}#seams` : ''}` }), async (page) => {
          await showFigure(page, 'seams');
          await page.idle();
          await page.wait(300);
          const viewer = await page.box('#seams .atlas-viewer');
          const side = Math.min(viewer.width, viewer.height);
          // The middle of the map, clear of the buttons and the navigator drawn over its corners.
          const region = { x: viewer.x + viewer.width / 2 - side * 0.3, y: viewer.y + viewer.height / 2 - side * 0.3, width: side * 0.6, height: side * 0.6 };
          const seams = await findSeams(await page.screenshot(region));
          expect(seams, `seams at box "${box || 'home'}"`).toEqual([]);
        });
      }
    });
  }
});
