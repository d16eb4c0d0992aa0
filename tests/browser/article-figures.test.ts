/**
 * Every figure of the example article, as a reader meets it (against the fixture atlas): each one scrolled into
 * view on a desktop and on a phone draws something — its images load, its atlas viewer loads its tiles, its
 * screenshot is not blank — and the figures that report numbers (neurons, the patch experiment, <Value>s in the
 * prose) show what the manifest says. The atlas viewers' interactions are tested in atlas*.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import sharp from 'sharp';
import { findChromium } from '../helpers/browser.ts';
import { chromiumOnTestSite } from '../helpers/test-site-browser.ts';
import { TEST_OUT_DIR } from '../helpers/site-build.ts';
import { openPage } from '../helpers/atlas-page.ts';
import { formatValue, manifestValue, type ValueFormat } from '../../pipeline/site/manifest-value.ts';

const chromiumPath = findChromium();
const manifest = () => JSON.parse(readFileSync(path.join(TEST_OUT_DIR, 'atlases', 'demo', 'manifest.json'), 'utf8')) as Record<string, any>;

/** The spread of a screenshot's grey levels: near 0 for a blank box. */
async function contrast(element: Locator): Promise<number> {
  const stats = await sharp(await element.screenshot()).greyscale().stats();
  return stats.channels[0]!.stdev;
}

describe.skipIf(!chromiumPath)('the example article’s figures', () => {
  const site = chromiumOnTestSite();

  for (const kind of ['desktop', 'phone'] as const) {
    it(`draws every figure (${kind})`, async () => {
      const { page, errors, close } = await openPage(site.browser, site.server.url, kind);
      // Numbered figures, and the scrollytelling figure (a .scrolly, not a <figure>).
      const figures = page.locator('.article-body figure, .article-body .scrolly');
      const count = await figures.count();
      expect(count).toBeGreaterThanOrEqual(8);
      for (let i = 0; i < count; i++) {
        const figure = figures.nth(i);
        const label = (await figure.getAttribute('id')) ?? `figure ${i + 1}`;
        await figure.scrollIntoViewIfNeeded();
        const viewer = figure.locator('.atlas-figure');
        if (await viewer.count()) await expect.poll(() => viewer.first().getAttribute('data-loaded'), { timeout: 20_000, message: `${label} loads its tiles` }).not.toBeNull();
        const images = figure.locator('img:visible');
        for (let j = 0; j < (await images.count()); j++) {
          await expect.poll(() => images.nth(j).evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth), { message: `${label} image ${j}` }).toBeGreaterThan(0);
        }
        expect(await contrast(figure), `${label} looks blank`).toBeGreaterThan(8);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      expect(errors).toEqual([]);
      await close();
    }, 120_000);
  }

  it('shows each neuron figure with its layer and channels', async () => {
    const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop');
    const neurons = manifest().neurons as Record<string, { title: string; channels: number[]; layer: string }>;
    const shown = page.locator('.neuron');
    expect(await shown.count()).toBe(Object.keys(neurons).length);
    for (let i = 0; i < (await shown.count()); i++) {
      const item = shown.nth(i);
      const title = await item.locator('.neuron-label').innerText();
      const neuron = Object.values(neurons).find((n) => n.title === title)!;
      expect(neuron, title).toBeDefined();
      const alt = await item.locator('img').getAttribute('alt');
      for (const channel of neuron.channels) expect(alt).toContain(String(channel));
      expect(alt).toContain(neuron.layer);
    }
    expect(errors).toEqual([]);
    await close();
  });

  it('tabulates the patch experiment as the manifest has it, with its control', async () => {
    const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop');
    const experiment = manifest().patchExperiments.baseball as { rows: { patch: string; size: number; flipped: number; rate: number }[]; images: number };
    const table = page.locator('.patch-table table');
    const header = await table.locator('thead th').allInnerTexts();
    expect(header).toEqual(['Patch size', 'Atlas icon', 'Random noise (control)']);
    const rows = table.locator('tbody tr');
    const sizes = [...new Set(experiment.rows.map((r) => r.size))].sort((a, b) => a - b);
    expect(await rows.count()).toBe(sizes.length);
    for (const [i, size] of sizes.entries()) {
      const cells = await rows.nth(i).locator('th, td').allInnerTexts();
      const of = (patch: string) => experiment.rows.find((r) => r.patch === patch && r.size === size)!;
      expect(cells).toEqual([`${size} × ${size} px`, `${formatValue(of('icon').rate, 'percent')} (${of('icon').flipped})`, `${formatValue(of('random noise').rate, 'percent')} (${of('random noise').flipped})`]);
    }
    expect(await table.locator('caption').innerText()).toContain(`${experiment.images} held-out whale images`);
    // Before, patch, after: the example the pipeline published.
    expect(await page.locator('.patch-panel img').count()).toBe(3);
    expect(await page.locator('.patch-panel').last().innerText()).toContain('shark');
    expect(errors).toEqual([]);
    await close();
  });

  it('prints every number quoted in the prose from the manifest', async () => {
    const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop');
    const source = readFileSync('content/articles/reading-an-activation-atlas.mdx', 'utf8');
    const quoted = [...source.matchAll(/<Value atlas="demo" path="([^"]+)"(?: format="([a-z0-9]+)")? \/>/g)].map(([, valuePath, format]) => {
      const found = manifestValue(manifest(), valuePath!);
      if ('missing' in found) throw new Error(`fixture manifest: ${found.missing}`);
      return formatValue(found.value, format as ValueFormat | undefined);
    });
    expect(quoted.length).toBeGreaterThan(10);
    expect(await page.locator('.manifest-value').allInnerTexts()).toEqual(quoted);
    expect(errors).toEqual([]);
    await close();
  });
});
