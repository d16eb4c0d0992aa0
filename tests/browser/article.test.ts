/**
 * The example article in headless Chromium, at desktop and phone sizes, served under a non-root base.
 * Skips, saying why, only where no Chromium is installed (Debian: apt-get install -y chromium).
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { findChromium } from '../helpers/browser.ts';
import { chromiumOnTestSite } from '../helpers/test-site-browser.ts';
import { ARTICLE_PATH } from '../helpers/site-build.ts';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('Browser tests skipped: no Chromium found at /usr/bin/chromium (apt-get install -y chromium) or $CHROMIUM_PATH.');

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 }, hasTouch: false, isMobile: false },
  phone: { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
} as const;

describe.skipIf(!chromiumPath)('example article in Chromium', () => {
  const site = chromiumOnTestSite();

  /** A page with its console errors, page errors and failed requests collected. */
  async function open(kind: keyof typeof VIEWPORTS, path = ARTICLE_PATH, colorScheme: 'light' | 'dark' = 'light') {
    const context: BrowserContext = await site.browser.newContext({ ...VIEWPORTS[kind], colorScheme });
    const page: Page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
    page.on('response', (response) => response.status() >= 400 && errors.push(`HTTP ${response.status()}: ${response.url()}`));
    await page.goto(site.server.url + path, { waitUntil: 'load' });
    return { page, errors, close: () => context.close() };
  }

  const previewText = (page: Page) => page.locator('#preview-box').innerText();

  for (const kind of ['desktop', 'phone'] as const) {
    it(`loads the article and the index without errors (${kind})`, async () => {
      for (const path of [ARTICLE_PATH, '']) {
        const { page, errors, close } = await open(kind, path);
        await page.waitForLoadState('networkidle');
        expect(errors).toEqual([]);
        await close();
      }
    });

    it(`has no horizontal scroll (${kind})`, async () => {
      const { page, close } = await open(kind);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
      await close();
    });

    it(`lands table-of-contents links on their heading (${kind})`, async () => {
      const { page, close } = await open(kind);
      const link = page.locator('.toc a', { hasText: 'How to read an atlas without being fooled' });
      await link.click();
      await page.waitForFunction(() => location.hash === '#how-to-read-an-atlas-without-being-fooled');
      const top = await page.locator('#how-to-read-an-atlas-without-being-fooled').evaluate((h) => h.getBoundingClientRect().top);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(60);
      await close();
    });
  }

  it('opens citation and footnote previews on hover; Escape or moving away closes them (desktop)', async () => {
    const { page, close } = await open('desktop');
    const citation = page.locator('a.citation', { hasText: '[2, 3]' });
    await citation.hover();
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(true);
    const text = await previewText(page);
    expect(text).toContain('Feature Visualization');
    expect(text).toContain('The Building Blocks of Interpretability');
    expect(await citation.getAttribute('aria-describedby')).toBe('preview-box');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(false);

    await page.locator('a[data-footnote-ref]').nth(1).hover();
    await expect.poll(() => previewText(page)).toContain('min_dist');
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(false);
    await close();
  });

  it('opens footnote and figure previews on keyboard focus, never nested', async () => {
    const { page, close } = await open('desktop');
    await page.locator('a[data-footnote-ref]').first().focus();
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(true);
    expect(await previewText(page)).toContain('cat faces');
    expect(await page.locator('#preview-box [data-footnote-backref]').count()).toBe(0);

    await page.locator('a.figure-ref').first().focus();
    await expect.poll(() => previewText(page)).toContain('Feature visualizations of layer mixed4b');
    // Cloned content carries no ids and no triggers of its own.
    expect(await page.locator('#preview-box [id], #preview-box [data-preview], #preview-box [data-footnote-ref]').count()).toBe(0);
    expect(await page.locator('#preview-box').getAttribute('data-kind')).toBe('figure');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(false);
    await close();
  });

  it('previews a citation on the first tap and follows it on the second (phone)', async () => {
    const { page, close } = await open('phone');
    const citation = page.locator('a.citation').first();
    await citation.scrollIntoViewIfNeeded();
    await citation.tap();
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(true);
    expect(await previewText(page)).toContain('Activation Atlas');
    expect(page.url()).not.toContain('#bib-');
    const box = await page.locator('#preview-box').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    await citation.tap();
    await page.waitForFunction(() => location.hash === '#bib-carter2019activation');
    await close();
  });

  it('closes a tapped preview when the reader taps elsewhere (phone)', async () => {
    const { page, close } = await open('phone');
    const footnote = page.locator('a[data-footnote-ref]').first();
    await footnote.scrollIntoViewIfNeeded();
    await footnote.tap();
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(true);
    await page.locator('.title-block h1').tap();
    await expect.poll(() => page.locator('#preview-box').isVisible()).toBe(false);
    await close();
  });

  it('follows the reader’s dark colour scheme', async () => {
    const colors = async (scheme: 'light' | 'dark') => {
      const { page, close } = await open('desktop', ARTICLE_PATH, scheme);
      const result = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
      await close();
      return result;
    };
    expect(await colors('light')).toEqual(['rgb(255, 255, 255)', 'rgb(29, 33, 37)']);
    expect(await colors('dark')).toEqual(['rgb(21, 23, 26)', 'rgb(230, 232, 234)']);
  });

  it('puts margin notes in the margin on desktop and inline on phones', async () => {
    const position = async (kind: keyof typeof VIEWPORTS) => {
      const { page, close } = await open(kind);
      const result = await page.evaluate(() => {
        const note = document.querySelector('.margin-note')!.getBoundingClientRect();
        const text = document.querySelector('.article-body > p')!.getBoundingClientRect();
        return { noteLeft: note.left, textRight: text.right, noteWidth: note.width, textWidth: text.width };
      });
      await close();
      return result;
    };
    const desktop = await position('desktop');
    expect(desktop.noteLeft).toBeGreaterThan(desktop.textRight);
    const phone = await position('phone');
    expect(phone.noteLeft).toBeLessThan(phone.textRight);
    expect(phone.noteWidth).toBeCloseTo(phone.textWidth, 0);
  });

  it('prints without the table of contents, previews and buttons', async () => {
    const { page, close } = await open('desktop');
    await page.emulateMedia({ media: 'print' });
    const hidden = await page.evaluate(() =>
      ['.toc', '.copy-button', '.site-header'].map((selector) => getComputedStyle(document.querySelector(selector)!).display),
    );
    expect(hidden).toEqual(['none', 'none', 'none']);
    await close();
  });

  it('copies the BibTeX entry', async () => {
    const context = await site.browser.newContext({ ...VIEWPORTS.desktop, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(site.server.url + ARTICLE_PATH);
    await page.locator('button[data-copy="bibtex-entry"]').click();
    await expect.poll(() => page.locator('.copy-status').innerText()).toBe('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^@article\{carberry2026reading,/);
    await context.close();
  });
});
