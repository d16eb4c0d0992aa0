/**
 * Atlas figures on a 375 px phone with touch: no horizontal scroll with every figure started, tapping a cell
 * opens its tooltip, one finger scrolls the page past a figure while two fingers zoom it, and the
 * scrollytelling text runs over its figure.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { findChromium } from '../helpers/browser.ts';
import { chromiumOnTestSite } from '../helpers/test-site-browser.ts';
import { builtCells, builtView, dataset, openPage, screenPoint, showFigure } from '../helpers/atlas-page.ts';

const chromiumPath = findChromium();
const LAYERS = 'fig-layers-atlas';

describe.skipIf(!chromiumPath)('atlas figures on a phone', () => {
  const site = chromiumOnTestSite();

  const open = () => openPage(site.browser, site.server.url, 'phone');

  it('has no horizontal scroll, errors or failed tile requests with every figure started', async () => {
    const { page, errors, tiles, close } = await open();
    const ids = await page.locator('.atlas-figure').evaluateAll((figures) => figures.map((f) => f.id));
    expect(ids.length).toBe(4);
    for (const id of ids) await showFigure(page, id);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(tiles.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('opens the tooltip of a tapped cell', async () => {
    const { page, errors, close } = await open();
    await showFigure(page, LAYERS);
    const size = Number((await dataset(page, LAYERS)).gridSize);
    const labels = builtView('demo', 'mixed3b').labels;
    const cell = builtCells('demo', 'mixed3b', size).sort((a, b) => b.count - a.count)[0]!;
    const point = await screenPoint(page, LAYERS, (cell.x + 0.5) / size, (cell.y + 0.5) / size);
    await page.touchscreen.tap(point.x, point.y);
    const tooltip = page.locator(`#${LAYERS} .atlas-tooltip`);
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    expect(await tooltip.locator('.atlas-tip-name').first().innerText()).toBe(labels[cell.classes[0]![0]]);
    const box = (await tooltip.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    expect(errors).toEqual([]);
    await close();
  });

  it('lets one finger scroll the page over a figure, and two fingers zoom it', async () => {
    const { page, errors, close } = await open();
    await showFigure(page, LAYERS);
    const stage = (await page.locator(`#${LAYERS} .atlas-stage`).boundingBox())!;
    const x = stage.x + stage.width / 2;
    const y = stage.y + stage.height / 2;
    const box = (await dataset(page, LAYERS)).box;
    const scrolled = await page.evaluate(() => window.scrollY);

    await touchDrag(page, [[x, y]], [[x, y - 150]]);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(scrolled + 50);
    expect((await dataset(page, LAYERS)).box).toBe(box);
    // Let the fling settle: a pinch that lands during a page scroll cannot stop it.
    await expect.poll(async () => {
      const before = await page.evaluate(() => window.scrollY);
      await page.waitForTimeout(200);
      return (await page.evaluate(() => window.scrollY)) === before;
    }).toBe(true);

    const middle = (await page.locator(`#${LAYERS} .atlas-stage`).boundingBox())!;
    const cy = middle.y + middle.height / 2;
    await touchDrag(page, [[x - 30, cy], [x + 30, cy]], [[x - 120, cy], [x + 120, cy]]);
    await expect
      .poll(async () => {
        const [x0, , x1] = (await dataset(page, LAYERS)).box!.split(',').map(Number);
        return x1! - x0!;
      })
      .toBeLessThan(0.6);
    expect(errors).toEqual([]);
    await close();
  });

  it('runs the scrollytelling text over its figure, and the steps move it', async () => {
    const { page, errors, close } = await open();
    const step = page.locator('.scrolly:has(#story) .scrolly-step[data-number="4"]');
    await step.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await expect.poll(async () => (await dataset(page, 'story')).focus, { timeout: 20_000 }).toBe('shark');
    const card = (await step.locator('.scrolly-card').boundingBox())!;
    const stage = (await page.locator('#story .atlas-stage').boundingBox())!;
    // The card lies over the figure.
    expect(card.y).toBeLessThan(stage.y + stage.height);
    expect(card.y + card.height).toBeGreaterThan(stage.y);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});

/** A touch gesture through the browser's input pipeline: fingers go down at `from` and move to `to`. */
async function touchDrag(page: Page, from: [number, number][], to: [number, number][]): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const points = (t: number) => from.map(([x, y], i) => ({ x: x + (to[i]![0] - x) * t, y: y + (to[i]![1] - y) * t, id: i }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(0) });
  for (let step = 1; step <= 10; step++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(step / 10) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}
