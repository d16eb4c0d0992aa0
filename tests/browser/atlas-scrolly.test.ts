/**
 * Scrollytelling on a desktop, in every engine: each step moves the sticky figure (region, layer, focus), a deep
 * link opens a step, and without JavaScript every step shows a still of its view.
 */
import { expect } from 'vitest';
import { engineSuite, type TestPage } from '../helpers/engines/index.ts';
import { ARTICLE_PATH } from '../helpers/site-build.ts';
import { dataset } from '../helpers/atlas-page.ts';

const STORY = 'story';

engineSuite('scrollytelling', (site) => {
  const step = (number: number) => `.scrolly:has(#${STORY}) .scrolly-step[data-number="${number}"]`;
  const centre = async (page: TestPage) => {
    const [x0, y0, x1, y1] = (await dataset(page, STORY)).box!.split(',').map(Number);
    return [(x0! + x1!) / 2, (y0! + y1!) / 2].map((v) => Math.round(v * 100) / 100);
  };
  const near = (expected: number[]) => (actual: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) < 0.02);

  site.it('moves the figure as the steps scroll by', async () => {
    await site.withPage(site.open('desktop'), async (page) => {
      await page.scrollIntoView(step(1));
      await page.waitFor(`#${STORY}[data-ready]`);
      await expect.poll(async () => near([0.5, 0.5])(await centre(page))).toBe(true);
      expect((await dataset(page, STORY)).focus).toBeUndefined();

      await page.scrollIntoView(step(2));
      await expect.poll(async () => (await dataset(page, STORY)).focus).toBe('snake');
      await expect.poll(async () => near([0.25, 0.15])(await centre(page))).toBe(true);
      expect(await page.attribute(step(2), 'class')).toContain('is-active');
      // The sticky figure stays in the window while its text scrolls.
      const stage = await page.box(`#${STORY} .atlas-stage`);
      expect(stage.y).toBeGreaterThanOrEqual(0);
      expect(stage.y + stage.height).toBeLessThanOrEqual(900);

      await page.scrollIntoView(step(4));
      await expect.poll(async () => (await dataset(page, STORY)).focus).toBe('shark');

      await page.scrollIntoView(step(6));
      await expect.poll(async () => (await dataset(page, STORY)).view).toBe('mixed5a');
      expect((await dataset(page, STORY)).focus).toBe('shark');
      await page.idle();
    });
  });

  site.it('opens the step a deep link names, and copies links that name the step', async () => {
    await site.withPage(site.open('desktop', { path: `${ARTICLE_PATH}?figure=${STORY}&atlas=demo&step=6#${STORY}`, reducedMotion: true }), async (page) => {
      await expect.poll(async () => (await dataset(page, STORY)).view, { timeout: 20_000 }).toBe('mixed5a');
      expect(await page.attribute(step(6), 'class')).toContain('is-active');
      await page.click(`#${STORY} [data-action="copy-link"]`);
      await expect.poll(async () => new URL(await page.url()).searchParams.get('step')).toBe('6');
    });
  });

  site.it('shows each step a still of its view without JavaScript', async () => {
    await site.withPage(site.open('desktop', { javaScript: false }), async (page) => {
      const stills = '.scrolly-still img';
      expect(await page.count(stills)).toBe(6);
      for (let i = 0; i < 6; i++) {
        await page.scrollIntoView({ css: stills, nth: i });
        await expect.poll(() => page.on({ css: stills, nth: i }, (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      }
      expect(await page.visible(`#${STORY}`)).toBe(false);
      // Ordinary figures show their still image too.
      const still = '#fig-layers-atlas .atlas-static';
      await page.scrollIntoView(still);
      await expect.poll(() => page.on(still, (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      // The page's scripts did not run (the figure would have started).
      expect(await page.attribute('#fig-layers-atlas', 'data-ready')).toBeNull();
    });
  });
});
