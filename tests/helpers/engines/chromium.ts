/**
 * Chromium: Debian's `chromium`, driven by playwright-core over the DevTools protocol (browser.ts has the flags).
 * One browser per test suite; each page gets a fresh context (its own profile, viewport and media settings).
 */
import { chromium as playwright, type Browser, type BrowserContext, type BrowserServer, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../browser.ts';
import type { DriverPage, Engine, EngineBrowser, PageOptions, Point } from './driver.ts';

export const chromium: Engine = {
  id: 'chromium',
  name: 'Chromium',
  install: 'apt-get install -y chromium',
  missing: () => (findChromium() ? undefined : 'no Chromium at /usr/bin/chromium or $CHROMIUM_PATH'),
  cannot: {},
  async launch(): Promise<EngineBrowser> {
    // A server and a connection to it, rather than launch(): the server can be killed if it stops answering.
    const server: BrowserServer = await playwright.launchServer({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
    const browser: Browser = await playwright.connect(server.wsEndpoint());
    return {
      newPage: async (options) => chromiumPage(await browser.newContext(contextOptions(options))),
      close: async () => {
        await browser.close();
        await server.close();
      },
      kill: () => void server.kill(),
    };
  },
};

function contextOptions(options: PageOptions) {
  return {
    viewport: options.viewport,
    deviceScaleFactor: options.deviceScaleFactor,
    isMobile: options.mobile,
    hasTouch: options.mobile,
    reducedMotion: options.reducedMotion ? ('reduce' as const) : ('no-preference' as const),
    colorScheme: options.colorScheme,
    javaScriptEnabled: options.javaScript,
    permissions: ['clipboard-read', 'clipboard-write'],
  };
}

async function chromiumPage(context: BrowserContext): Promise<DriverPage> {
  const page: Page = await context.newPage();
  return {
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
    url: async () => page.url(),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    mouseMove: ({ x, y }) => page.mouse.move(x, y),
    mouseClick: ({ x, y }) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key),
    screenshot: () => page.screenshot(),
    tap: ({ x, y }) => page.touchscreen.tap(x, y),
    touchDrag: (from, to) => touchDrag(page, from, to),
    emulatePrint: () => page.emulateMedia({ media: 'print' }),
    readClipboard: () => page.evaluate(() => navigator.clipboard.readText()),
    close: () => context.close(),
  };
}

/** Touch through the browser's input pipeline (playwright-core has taps, not drags): CDP's dispatchTouchEvent. */
async function touchDrag(page: Page, from: Point[], to: Point[]): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const points = (t: number) => from.map(({ x, y }, i) => ({ x: x + (to[i]!.x - x) * t, y: y + (to[i]!.y - y) * t, id: i }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(0) });
  for (let step = 1; step <= 10; step++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(step / 10) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}
