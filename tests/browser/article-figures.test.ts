/**
 * Every figure of the example article, as a reader meets it (against the fixture atlas), in every engine: each
 * one scrolled into view on a desktop and on a phone draws something — its images load, its atlas viewer loads
 * its tiles, its screenshot is not blank — and the figures that report numbers (neurons, the patch experiment,
 * <Value>s in the prose) show what the manifest says. The atlas viewers' interactions are tested in atlas*.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import sharp from 'sharp';
import { engineSuite, type TestPage } from '../helpers/engines/index.ts';
import { TEST_OUT_DIR } from '../helpers/site-build.ts';
import { formatValue, manifestValue, type ValueFormat } from '../../pipeline/published/manifest-value.ts';

const manifest = () => JSON.parse(readFileSync(path.join(TEST_OUT_DIR, 'atlases', 'demo', 'manifest.json'), 'utf8')) as Record<string, any>;
/** Numbered figures, and the scrollytelling figure (a .scrolly, not a <figure>). */
const FIGURES = '.article-body figure, .article-body .scrolly';

/** The spread of the grey levels of what the window shows of a figure: near 0 for a blank box. */
async function contrast(page: TestPage, figure: number): Promise<number> {
  const png = await page.screenshot(await page.box({ css: FIGURES, nth: figure }));
  const stats = await sharp(png).greyscale().stats();
  return stats.channels[0]!.stdev;
}

engineSuite('the example article’s figures', (site) => {
  for (const kind of ['desktop', 'phone'] as const) {
    site.it(`draws every figure (${kind})`, async () => {
      await site.withPage(site.open(kind), async (page) => {
        const count = await page.count(FIGURES);
        expect(count).toBeGreaterThanOrEqual(8);
        for (let i = 0; i < count; i++) {
          const figure = { css: FIGURES, nth: i };
          const label = (await page.attribute(figure, 'id')) ?? `figure ${i + 1}`;
          await page.scrollIntoView(figure, 'start');
          if (await page.on(figure, (f) => f.querySelector('.atlas-figure') !== null)) {
            await expect
              .poll(() => page.on(figure, (f) => f.querySelector('.atlas-figure')!.getAttribute('data-loaded')), {
                timeout: 20_000,
                message: `${label} loads its tiles`,
              })
              .not.toBeNull();
          }
          const unloaded = () =>
            page.on(
              figure,
              (f) =>
                Array.from(f.querySelectorAll('img')).filter(
                  (img) => img.getClientRects().length > 0 && getComputedStyle(img).visibility !== 'hidden' && !(img.complete && img.naturalWidth > 0),
                ).length,
            );
          await expect.poll(unloaded, { message: `${label}: every visible image loads` }).toBe(0);
          expect(await contrast(page, i), `${label} looks blank`).toBeGreaterThan(8);
        }
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      });
    });
  }

  site.it('shows each neuron figure with its layer and channels', async () => {
    await site.withPage(site.open('desktop'), async (page) => {
      const neurons = manifest().neurons as Record<string, { title: string; channels: number[]; layer: string }>;
      const shown = await page.onAll('.neuron', (items) =>
        items.map((item) => ({ title: item.querySelector<HTMLElement>('.neuron-label')!.innerText, alt: item.querySelector('img')!.getAttribute('alt') })),
      );
      expect(shown.length).toBe(Object.keys(neurons).length);
      for (const { title, alt } of shown) {
        const neuron = Object.values(neurons).find((n) => n.title === title)!;
        expect(neuron, title).toBeDefined();
        for (const channel of neuron.channels) expect(alt).toContain(String(channel));
        expect(alt).toContain(neuron.layer);
      }
    });
  });

  site.it('tabulates the patch experiment as the manifest has it, with its control', async () => {
    await site.withPage(site.open('desktop'), async (page) => {
      const experiment = manifest().patchExperiments.baseball as { rows: { patch: string; size: number; flipped: number; rate: number }[]; images: number };
      const table = '.patch-table table';
      expect(await page.texts(`${table} thead th`)).toEqual(['Patch size', 'Atlas icon', 'Random noise (control)']);
      const rows = await page.onAll(`${table} tbody tr`, (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll<HTMLElement>('th, td')).map((cell) => cell.innerText)),
      );
      const sizes = [...new Set(experiment.rows.map((r) => r.size))].sort((a, b) => a - b);
      expect(rows.length).toBe(sizes.length);
      for (const [i, size] of sizes.entries()) {
        const of = (patch: string) => experiment.rows.find((r) => r.patch === patch && r.size === size)!;
        expect(rows[i]).toEqual([
          `${size} × ${size} px`,
          `${formatValue(of('icon').rate, 'percent')} (${of('icon').flipped})`,
          `${formatValue(of('random noise').rate, 'percent')} (${of('random noise').flipped})`,
        ]);
      }
      expect(await page.text(`${table} caption`)).toContain(`${experiment.images} held-out whale images`);
      // Before, patch, after: the example the pipeline published.
      expect(await page.count('.patch-panel img')).toBe(3);
      expect((await page.texts('.patch-panel')).at(-1)).toContain('shark');
    });
  });

  site.it('prints every number quoted in the prose from the manifest', async () => {
    await site.withPage(site.open('desktop'), async (page) => {
      const source = readFileSync('content/articles/reading-an-activation-atlas.mdx', 'utf8');
      const quoted = [...source.matchAll(/<Value atlas="demo" path="([^"]+)"(?: format="([a-z0-9]+)")? \/>/g)].map(([, valuePath, format]) => {
        const found = manifestValue(manifest(), valuePath!);
        if ('missing' in found) throw new Error(`fixture manifest: ${found.missing}`);
        return formatValue(found.value, format as ValueFormat | undefined);
      });
      expect(quoted.length).toBeGreaterThan(10);
      expect(await page.texts('.manifest-value')).toEqual(quoted);
    });
  });
});
