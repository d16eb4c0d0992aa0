/**
 * The canvas memory an article's atlas viewers hold on a phone: Chromium at 375 × 740 CSS px and a device pixel
 * ratio of 2 (an iPhone's), every canvas the page creates tracked from its first script, each figure started
 * in turn, zoomed in three steps and panned (so that its tile cache fills as a reader's would) and sent home.
 * After each figure, garbage is collected and the backing stores of the canvases still alive are summed
 * (width × height × 4 bytes); a figure's share is what the sum grew by. iOS Safari caps a page's canvas memory
 * (OpenSeadragon #2176); the target is under 200 MB for the whole article.
 */
import type { Browser } from 'playwright-core';

export interface CanvasMemory {
  viewport: { width: number; height: number; deviceScaleFactor: number };
  figures: { id: string; bytes: number; canvases: number }[];
  totalBytes: number;
}

const TRACK_CANVASES = `(() => {
  const live = [];
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (name, ...rest) {
    const element = create.call(this, name, ...rest);
    if (String(name).toLowerCase() === 'canvas') live.push(new WeakRef(element));
    return element;
  };
  window.__canvasMemory = () => {
    let bytes = 0, canvases = 0;
    for (const ref of live) {
      const canvas = ref.deref();
      if (canvas && canvas.width * canvas.height > 0) { bytes += canvas.width * canvas.height * 4; canvases++; }
    }
    return { bytes, canvases };
  };
})();`;

export async function canvasMemory(browser: Browser, url: string): Promise<CanvasMemory> {
  const viewport = { width: 375, height: 740, deviceScaleFactor: 2 };
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    deviceScaleFactor: viewport.deviceScaleFactor,
    isMobile: true,
    hasTouch: true,
  });
  try {
    await context.addInitScript(TRACK_CANVASES);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return page.evaluate(() => (window as unknown as { __canvasMemory: () => { bytes: number; canvases: number } }).__canvasMemory());
    };
    await page.goto(url, { waitUntil: 'networkidle' });
    let before = await measure();
    const figures: CanvasMemory['figures'] = [];
    for (const id of await page.locator('.atlas-figure').evaluateAll((elements) => elements.map((e) => e.id))) {
      const figure = page.locator(`#${id}`);
      await figure.scrollIntoViewIfNeeded();
      await page.waitForSelector(`#${id}[data-ready][data-loaded]`, { timeout: 30_000 });
      const zoomIn = figure.locator('[data-action="zoom-in"]');
      if (await zoomIn.isVisible()) {
        for (let step = 0; step < 3; step++) {
          await zoomIn.click();
          await page.waitForTimeout(600);
        }
        await figure.locator('.atlas-canvas').focus();
        for (const key of ['ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowDown', 'ArrowLeft', 'ArrowLeft']) {
          await page.keyboard.press(key);
          await page.waitForTimeout(400);
        }
        await figure
          .locator('[data-action="home"]')
          .click()
          .catch(() => undefined);
      }
      await page.waitForLoadState('networkidle');
      const after = await measure();
      figures.push({ id, bytes: after.bytes - before.bytes, canvases: after.canvases - before.canvases });
      before = after;
    }
    return { viewport, figures, totalBytes: before.bytes };
  } finally {
    await context.close();
  }
}
