/**
 * Atlas figures on a 375 px phone (device pixel ratio 2) in every engine: no horizontal scroll with every figure
 * started, the scrollytelling text runs over its figure, and — where the engine's driver can send touch — tapping
 * a cell opens its tooltip, one finger scrolls the page past a figure, and two fingers zoom it.
 */
import { expect } from 'vitest';
import { engineSuite } from '../helpers/engines/index.ts';
import type { TestPage } from '../helpers/engines/page.ts';
import { builtCells, builtView, dataset, screenPoint, showFigure } from '../helpers/atlas-page.ts';

const LAYERS = 'fig-layers-atlas';

engineSuite('atlas figures on a phone', (site) => {
  const open = () => site.open('phone');
  /** The middle of the layers figure's stage, once the figure is shown. */
  const figureMiddle = async (page: TestPage) => {
    await showFigure(page, LAYERS);
    const stage = await page.box(`#${LAYERS} .atlas-stage`);
    return { x: stage.x + stage.width / 2, y: stage.y + stage.height / 2 };
  };

  site.it('has no horizontal scroll, errors or failed tile requests with every figure started', async () => {
    await site.withPage(open(), async (page) => {
      const ids = await page.onAll('.atlas-figure', (figures) => figures.map((f) => f.id));
      expect(ids.length).toBe(4);
      for (const id of ids) await showFigure(page, id);
      await page.idle();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      expect(page.tiles().length).toBeGreaterThan(0);
    });
  });

  site.it(
    'opens the tooltip of a tapped cell',
    async () => {
      await site.withPage(open(), async (page) => {
        await showFigure(page, LAYERS);
        const size = Number((await dataset(page, LAYERS)).gridSize);
        const labels = builtView('demo', 'mixed3b').labels;
        const cell = builtCells('demo', 'mixed3b', size).sort((a, b) => b.count - a.count)[0]!;
        await page.tap(await screenPoint(page, LAYERS, (cell.x + 0.5) / size, (cell.y + 0.5) / size));
        const tooltip = `#${LAYERS} .atlas-tooltip`;
        await expect.poll(() => page.visible(tooltip)).toBe(true);
        expect((await page.texts(`${tooltip} .atlas-tip-name`))[0]).toBe(labels[cell.classes[0]![0]]);
        const box = await page.box(tooltip);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(375);
      });
    },
    'touch',
  );

  site.it(
    'lets one finger scroll the page over a figure without moving the map',
    async () => {
      await site.withPage(open(), async (page) => {
        const { x, y } = await figureMiddle(page);
        const box = (await dataset(page, LAYERS)).box;
        const scrolled = await page.evaluate(() => window.scrollY);
        await page.touchDrag([{ x, y }], [{ x, y: y - 150 }]);
        await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(scrolled + 50);
        expect((await dataset(page, LAYERS)).box).toBe(box);
      });
    },
    'touch-scroll',
  );

  site.it(
    'zooms a figure with two fingers',
    async () => {
      await site.withPage(open(), async (page) => {
        const { x, y } = await figureMiddle(page);
        await page.touchDrag(
          [
            { x: x - 30, y },
            { x: x + 30, y },
          ],
          [
            { x: x - 120, y },
            { x: x + 120, y },
          ],
        );
        await expect
          .poll(async () => {
            const [x0, , x1] = (await dataset(page, LAYERS)).box!.split(',').map(Number);
            return x1! - x0!;
          })
          .toBeLessThan(0.6);
      });
    },
    'touch',
  );

  site.it('runs the scrollytelling text over its figure, and the steps move it', async () => {
    await site.withPage(open(), async (page) => {
      const step = '.scrolly:has(#story) .scrolly-step[data-number="4"]';
      await page.scrollIntoView(step);
      await expect.poll(async () => (await dataset(page, 'story')).focus, { timeout: 20_000 }).toBe('shark');
      const card = await page.box(`${step} .scrolly-card`);
      const stage = await page.box('#story .atlas-stage');
      // The card lies over the figure.
      expect(card.y).toBeLessThan(stage.y + stage.height);
      expect(card.y + card.height).toBeGreaterThan(stage.y);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    });
  });
});
