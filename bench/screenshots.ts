/**
 * npm run readme:screenshots — retakes the README's screenshots from the real atlases (run `npm run build` first):
 * the example article's top, its layer atlas at 1280 px and on a 375-px phone, and the index page with its cover.
 * Builds the site into bench/.shots with the published atlases, serves it, and drives Debian's Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '../pipeline/site/static-server.ts';
import { launchChromium } from '../tests/helpers/browser.ts';

const BASE = '/atlas-shots/';
const OUT_DIR = path.resolve('bench/.shots');
const FOLDER = '.github/readme';
const ARTICLE = 'reading-an-activation-atlas/';

if (!existsSync('public/atlases/demo/manifest.json')) {
  console.error('No atlases in public/atlases/demo: run npm run build first.');
  process.exit(1);
}
rmSync(OUT_DIR, { recursive: true, force: true });
const env = { ...process.env, ATLAS_BASE: BASE, ATLAS_OUT_DIR: OUT_DIR, ATLAS_SITE: 'http://127.0.0.1', ATLAS_PIPELINE: 'off' };
execFileSync('npm', ['run', '--silent', 'build'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

const server = await serveStatic(OUT_DIR, BASE);
const browser = await launchChromium();
try {
  const shoot = async (viewport: { width: number; height: number }, scale: number, page: string, file: string, selector?: string) => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
    const tab = await context.newPage();
    await tab.goto(server.url + page, { waitUntil: 'networkidle' });
    if (selector) {
      const element = tab.locator(selector).first();
      await element.scrollIntoViewIfNeeded();
      // The figure's viewer marks itself loaded once every tile of the current view is drawn.
      await tab.waitForFunction((s) => document.querySelector(s)?.querySelector('[data-loaded="true"]') !== null, selector, { timeout: 30_000 });
      await tab.waitForTimeout(500);
      await element.screenshot({ path: path.join(FOLDER, file) });
    } else {
      await tab.screenshot({ path: path.join(FOLDER, file) });
    }
    await context.close();
    console.log(`wrote ${path.join(FOLDER, file)}`);
  };
  await shoot({ width: 1280, height: 800 }, 1, ARTICLE, 'article.png');
  await shoot({ width: 1280, height: 900 }, 1, ARTICLE, 'atlas.png', '#fig-layers');
  await shoot({ width: 375, height: 812 }, 2, ARTICLE, 'atlas-phone.png', '#fig-layers');
  await shoot({ width: 1280, height: 800 }, 1, '', 'index.png');
} finally {
  await browser.close();
  await server.close();
}
