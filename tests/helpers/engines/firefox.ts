/**
 * Firefox: Debian's `firefox-esr`, driven by puppeteer-core over WebDriver BiDi. Reduced motion, the colour
 * scheme and scripting are Firefox preferences, fixed when a browser starts, so one browser is started per
 * combination a suite asks for (lazily); each page gets a fresh browser context.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { DriverPage, Engine, EngineBrowser, PageOptions } from './driver.ts';

const CANDIDATES = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
const FIREFOX = CANDIDATES.find((candidate): candidate is string => Boolean(candidate && existsSync(candidate)));

export const firefox: Engine = {
  id: 'firefox',
  name: 'Firefox ESR',
  install: 'apt-get install -y firefox-esr',
  missing: () => (FIREFOX ? undefined : 'no Firefox at /usr/bin/firefox-esr, /usr/bin/firefox or $FIREFOX_PATH'),
  cannot: {
    print: 'Firefox’s WebDriver BiDi has no command to emulate print media',
    'touch-scroll':
      'Firefox’s WebDriver BiDi touch actions reach the page as touch events but never scroll it (headless Firefox has no asynchronous pan and zoom)',
  },
  async launch(): Promise<EngineBrowser> {
    const browsers = new Map<string, Promise<Browser>>();
    const browserFor = (options: PageOptions) => {
      const prefs = preferences(options);
      const key = JSON.stringify(prefs);
      if (!browsers.has(key)) {
        browsers.set(key, puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocolTimeout: 30_000, extraPrefsFirefox: prefs }));
      }
      return browsers.get(key)!;
    };
    const all = async () => (await Promise.allSettled(browsers.values())).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    return {
      async newPage(options) {
        const context = await (await browserFor(options)).createBrowserContext();
        return firefoxPage(context, options);
      },
      close: async () => void (await Promise.all((await all()).map((browser) => browser.close()))),
      kill: () => void all().then((list) => list.forEach((browser) => browser.process()?.kill('SIGKILL'))),
    };
  },
};

function preferences(options: PageOptions): Record<string, unknown> {
  return {
    'ui.prefersReducedMotion': options.reducedMotion ? 1 : 0,
    // 0: dark, 1: light.
    'layout.css.prefers-color-scheme.content-override': options.colorScheme === 'dark' ? 0 : 1,
    'javascript.enabled': options.javaScript,
    // Lets navigator.clipboard.readText() answer a test without a user prompt.
    'dom.events.testing.asyncClipboard': true,
  };
}

async function firefoxPage(context: BrowserContext, options: PageOptions): Promise<DriverPage> {
  const page: Page = await context.newPage();
  await page.setViewport({ ...options.viewport, deviceScaleFactor: options.deviceScaleFactor, isMobile: options.mobile, hasTouch: options.mobile });
  return {
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
    url: async () => page.url(),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    mouseMove: ({ x, y }) => page.mouse.move(x, y),
    mouseClick: ({ x, y }) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key as never),
    screenshot: async () => Buffer.from(await page.screenshot()),
    tap: ({ x, y }) => page.touchscreen.tap(x, y),
    async touchDrag(from, to) {
      const fingers = [];
      for (const { x, y } of from) fingers.push(await page.touchscreen.touchStart(x, y));
      for (let step = 1; step <= 10; step++) {
        for (const [i, finger] of fingers.entries()) {
          await finger.move(from[i]!.x + ((to[i]!.x - from[i]!.x) * step) / 10, from[i]!.y + ((to[i]!.y - from[i]!.y) * step) / 10);
        }
      }
      for (const finger of fingers) await finger.end();
    },
    readClipboard: () => page.evaluate(() => navigator.clipboard.readText()),
    close: () => context.close(),
  };
}
