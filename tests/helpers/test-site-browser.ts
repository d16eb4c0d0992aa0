/**
 * For browser test suites: the test site (built once by the global setup) served on 127.0.0.1 and a Chromium,
 * started before the suite's tests and closed after them. Read `site.browser` and `site.server` inside tests.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { serveStatic, type RunningServer } from '../../pipeline/site/static-server.ts';
import { launchChromium } from './browser.ts';
import { TEST_BASE, TEST_OUT_DIR } from './site-build.ts';

export function chromiumOnTestSite(): { browser: Browser; server: RunningServer } {
  const site = {} as { browser: Browser; server: RunningServer };
  beforeAll(async () => {
    site.server = await serveStatic(TEST_OUT_DIR, TEST_BASE);
    site.browser = await launchChromium();
  });
  afterAll(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
