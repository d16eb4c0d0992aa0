/**
 * Atlas figures of the example article on a desktop, against the fixture atlas (tests/helpers/fixture-public.ts):
 * tiles and semantic zoom, the tooltip of a known cell, class focus, the layer switcher, deep links, links in
 * the text, the keyboard, and labels that carry markup.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { findChromium } from '../helpers/browser.ts';
import { chromiumOnTestSite } from '../helpers/test-site-browser.ts';
import { ARTICLE_PATH } from '../helpers/site-build.ts';
import { HOSTILE_LABEL } from '../helpers/fixture-public.ts';
import { formatAttribution } from '../../src/scripts/atlas/tooltip.ts';
import { builtCells, builtView, dataset, densestCellOf, openPage, screenPoint, showFigure } from '../helpers/atlas-page.ts';

const chromiumPath = findChromium();
const LAYERS = 'fig-layers-atlas';

/** The centre of the region a figure shows, and whether it is within 0.01 of where a link sent it. */
const centre = async (page: Page) => {
  const [x0, y0, x1, y1] = (await dataset(page, LAYERS)).box!.split(',').map(Number);
  return [(x0! + x1!) / 2, (y0! + y1!) / 2];
};
const near = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) < 0.01);

describe.skipIf(!chromiumPath)('atlas figures on a desktop', () => {
  const site = chromiumOnTestSite();

  const open = (path?: string) => openPage(site.browser, site.server.url, 'desktop', { path, context: { permissions: ['clipboard-read', 'clipboard-write'] } });

  it('loads tiles, opens on a coarse grid and shows finer grids when zoomed in', async () => {
    const { page, errors, tiles, close } = await open();
    await showFigure(page, LAYERS);
    const levels = builtView('demo', 'mixed3b').levels;
    const before = Number((await dataset(page, LAYERS)).gridSize);
    expect(levels.map((l) => l.size)).toContain(before);
    expect(before).toBeLessThan(levels.at(-1)!.size);
    expect(tiles.length).toBeGreaterThan(0);

    for (let i = 0; i < 3; i++) await page.locator(`#${LAYERS} [data-action="zoom-in"]`).click();
    await expect.poll(async () => Number((await dataset(page, LAYERS)).gridSize), { timeout: 10_000 }).toBeGreaterThan(before);
    const after = Number((await dataset(page, LAYERS)).gridSize);
    const finer = levels.find((l) => l.size === after)!;
    // The finer grid's own pyramid level was fetched.
    await expect.poll(() => tiles.some((url) => url.includes(`/mixed3b/tiles_files/${finer.dziLevel}/`)), { timeout: 10_000 }).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows the classes, count and examples the data has for the cell under the pointer', async () => {
    const { page, errors, close } = await open();
    await showFigure(page, LAYERS);
    const size = Number((await dataset(page, LAYERS)).gridSize);
    const view = builtView('demo', 'mixed3b');
    const cells = builtCells('demo', 'mixed3b', size);
    const cell = cells.filter((c) => c.classes.length >= 3).sort((a, b) => b.count - a.count)[0]!;
    const point = await screenPoint(page, LAYERS, (cell.x + 0.5) / size, (cell.y + 0.5) / size);
    await page.mouse.move(point.x, point.y);
    const tooltip = page.locator(`#${LAYERS} .atlas-tooltip`);
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const names = await tooltip.locator('.atlas-tip-name').allInnerTexts();
    expect(names).toEqual(cell.classes.slice(0, 5).map(([label]) => view.labels[label]));
    const values = await tooltip.locator('.atlas-tip-value').allInnerTexts();
    expect(values[0]).toBe(formatAttribution(cell.classes[0]![1]));
    expect(await tooltip.innerText()).toContain(`average of ${cell.count.toLocaleString('en-US')} activations`);
    expect(await tooltip.locator('.atlas-tip-example').count()).toBe(Math.min(4, cell.examples.length));
    expect((await dataset(page, LAYERS)).inspected).toBe(`${size}:${cell.x},${cell.y}`);
    await page.mouse.move(5, 5);
    await expect.poll(() => tooltip.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await close();
  });

  it('fades the cells that do not support a focused class', async () => {
    const { page, errors, close } = await open();
    await showFigure(page, LAYERS);
    const size = Number((await dataset(page, LAYERS)).gridSize);
    const cells = builtCells('demo', 'mixed3b', size);
    const { labels, focusClasses } = builtView('demo', 'mixed3b');
    // The cell most attributed to shark keeps its colour; one that supports another class fades.
    const sharkCell = [...cells].sort((a, b) => b.focus[focusClasses.indexOf('shark')]! - a.focus[focusClasses.indexOf('shark')]!)[0]!;
    const otherCell = densestCellOf(cells, labels.indexOf('bird'));
    const at = async (cell: { x: number; y: number }) => screenPoint(page, LAYERS, (cell.x + 0.3) / size, (cell.y + 0.7) / size);
    const before = { shark: await pixel(page, await at(sharkCell)), other: await pixel(page, await at(otherCell)) };

    await page.locator(`#${LAYERS} .atlas-focus-input`).fill('shark');
    await expect.poll(async () => (await dataset(page, LAYERS)).focus).toBe('shark');
    await page.waitForTimeout(300);
    const after = { shark: await pixel(page, await at(sharkCell)), other: await pixel(page, await at(otherCell)) };
    // The bird cell is washed towards the white background; the shark cell keeps its colour.
    expect(lightness(after.other) - lightness(before.other)).toBeGreaterThan(60);
    expect(Math.abs(lightness(after.shark) - lightness(before.shark))).toBeLessThan(8);

    await page.locator(`#${LAYERS} .atlas-focus-input`).fill('');
    await expect.poll(async () => (await dataset(page, LAYERS)).focus).toBeUndefined();
    expect(errors).toEqual([]);
    await close();
  });

  it('round-trips a deep link: layer, region and focus', async () => {
    const first = await open();
    await showFigure(first.page, LAYERS);
    await first.page.locator(`#${LAYERS} .atlas-views label`, { hasText: 'mixed4b' }).click();
    await expect.poll(async () => (await dataset(first.page, LAYERS)).view).toBe('mixed4b');
    await first.page.locator(`#${LAYERS} [data-action="zoom-in"]`).click();
    await first.page.locator(`#${LAYERS} [data-action="zoom-in"]`).click();
    await first.page.locator(`#${LAYERS} .atlas-canvas`).focus();
    for (let i = 0; i < 3; i++) await first.page.keyboard.press('ArrowRight');
    await first.page.locator(`#${LAYERS} .atlas-focus-input`).fill('whale');
    await first.page.waitForTimeout(1500);
    await first.page.locator(`#${LAYERS} [data-action="copy-link"]`).click();
    await expect.poll(() => first.page.locator(`#${LAYERS} .atlas-status`).innerText()).not.toBe('');
    const link = await first.page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(first.page.url());
    expect(new URL(link).searchParams.get('figure')).toBe(LAYERS);
    const box = (await dataset(first.page, LAYERS)).box!.split(',').map(Number);
    expect(box[2]! - box[0]!).toBeLessThan(0.6);
    expect(first.errors).toEqual([]);
    await first.close();

    const second = await open(link.slice(site.server.url.length));
    await second.page.waitForSelector(`#${LAYERS}[data-ready][data-loaded]`, { timeout: 20_000 });
    await expect.poll(async () => (await dataset(second.page, LAYERS)).view).toBe('mixed4b');
    const restored = await dataset(second.page, LAYERS);
    expect(restored.focus).toBe('whale');
    restored.box!.split(',').map(Number).forEach((value, i) => expect(value).toBeCloseTo(box[i]!, 2));
    expect(await second.page.locator(`#${LAYERS} .atlas-views input[value="mixed4b"]`).isChecked()).toBe(true);
    expect(second.errors).toEqual([]);
    await second.close();
  });

  it('opens the default view from a deep link with garbage parameters', async () => {
    const garbage = `?figure=${LAYERS}&atlas=demo&view=%3Cscript%3E&box=2,nan,x,1&focus=%3Cimg%20src%3Dx%3E&step=-1#${LAYERS}`;
    const { page, errors, close } = await open(ARTICLE_PATH + garbage);
    await showFigure(page, LAYERS);
    const state = await dataset(page, LAYERS);
    expect(state.view).toBe('mixed3b');
    expect(state.focus).toBeUndefined();
    const box = state.box!.split(',').map(Number);
    // The whole map is in view.
    expect(box[0]).toBeLessThanOrEqual(0.001);
    expect(box[2]).toBeGreaterThanOrEqual(0.999);
    for (const other of [`?figure=nowhere&view=mixed4b`, `?figure=${LAYERS}&atlas=another`]) {
      await page.goto(site.server.url + ARTICLE_PATH + other);
      await showFigure(page, LAYERS);
      expect((await dataset(page, LAYERS)).view).toBe('mixed3b');
    }
    expect(errors).toEqual([]);
    await close();
  });

  it('flies a figure from a link in the text, switching its layer and focusing it on a class', async () => {
    const { page, errors, close } = await open();
    await page.locator('a.atlas-link', { hasText: 'houses and cars on an island in the east' }).click();
    await page.waitForSelector(`#${LAYERS}[data-ready]`);
    await expect.poll(async () => (await dataset(page, LAYERS)).view).toBe('mixed4b');
    // The link's box is "0.68 0.38 1 0.72": its centre is (0.84, 0.55).
    await expect.poll(async () => near(await centre(page), [0.84, 0.55])).toBe(true);
    expect(new URL(page.url()).searchParams.get('figure')).toBe(LAYERS);

    await page.locator('a.atlas-link', { hasText: 'the whales in the middle' }).click();
    await expect.poll(async () => (await dataset(page, LAYERS)).focus).toBe('whale');
    expect((await dataset(page, LAYERS)).view).toBe('mixed5a');
    expect(errors).toEqual([]);
    await close();
  });

  it('flies to a region a link names, and jumps there when the reader asks for reduced motion', async () => {
    for (const reducedMotion of ['no-preference', 'reduce'] as const) {
      const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop', { context: { reducedMotion } });
      await showFigure(page, LAYERS);
      // Every region the map shows on its way.
      await page.locator(`#${LAYERS}`).evaluate((element) => {
        const shown: string[] = [];
        (window as unknown as { __shown: string[] }).__shown = shown;
        new MutationObserver(() => shown.push((element as HTMLElement).dataset.shown!)).observe(element, { attributes: true, attributeFilter: ['data-shown'] });
      });
      await page.locator('a.atlas-link', { hasText: 'the north is blue water' }).click();
      // The link's box is "0.38 0.18 0.7 0.46": its centre is (0.54, 0.32).
      await expect.poll(async () => near(await centre(page), [0.54, 0.32])).toBe(true);
      await expect.poll(async () => (await dataset(page, LAYERS)).shown).toBe((await dataset(page, LAYERS)).box);
      const steps = new Set(await page.evaluate(() => (window as unknown as { __shown: string[] }).__shown)).size;
      if (reducedMotion === 'reduce') expect(steps, 'regions shown on the way with reduced motion').toBeLessThanOrEqual(2);
      else expect(steps, 'regions shown on the way while flying').toBeGreaterThan(4);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('works from the keyboard: zoom keys, Enter describes the middle cell, Escape closes it', async () => {
    const { page, errors, close } = await open();
    await showFigure(page, LAYERS);
    const canvas = page.locator(`#${LAYERS} .atlas-canvas`);
    await canvas.focus();
    expect(await canvas.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('solid');
    const before = (await dataset(page, LAYERS)).box;
    await page.keyboard.press('+');
    await expect.poll(async () => (await dataset(page, LAYERS)).box).not.toBe(before);
    await page.keyboard.press('Enter');
    const tooltip = page.locator(`#${LAYERS} .atlas-tooltip`);
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    expect(await tooltip.innerText()).toContain('activations');
    await page.keyboard.press('Escape');
    await expect.poll(() => tooltip.isVisible()).toBe(false);
    // The buttons are reachable with Tab and named.
    await page.locator(`#${LAYERS} [data-action="zoom-in"]`).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator(`#${LAYERS} .atlas-buttons button`).evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')))).toEqual([
      'Zoom in',
      'Zoom out',
      'Show the whole map',
      'Full screen',
    ]);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows class names with markup in them as text', async () => {
    const { page, errors, close } = await open('fixtures/hostile-labels/');
    await showFigure(page, 'hostile');
    const size = Number((await dataset(page, 'hostile')).gridSize);
    const labels = builtView('hostile', 'mixed4b').labels;
    const cell = densestCellOf(builtCells('hostile', 'mixed4b', size), labels.indexOf(HOSTILE_LABEL));
    const point = await screenPoint(page, 'hostile', (cell.x + 0.5) / size, (cell.y + 0.5) / size);
    await page.mouse.move(point.x, point.y);
    const tooltip = page.locator('#hostile .atlas-tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    expect(await tooltip.locator('.atlas-tip-name').first().innerText()).toBe(HOSTILE_LABEL);
    expect(await tooltip.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __atlasInjected?: number }).__atlasInjected)).toBeUndefined();
    expect(await page.locator('#hostile datalist option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toContain(HOSTILE_LABEL);
    expect(errors).toEqual([]);
    await close();
  });

  it('draws an activation grid over its image, without a script', async () => {
    const { page, errors, close } = await open('fixtures/activation-grid/');
    await page.waitForLoadState('networkidle');
    const grid = page.locator('.activation-grid');
    expect(await grid.locator('.activation-grid-cell').count()).toBe(49);
    expect(await grid.locator('.activation-grid-icon').count()).toBeGreaterThan(30);
    expect(await grid.locator('.activation-grid-map').getAttribute('aria-label')).toContain('7 × 7 positions');
    expect(await grid.locator('.activation-grid-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(224);
    const cell = await grid.locator('.activation-grid-cell').nth(24).boundingBox();
    const icon = await grid.locator('.activation-grid-cell').nth(24).locator('.activation-grid-icon').boundingBox();
    expect(icon!.width).toBeGreaterThan(cell!.width * 0.9);
    expect(errors).toEqual([]);
    await close();
  });
});

/** The page's colour at a point, from a screenshot (so it is what the reader sees, whatever the drawer). */
async function pixel(page: Page, point: { x: number; y: number }): Promise<[number, number, number]> {
  const png = await page.screenshot({ clip: { x: Math.round(point.x) - 1, y: Math.round(point.y) - 1, width: 3, height: 3 } });
  const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [data[12]!, data[13]!, data[14]!];
}

function lightness([r, g, b]: [number, number, number]): number {
  return (r + g + b) / 3;
}
