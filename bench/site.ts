/**
 * npm run bench:site — Lighthouse 12.2.3 (mobile preset: simulated slow 4G and a 4× slower CPU) on the example
 * article and the index, built under a sub-path as on GitHub Pages and served from 127.0.0.1 with Debian's
 * Chromium. Each page is audited RUNS times; the table gives the median score per category. The article shows
 * four atlas viewers (three layers, class atlases, a comparison, a scrollytelling figure): with the pipeline's output in public/atlases/demo
 * when it has the views the article names, else with the test fixture atlas (tests/helpers/fixture-public.ts);
 * the table says which. For the article it also measures, in Chromium at a phone's size, the JavaScript shipped
 * to the page (every script it loads once all its figures have started, gzipped) and the bytes loaded before
 * the first interaction (load, then network idle, no scrolling), and the canvas memory the four viewers hold on
 * a phone (bench/canvas-memory.ts). Writes bench/results/site.json and the table between the bench:site markers
 * in README.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { serveStatic } from '../pipeline/site/static-server.ts';
import { CHROMIUM_FLAGS, findChromium, launchChromium } from '../tests/helpers/browser.ts';
import { DEMO_VIEWS, writeFixturePublic } from '../tests/helpers/fixture-public.ts';
import { canvasMemory } from './canvas-memory.ts';
import type { Browser } from 'playwright-core';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASE = '/atlas-bench/';
const OUT_DIR = path.resolve('bench/.site');
const PAGES = { article: 'reading-an-activation-atlas/', index: '' };
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

const chromePath = findChromium();
if (!chromePath) {
  console.error('bench:site needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH).');
  process.exit(1);
}

rmSync(OUT_DIR, { recursive: true, force: true });
const atlases = hasPipelineViews() ? 'pipeline' : 'fixture';
const publicDir = atlases === 'pipeline' ? 'public' : await writeFixturePublic();
const env = { ...process.env, ATLAS_BASE: BASE, ATLAS_OUT_DIR: OUT_DIR, ATLAS_SITE: 'http://127.0.0.1', ATLAS_PIPELINE: 'off', ATLAS_PUBLIC_DIR: publicDir };
execFileSync('npm', ['run', '--silent', 'build'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

const server = await serveStatic(OUT_DIR, BASE);
const weight = await articleWeight(server.url + PAGES.article);
const canvas = await withChromium((browser) => canvasMemory(browser, server.url + PAGES.article));
const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: CHROMIUM_FLAGS.filter((flag) => flag !== '--headless').concat('--headless=new') });

type Scores = Record<(typeof CATEGORIES)[number], number>;
const results: Record<string, { runs: Scores[]; median: Scores; metrics: Record<string, number> }> = {};
try {
  for (const [name, pagePath] of Object.entries(PAGES)) {
    const runs: Scores[] = [];
    let metrics: Record<string, number> = {};
    for (let run = 0; run < RUNS; run++) {
      const result = await lighthouse(server.url + pagePath, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
      const lhr = result!.lhr;
      runs.push(Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)])) as Scores);
      const failed = Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode === 'binary');
      if (run === 0 && failed.length) console.log(`${name}: audits not passed: ${failed.map((a) => a.id).join(', ')}`);
      metrics = {
        'first-contentful-paint-ms': Math.round(lhr.audits['first-contentful-paint']?.numericValue ?? 0),
        'largest-contentful-paint-ms': Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? 0),
        'total-blocking-time-ms': Math.round(lhr.audits['total-blocking-time']?.numericValue ?? 0),
        'cumulative-layout-shift': Number((lhr.audits['cumulative-layout-shift']?.numericValue ?? 0).toFixed(3)),
        'transfer-bytes': Math.round(lhr.audits['total-byte-weight']?.numericValue ?? 0),
      };
    }
    const median = Object.fromEntries(CATEGORIES.map((c) => [c, medianOf(runs.map((r) => r[c]))])) as Scores;
    results[name] = { runs, median, metrics };
  }
} finally {
  chrome.kill();
  await server.close();
}

const header = `| page | performance | accessibility | best practices | SEO | LCP (ms) | TBT (ms) | CLS | bytes |`;
const rows = Object.entries(results).map(
  ([name, { median: m, metrics: x }]) =>
    `| ${name} | ${m.performance} | ${m.accessibility} | ${m['best-practices']} | ${m.seo} | ${x['largest-contentful-paint-ms']} | ${x['total-blocking-time-ms']} | ${x['cumulative-layout-shift']} | ${x['transfer-bytes']} |`,
);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const table = [
  header,
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Article with four atlas viewers (${atlases === 'pipeline' ? "the pipeline's demo atlas" : "the test fixture atlas; the pipeline's views were absent"}), Chromium at 412 × 823 px:`,
  '',
  '| JavaScript, all figures started (gzipped) | target | bytes before first interaction | target |',
  '|---|---|---|---|',
  `| ${kib(weight.javascriptGzip)} (${weight.scripts} files) | ≤ 150 KB | ${kib(weight.beforeInteraction)} (${weight.requests} requests) | ≤ 1 MB |`,
  '',
  `Canvas memory on a phone (Chromium at ${canvas.viewport.width} × ${canvas.viewport.height} px, device pixel ratio ${canvas.viewport.deviceScaleFactor}; each figure started, zoomed in three steps, panned and sent home; backing stores of the live canvases, width × height × 4 bytes):`,
  '',
  `| ${canvas.figures.map((f) => f.id).join(' | ')} | whole article | target |`,
  `|${'---|'.repeat(canvas.figures.length + 2)}`,
  `| ${canvas.figures.map((f) => `${mib(f.bytes)} (${f.canvases} canvases)`).join(' | ')} | ${mib(canvas.totalBytes)} | < 200 MB |`,
].join('\n');
console.log(table);

const stamp = new Date().toISOString().slice(0, 10);
const json = {
  lighthouse: '12.2.3',
  preset: 'mobile',
  runs: RUNS,
  date: stamp,
  atlases,
  article: weight,
  canvasMemory: canvas,
  chromium: execFileSync(chromePath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
  results,
};
writeAtomic('bench/results/site.json', `${JSON.stringify(json, null, 2)}\n`);

const readme = readFileSync('README.md', 'utf8');
const block = `<!-- bench:site:start -->\nMedian of ${RUNS} Lighthouse 12.2.3 runs, mobile preset, ${json.chromium}, ${stamp} (\`npm run bench:site\`):\n\n${table}\n<!-- bench:site:end -->`;
const updated = readme.replace(/<!-- bench:site:start -->[\s\S]*<!-- bench:site:end -->/, block);
if (updated !== readme) writeAtomic('README.md', updated);
rmSync(OUT_DIR, { recursive: true, force: true });

/** Whether public/atlases/demo holds every view the example article names (else the bench uses the fixture). */
function hasPipelineViews(): boolean {
  const manifest = 'public/atlases/demo/manifest.json';
  if (!existsSync(manifest)) return false;
  const views = (JSON.parse(readFileSync(manifest, 'utf8')) as { views?: Record<string, unknown> }).views ?? {};
  return DEMO_VIEWS.every((view) => view in views);
}

async function withChromium<T>(work: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await work(browser);
  } finally {
    await browser.close();
  }
}

/** The article's weight in Chromium at a phone's size: bytes until network idle, then scripts with every figure started. */
async function articleWeight(url: string) {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const bodies = new Map<string, { type: string; bytes: number }>();
    page.on('response', async (response) => {
      const body = await response.body().catch(() => undefined);
      if (body) bodies.set(response.url(), { type: response.request().resourceType(), bytes: body.length });
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    const beforeInteraction = [...bodies.values()].reduce((sum, { bytes }) => sum + bytes, 0);
    const requests = bodies.size;
    for (const figure of await page.locator('.atlas-figure').all()) {
      await figure.scrollIntoViewIfNeeded();
      await page.waitForSelector(`#${await figure.getAttribute('id')}[data-ready]`, { timeout: 30_000 });
    }
    await page.waitForLoadState('networkidle');
    const scripts = [...bodies].filter(([, { type }]) => type === 'script').map(([address]) => new URL(address).pathname.slice(BASE.length));
    const javascriptGzip = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(OUT_DIR, file))).length, 0);
    return { javascriptGzip, scripts: scripts.length, beforeInteraction, requests };
  } finally {
    await browser.close();
  }
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

function writeAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
