/**
 * Atlas figures of the example article on a desktop, against the fixture atlas (tests/helpers/fixture-public.ts):
 * tiles and semantic zoom, the tooltip of a known cell, class focus, the layer switcher, deep links, links in
 * the text, the keyboard, and labels that carry markup.
 */
import { expect } from 'vitest';
import { engineSuite, type TestPage } from '../helpers/engines/index.ts';
import { ARTICLE_PATH } from '../helpers/site-build.ts';
import { HOSTILE_LABEL } from '../helpers/fixture-public.ts';
import { formatAttribution } from '../../src/scripts/atlas/tooltip.ts';
import { builtCells, builtView, dataset, densestCellOf, pixel, screenPoint, showFigure } from '../helpers/atlas-page.ts';

const LAYERS = 'fig-layers-atlas';

/** The centre of the region a figure shows, and whether it is within 0.01 of where a link sent it. */
const centre = async (page: TestPage) => {
  const [x0, y0, x1, y1] = (await dataset(page, LAYERS)).box!.split(',').map(Number);
  return [(x0! + x1!) / 2, (y0! + y1!) / 2];
};
const near = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) < 0.01);

engineSuite('atlas figures on a desktop', (site) => {
  const open = (path?: string) => site.open('desktop', { path });
  const it = site.it.bind(site);

  it('loads tiles, opens on a coarse grid and shows finer grids when zoomed in', async () => {
    await site.withPage(open(), async (page) => {
      await showFigure(page, LAYERS);
      const levels = builtView('demo', 'mixed3b').levels;
      const before = Number((await dataset(page, LAYERS)).gridSize);
      expect(levels.map((l) => l.size)).toContain(before);
      expect(before).toBeLessThan(levels.at(-1)!.size);
      expect(page.tiles().length).toBeGreaterThan(0);

      for (let i = 0; i < 3; i++) await page.click(`#${LAYERS} [data-action="zoom-in"]`);
      await expect.poll(async () => Number((await dataset(page, LAYERS)).gridSize), { timeout: 10_000 }).toBeGreaterThan(before);
      const after = Number((await dataset(page, LAYERS)).gridSize);
      const finer = levels.find((l) => l.size === after)!;
      // The finer grid's own pyramid level was fetched.
      await expect.poll(() => page.tiles().some((url) => url.includes(`/mixed3b/tiles_files/${finer.dziLevel}/`)), { timeout: 10_000 }).toBe(true);
      await page.idle();
    });
  });

  it('shows the classes, count and examples the data has for the cell under the pointer', async () => {
    await site.withPage(open(), async (page) => {
      await showFigure(page, LAYERS);
      const size = Number((await dataset(page, LAYERS)).gridSize);
      const view = builtView('demo', 'mixed3b');
      const cells = builtCells('demo', 'mixed3b', size);
      const cell = cells.filter((c) => c.classes.length >= 3).sort((a, b) => b.count - a.count)[0]!;
      await page.mouse(await screenPoint(page, LAYERS, (cell.x + 0.5) / size, (cell.y + 0.5) / size));
      const tooltip = `#${LAYERS} .atlas-tooltip`;
      await expect.poll(() => page.visible(tooltip)).toBe(true);
      expect(await page.texts(`${tooltip} .atlas-tip-name`)).toEqual(cell.classes.slice(0, 5).map(([label]) => view.labels[label]));
      const values = await page.texts(`${tooltip} .atlas-tip-value`);
      expect(values[0]).toBe(formatAttribution(cell.classes[0]![1]));
      expect(await page.text(tooltip)).toContain(`average of ${cell.count.toLocaleString('en-US')} activations`);
      expect(await page.count(`${tooltip} .atlas-tip-example`)).toBe(Math.min(4, cell.examples.length));
      expect((await dataset(page, LAYERS)).inspected).toBe(`${size}:${cell.x},${cell.y}`);
      await page.mouse({ x: 5, y: 5 });
      await expect.poll(() => page.visible(tooltip)).toBe(false);
    });
  });

  it('fades the cells that do not support a focused class', async () => {
    await site.withPage(open(), async (page) => {
      await showFigure(page, LAYERS);
      const size = Number((await dataset(page, LAYERS)).gridSize);
      const cells = builtCells('demo', 'mixed3b', size);
      const { labels, focusClasses } = builtView('demo', 'mixed3b');
      // The cell most attributed to shark keeps its colour; one that supports another class fades.
      const sharkCell = [...cells].sort((a, b) => b.focus[focusClasses.indexOf('shark')]! - a.focus[focusClasses.indexOf('shark')]!)[0]!;
      const otherCell = densestCellOf(cells, labels.indexOf('bird'));
      const at = async (cell: { x: number; y: number }) => screenPoint(page, LAYERS, (cell.x + 0.3) / size, (cell.y + 0.7) / size);
      const before = { shark: await pixel(page, await at(sharkCell)), other: await pixel(page, await at(otherCell)) };

      await page.fill(`#${LAYERS} .atlas-focus-input`, 'shark');
      await expect.poll(async () => (await dataset(page, LAYERS)).focus).toBe('shark');
      await page.wait(300);
      const after = { shark: await pixel(page, await at(sharkCell)), other: await pixel(page, await at(otherCell)) };
      // The bird cell is washed towards the white background; the shark cell keeps its colour.
      expect(lightness(after.other) - lightness(before.other)).toBeGreaterThan(60);
      expect(Math.abs(lightness(after.shark) - lightness(before.shark))).toBeLessThan(8);

      await page.fill(`#${LAYERS} .atlas-focus-input`, '');
      await expect.poll(async () => (await dataset(page, LAYERS)).focus).toBeUndefined();
    });
  });

  it('round-trips a deep link: layer, region and focus', async () => {
    const { link, box } = await site.withPage(open(), async (first) => {
      await showFigure(first, LAYERS);
      await first.click({ css: `#${LAYERS} .atlas-views label`, text: 'mixed4b' });
      await expect.poll(async () => (await dataset(first, LAYERS)).view).toBe('mixed4b');
      await first.click(`#${LAYERS} [data-action="zoom-in"]`);
      await first.click(`#${LAYERS} [data-action="zoom-in"]`);
      await first.focus(`#${LAYERS} .atlas-canvas`);
      for (let i = 0; i < 3; i++) await first.press('ArrowRight');
      await first.fill(`#${LAYERS} .atlas-focus-input`, 'whale');
      await first.wait(1500);
      await first.click(`#${LAYERS} [data-action="copy-link"]`);
      await expect.poll(() => first.text(`#${LAYERS} .atlas-status`)).not.toBe('');
      const link = await first.url();
      if (first.can('clipboard')) expect(await first.readClipboard()).toBe(link);
      expect(new URL(link).searchParams.get('figure')).toBe(LAYERS);
      const box = (await dataset(first, LAYERS)).box!.split(',').map(Number);
      expect(box[2]! - box[0]!).toBeLessThan(0.6);
      return { link, box };
    });

    await site.withPage(open(link.slice(site.server.url.length)), async (second) => {
      await showFigure(second, LAYERS);
      await expect.poll(async () => (await dataset(second, LAYERS)).view).toBe('mixed4b');
      const restored = await dataset(second, LAYERS);
      expect(restored.focus).toBe('whale');
      restored
        .box!.split(',')
        .map(Number)
        .forEach((value, i) => expect(value).toBeCloseTo(box[i]!, 2));
      expect(await second.on(`#${LAYERS} .atlas-views input[value="mixed4b"]`, (input) => (input as HTMLInputElement).checked)).toBe(true);
    });
  });

  it('opens the default view from a deep link with garbage parameters', async () => {
    const garbage = `?figure=${LAYERS}&atlas=demo&view=%3Cscript%3E&box=2,nan,x,1&focus=%3Cimg%20src%3Dx%3E&step=-1#${LAYERS}`;
    await site.withPage(open(ARTICLE_PATH + garbage), async (page) => {
      await showFigure(page, LAYERS);
      const state = await dataset(page, LAYERS);
      expect(state.view).toBe('mixed3b');
      expect(state.focus).toBeUndefined();
      const box = state.box!.split(',').map(Number);
      // The whole map is in view.
      expect(box[0]).toBeLessThanOrEqual(0.001);
      expect(box[2]).toBeGreaterThanOrEqual(0.999);
      for (const other of [`?figure=nowhere&view=mixed4b`, `?figure=${LAYERS}&atlas=another`]) {
        await page.goto(ARTICLE_PATH + other);
        await showFigure(page, LAYERS);
        expect((await dataset(page, LAYERS)).view).toBe('mixed3b');
      }
    });
  });

  it('flies a figure from a link in the text, switching its layer and focusing it on a class', async () => {
    await site.withPage(open(), async (page) => {
      await page.click({ css: 'a.atlas-link', text: 'houses and cars on an island in the east' });
      await page.waitFor(`#${LAYERS}[data-ready]`);
      await expect.poll(async () => (await dataset(page, LAYERS)).view).toBe('mixed4b');
      // The link's box is "0.68 0.38 1 0.72": its centre is (0.84, 0.55).
      await expect.poll(async () => near(await centre(page), [0.84, 0.55])).toBe(true);
      expect(new URL(await page.url()).searchParams.get('figure')).toBe(LAYERS);

      await page.click({ css: 'a.atlas-link', text: 'the whales in the middle' });
      await expect.poll(async () => (await dataset(page, LAYERS)).focus, { timeout: 10_000 }).toBe('whale');
      expect((await dataset(page, LAYERS)).view).toBe('mixed5a');
    });
  });

  it('flies to a region a link names, and jumps there when the reader asks for reduced motion', async () => {
    // How many regions the map shows strictly between where it was and where the link "the north is blue water"
    // takes it (its box is "0.38 0.18 0.7 0.46": its centre is (0.54, 0.32)).
    const regionsOnTheWay = (reducedMotion: boolean) =>
      site.withPage(site.open('desktop', { reducedMotion }), async (page) => {
        await showFigure(page, LAYERS);
        await page.on(`#${LAYERS}`, (element) => {
          const record = { start: element.dataset.shown, shown: [] as string[] };
          (window as unknown as { __flight: typeof record }).__flight = record;
          new MutationObserver(() => record.shown.push(element.dataset.shown!)).observe(element, { attributes: true, attributeFilter: ['data-shown'] });
        });
        await page.click({ css: 'a.atlas-link', text: 'the north is blue water' });
        // Generous timeouts: on a loaded machine the flight, and the settling after it, take their time.
        await expect.poll(async () => near(await centre(page), [0.54, 0.32]), { timeout: 10_000 }).toBe(true);
        await expect
          .poll(
            async () => {
              const state = await dataset(page, LAYERS);
              return state.shown === state.box;
            },
            { timeout: 10_000 },
          )
          .toBe(true);
        const end = (await dataset(page, LAYERS)).shown;
        const { start, shown } = await page.evaluate(() => (window as unknown as { __flight: { start: string; shown: string[] } }).__flight);
        return new Set(shown.filter((region) => region !== start && region !== end)).size;
      });

    expect(await regionsOnTheWay(true), 'regions shown on the way with reduced motion').toBe(0);
    // A loaded machine may draw no frame at all during the 0.9 s flight: the flight gets three tries to show one.
    let between = 0;
    for (let attempt = 0; attempt < 3 && between === 0; attempt++) between = await regionsOnTheWay(false);
    expect(between, 'regions shown on the way while flying').toBeGreaterThan(0);
  });

  it('works from the keyboard: zoom keys, Enter describes the middle cell, Escape closes it', async () => {
    await site.withPage(open(), async (page) => {
      await showFigure(page, LAYERS);
      const canvas = `#${LAYERS} .atlas-canvas`;
      await page.focus(canvas);
      expect(await page.on(canvas, (element) => getComputedStyle(element).outlineStyle)).toBe('solid');
      const before = (await dataset(page, LAYERS)).box;
      await page.press('+');
      await expect.poll(async () => (await dataset(page, LAYERS)).box).not.toBe(before);
      await page.press('Enter');
      const tooltip = `#${LAYERS} .atlas-tooltip`;
      await expect.poll(() => page.visible(tooltip)).toBe(true);
      expect(await page.text(tooltip)).toContain('activations');
      await page.press('Escape');
      await expect.poll(() => page.visible(tooltip)).toBe(false);
      // The buttons are reachable with Tab and named.
      await page.focus(`#${LAYERS} [data-action="zoom-in"]`);
      await page.press('Enter');
      expect(await page.onAll(`#${LAYERS} .atlas-buttons button`, (buttons) => buttons.map((b) => b.getAttribute('aria-label')))).toEqual([
        'Zoom in',
        'Zoom out',
        'Show the whole map',
        'Full screen',
      ]);
    });
  });

  it('shows class names with markup in them as text', async () => {
    await site.withPage(open('fixtures/hostile-labels/'), async (page) => {
      await showFigure(page, 'hostile');
      const size = Number((await dataset(page, 'hostile')).gridSize);
      const labels = builtView('hostile', 'mixed4b').labels;
      const cell = densestCellOf(builtCells('hostile', 'mixed4b', size), labels.indexOf(HOSTILE_LABEL));
      await page.mouse(await screenPoint(page, 'hostile', (cell.x + 0.5) / size, (cell.y + 0.5) / size));
      const tooltip = '#hostile .atlas-tooltip';
      await expect.poll(() => page.visible(tooltip)).toBe(true);
      expect((await page.texts(`${tooltip} .atlas-tip-name`))[0]).toBe(HOSTILE_LABEL);
      expect(await page.count(`${tooltip} img`)).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __atlasInjected?: number }).__atlasInjected ?? null)).toBeNull();
      expect(await page.onAll('#hostile datalist option', (options) => options.map((o) => o.getAttribute('value')))).toContain(HOSTILE_LABEL);
    });
  });

  it('draws an activation grid over its image, without a script', async () => {
    await site.withPage(open('fixtures/activation-grid/'), async (page) => {
      await page.idle();
      const grid = '.activation-grid';
      expect(await page.count(`${grid} .activation-grid-cell`)).toBe(49);
      expect(await page.count(`${grid} .activation-grid-icon`)).toBeGreaterThan(30);
      expect(await page.attribute(`${grid} .activation-grid-map`, 'aria-label')).toContain('7 × 7 positions');
      expect(await page.on(`${grid} .activation-grid-image`, (img) => (img as HTMLImageElement).naturalWidth)).toBe(224);
      const cell = await page.box({ css: `${grid} .activation-grid-cell`, nth: 24 });
      const icon = await page.box({ css: `${grid} .activation-grid-cell:nth-child(25) .activation-grid-icon` });
      expect(icon.width).toBeGreaterThan(cell.width * 0.9);
    });
  });
});

function lightness([r, g, b]: [number, number, number]): number {
  return (r + g + b) / 3;
}
