/**
 * The example article in every engine, at desktop and phone sizes, served under a non-root base: errors, layout,
 * the table of contents, citation and footnote previews (hover, keyboard, tap), the colour scheme, margin notes,
 * print styles and the BibTeX copy button. An engine that is not installed skips, naming its Debian package.
 */
import { expect } from 'vitest';
import { engineSuite, type Kind, type TestPage } from '../helpers/engines/index.ts';

engineSuite('example article', (site) => {
  const previewText = (page: TestPage) => page.text('#preview-box');
  const previewShown = (page: TestPage) => page.visible('#preview-box');
  /** The article, once its previews are set up (a loaded engine may run its scripts after the load event). */
  const withPreviews = async (kind: Kind) => {
    const page = await site.open(kind);
    await page.waitFor('#preview-box[data-ready]');
    return page;
  };

  for (const kind of ['desktop', 'phone'] as const) {
    site.it(`loads the article and the index without errors (${kind})`, async () => {
      await site.withPage(site.open(kind), async (page) => {
        await page.idle();
        await page.goto('');
        await page.idle();
      });
    });

    site.it(`has no horizontal scroll (${kind})`, async () => {
      await site.withPage(site.open(kind), async (page) => {
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      });
    });

    site.it(`lands table-of-contents links on their heading (${kind})`, async () => {
      await site.withPage(site.open(kind), async (page) => {
        await page.click({ css: '.toc a', text: 'How to read an atlas without being fooled' });
        await expect.poll(() => page.evaluate(() => location.hash)).toBe('#how-to-read-an-atlas-without-being-fooled');
        // The article scrolls smoothly: wait until the heading has arrived.
        await expect.poll(() => page.box('#how-to-read-an-atlas-without-being-fooled').then((box) => box.y >= 0 && box.y < 60)).toBe(true);
      });
    });
  }

  site.it('opens citation and footnote previews on hover; Escape or moving away closes them (desktop)', async () => {
    await site.withPage(withPreviews('desktop'), async (page) => {
      const citation = { css: 'a.citation', text: '[2, 3]' };
      await page.hover(citation);
      await expect.poll(() => previewShown(page)).toBe(true);
      const text = await previewText(page);
      expect(text).toContain('Feature Visualization');
      expect(text).toContain('The Building Blocks of Interpretability');
      expect(await page.attribute(citation, 'aria-describedby')).toBe('preview-box');
      await page.press('Escape');
      await expect.poll(() => previewShown(page)).toBe(false);

      await page.hover({ css: 'a[data-footnote-ref]', nth: 1 });
      await expect.poll(() => previewText(page)).toContain('min_dist');
      await page.mouse({ x: 5, y: 5 });
      await expect.poll(() => previewShown(page)).toBe(false);
    });
  });

  site.it('opens footnote and figure previews on keyboard focus, never nested', async () => {
    await site.withPage(withPreviews('desktop'), async (page) => {
      await page.focus('a[data-footnote-ref]');
      await expect.poll(() => previewShown(page)).toBe(true);
      expect(await previewText(page)).toContain('cat faces');
      expect(await page.count('#preview-box [data-footnote-backref]')).toBe(0);

      await page.focus('a.figure-ref');
      await expect.poll(() => previewText(page)).toContain('Feature visualizations of layer mixed4b');
      // Cloned content carries no ids and no triggers of its own.
      expect(await page.count('#preview-box [id], #preview-box [data-preview], #preview-box [data-footnote-ref]')).toBe(0);
      expect(await page.attribute('#preview-box', 'data-kind')).toBe('figure');
      await page.press('Escape');
      await expect.poll(() => previewShown(page)).toBe(false);
    });
  });

  site.it(
    'previews a citation on the first tap and follows it on the second (phone)',
    async () => {
      await site.withPage(withPreviews('phone'), async (page) => {
        const citation = 'a.citation';
        await page.tap(citation);
        await expect.poll(() => previewShown(page)).toBe(true);
        expect(await previewText(page)).toContain('Activation Atlas');
        expect(await page.url()).not.toContain('#bib-');
        const box = await page.box('#preview-box');
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(375);
        await page.tap(citation);
        await expect.poll(() => page.evaluate(() => location.hash)).toBe('#bib-carter2019activation');
      });
    },
    'touch',
  );

  site.it(
    'closes a tapped preview when the reader taps elsewhere (phone)',
    async () => {
      await site.withPage(withPreviews('phone'), async (page) => {
        await page.tap('a[data-footnote-ref]');
        await expect.poll(() => previewShown(page)).toBe(true);
        await page.tap('.title-block h1');
        await expect.poll(() => previewShown(page)).toBe(false);
      });
    },
    'touch',
  );

  site.it('follows the reader’s dark colour scheme', async () => {
    const colors = (colorScheme: 'light' | 'dark') =>
      site.withPage(site.open('desktop', { colorScheme }), (page) =>
        page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]),
      );
    expect(await colors('light')).toEqual(['rgb(255, 255, 255)', 'rgb(29, 33, 37)']);
    expect(await colors('dark')).toEqual(['rgb(21, 23, 26)', 'rgb(230, 232, 234)']);
  });

  site.it('puts margin notes in the margin on desktop and inline on phones', async () => {
    const position = (kind: Kind) =>
      site.withPage(site.open(kind), (page) =>
        page.evaluate(() => {
          const note = document.querySelector('.margin-note')!.getBoundingClientRect();
          const text = document.querySelector('.article-body > p')!.getBoundingClientRect();
          return { noteLeft: note.left, textRight: text.right, noteWidth: note.width, textWidth: text.width };
        }),
      );
    const desktop = await position('desktop');
    expect(desktop.noteLeft).toBeGreaterThan(desktop.textRight);
    const phone = await position('phone');
    expect(phone.noteLeft).toBeLessThan(phone.textRight);
    expect(phone.noteWidth).toBeCloseTo(phone.textWidth, 0);
  });

  site.it(
    'prints without the table of contents, previews and buttons',
    async () => {
      await site.withPage(site.open('desktop'), async (page) => {
        await page.emulatePrint();
        const hidden = await page.evaluate(() =>
          ['.toc', '.copy-button', '.site-header'].map((selector) => getComputedStyle(document.querySelector(selector)!).display),
        );
        expect(hidden).toEqual(['none', 'none', 'none']);
      });
    },
    'print',
  );

  site.it('copies the BibTeX entry', async () => {
    await site.withPage(site.open('desktop'), async (page) => {
      await page.click('button[data-copy="bibtex-entry"]');
      await expect.poll(() => page.text('.copy-status')).toBe('Copied to the clipboard.');
      if (page.can('clipboard')) expect(await page.readClipboard()).toMatch(/^@article\{carberry2026reading,/);
    });
  });
});
