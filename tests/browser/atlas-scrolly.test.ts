/**
 * Scrollytelling on a desktop: each step moves the sticky figure (region, layer, focus), a deep link opens a
 * step, and without JavaScript every step shows a still of its view.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { findChromium } from '../helpers/browser.ts';
import { chromiumOnTestSite } from '../helpers/test-site-browser.ts';
import { ARTICLE_PATH } from '../helpers/site-build.ts';
import { dataset, openPage } from '../helpers/atlas-page.ts';

const chromiumPath = findChromium();
const STORY = 'story';

describe.skipIf(!chromiumPath)('scrollytelling', () => {
  const site = chromiumOnTestSite();

  const step = (page: Page, number: number) => page.locator(`.scrolly:has(#${STORY}) .scrolly-step[data-number="${number}"]`);
  const centre = async (page: Page) => {
    const [x0, y0, x1, y1] = (await dataset(page, STORY)).box!.split(',').map(Number);
    return [(x0! + x1!) / 2, (y0! + y1!) / 2].map((v) => Math.round(v * 100) / 100);
  };
  const near = (expected: number[]) => (actual: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) < 0.02);

  it('moves the figure as the steps scroll by', async () => {
    const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop');
    await step(page, 1).evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await page.waitForSelector(`#${STORY}[data-ready]`, { timeout: 20_000 });
    await expect.poll(async () => near([0.5, 0.5])(await centre(page))).toBe(true);
    expect((await dataset(page, STORY)).focus).toBeUndefined();

    await step(page, 2).evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await expect.poll(async () => (await dataset(page, STORY)).focus).toBe('snake');
    await expect.poll(async () => near([0.25, 0.15])(await centre(page))).toBe(true);
    expect(await step(page, 2).getAttribute('class')).toContain('is-active');
    // The sticky figure stays in the window while its text scrolls.
    const stage = (await page.locator(`#${STORY} .atlas-stage`).boundingBox())!;
    expect(stage.y).toBeGreaterThanOrEqual(0);
    expect(stage.y + stage.height).toBeLessThanOrEqual(900);

    await step(page, 4).evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await expect.poll(async () => (await dataset(page, STORY)).focus).toBe('shark');

    await step(page, 6).evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await expect.poll(async () => (await dataset(page, STORY)).view).toBe('mixed5a');
    expect((await dataset(page, STORY)).focus).toBe('shark');
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    await close();
  });

  it('opens the step a deep link names, and copies links that name the step', async () => {
    const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop', {
      path: `${ARTICLE_PATH}?figure=${STORY}&atlas=demo&step=6#${STORY}`,
      context: { reducedMotion: 'reduce' },
    });
    await expect.poll(async () => (await dataset(page, STORY)).view, { timeout: 20_000 }).toBe('mixed5a');
    expect(await step(page, 6).getAttribute('class')).toContain('is-active');
    await page.locator(`#${STORY} [data-action="copy-link"]`).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('6');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows each step a still of its view without JavaScript', async () => {
    const { page, errors, close } = await openPage(site.browser, site.server.url, 'desktop', { context: { javaScriptEnabled: false } });
    const stills = page.locator('.scrolly-still img');
    expect(await stills.count()).toBe(6);
    for (let i = 0; i < 6; i++) {
      await stills.nth(i).scrollIntoViewIfNeeded();
      await expect.poll(() => stills.nth(i).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    }
    expect(await page.locator(`#${STORY}`).isVisible()).toBe(false);
    // Ordinary figures show their still image too.
    const still = page.locator('#fig-layers-atlas .atlas-static');
    await still.scrollIntoViewIfNeeded();
    await expect.poll(() => still.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await close();
  });
});
