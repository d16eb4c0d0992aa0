/**
 * Browser suites that run in every engine: `engineSuite(title, body)` runs `body` once per engine (Chromium,
 * Firefox ESR, WebKit) against the test site, each in a describe of its own. A missing engine skips its suite,
 * naming the Debian package to install; a test that needs what an engine's driver cannot do (touch, print media,
 * the clipboard) is declared with `site.it(title, fn, needs)` and skips in that engine saying why.
 *
 * ATLAS_TEST_ENGINES=chromium,webkit limits the engines (for a quicker local run); the default is all three.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Capability, Engine, EngineBrowser, PageOptions } from './driver.ts';
import { chromium } from './chromium.ts';
import { firefox } from './firefox.ts';
import { webkit } from './webkit.ts';
import { TestPage, withDeadline } from './page.ts';
import { serveTestSite, type TestServer } from './test-server.ts';
import { ARTICLE_PATH, TEST_BASE, TEST_OUT_DIR } from '../site-build.ts';

export { TestPage, type Target, type Box } from './page.ts';

export const ENGINES: Engine[] = [chromium, firefox, webkit];

export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, mobile: false },
  phone: { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, mobile: true },
} as const;
export type Kind = keyof typeof VIEWPORTS;

/** A browser test may take this long in the slowest engine (each WebKit page is a new browser). */
const TEST_TIMEOUT_MS = 90_000;

export function selectedEngines(): Engine[] {
  const names = process.env.ATLAS_TEST_ENGINES?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!names) return ENGINES;
  const unknown = names.filter((name) => !ENGINES.some((engine) => engine.id === name));
  if (unknown.length) throw new Error(`ATLAS_TEST_ENGINES names ${unknown.join(', ')}; the engines are ${ENGINES.map((e) => e.id).join(', ')}.`);
  return ENGINES.filter((engine) => names.includes(engine.id));
}

export interface OpenOptions {
  path?: string;
  reducedMotion?: boolean;
  colorScheme?: 'light' | 'dark';
  javaScript?: boolean;
}

export class EngineSite {
  server!: TestServer;
  private browser: EngineBrowser | undefined;
  /** Pages a test left open (it failed before closing them): closed after each test, since WebKitWebDriver allows one. */
  private readonly pages = new Set<TestPage>();

  constructor(readonly engine: Engine) {}

  async start(): Promise<void> {
    this.server = await serveTestSite(TEST_OUT_DIR, TEST_BASE);
    this.browser = await this.engine.launch();
  }

  async closePages(): Promise<void> {
    await Promise.allSettled([...this.pages].map((page) => page.close()));
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => this.browser?.kill());
    await this.server?.close();
  }

  /** A page of the test site (the example article unless `path` says otherwise), as a reader on `kind` sees it. */
  async open(kind: Kind, options: OpenOptions = {}): Promise<TestPage> {
    const pageOptions: PageOptions = {
      ...VIEWPORTS[kind],
      reducedMotion: options.reducedMotion ?? false,
      colorScheme: options.colorScheme ?? 'light',
      javaScript: options.javaScript ?? true,
    };
    const browser = this.browser!;
    // Longer than one command: starting a browser (WebKit starts one per page, and may retry) takes a while.
    const driver = await withDeadline(this.engine, browser, 'open a page', () => browser.newPage(pageOptions), 45_000);
    const page = new TestPage(this.engine, browser, driver, this.server, () => this.pages.delete(page));
    this.pages.add(page);
    await page.goto(options.path ?? ARTICLE_PATH);
    return page;
  }

  /**
   * Runs `body` on a page being opened, then checks that the page logged no error, and closes the page whatever
   * happened (WebKitWebDriver allows one session at a time, and a leaked page would hold it).
   */
  async withPage<T>(opening: Promise<TestPage>, body: (page: TestPage) => Promise<T>): Promise<T> {
    const page = await opening;
    try {
      const result = await body(page);
      expect(await page.errors(), `errors logged by ${await page.url()}`).toEqual([]);
      return result;
    } finally {
      await page.close();
    }
  }

  /** A test that needs `needs` of the engine's driver: it skips, saying why, where the driver cannot. */
  it(title: string, fn: () => Promise<void>, needs?: Capability): void {
    const reason = needs && this.engine.cannot[needs];
    it.skipIf(Boolean(reason))(reason ? `${title} (skipped: ${reason})` : title, fn);
  }
}

/** Runs a suite once per engine. */
export function engineSuite(title: string, body: (site: EngineSite) => void): void {
  for (const engine of selectedEngines()) {
    const missing = engine.missing();
    const name = missing ? `${title} in ${engine.name} (skipped: ${missing}; ${engine.install})` : `${title} in ${engine.name}`;
    describe.skipIf(Boolean(missing))(name, { timeout: TEST_TIMEOUT_MS }, () => {
      const site = new EngineSite(engine);
      beforeAll(() => site.start(), 60_000);
      afterEach(() => site.closePages(), 30_000);
      afterAll(() => site.stop(), 60_000);
      body(site);
    });
  }
}
