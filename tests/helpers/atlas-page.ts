/**
 * Browser-test helpers for atlas figures: pages with their console errors, failed requests and tile responses
 * recorded, waiting for a figure's tiles, and the screen position of a map point in a figure shown whole.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { CellChunk, CellRecord, ViewIndex } from '../../pipeline/stages/render/format.ts';
import { ARTICLE_PATH, TEST_OUT_DIR } from './site-build.ts';

export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 }, hasTouch: false, isMobile: false },
  phone: { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
} as const satisfies Record<string, BrowserContextOptions>;

export interface OpenedPage {
  page: Page;
  errors: string[];
  tiles: string[];
  close: () => Promise<void>;
}

export async function openPage(
  browser: Browser,
  baseUrl: string,
  kind: keyof typeof VIEWPORTS,
  options: { path?: string; context?: BrowserContextOptions } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ ...VIEWPORTS[kind], ...options.context });
  const page = await context.newPage();
  const errors: string[] = [];
  const tiles: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().includes('/tiles_files/')) tiles.push(response.url());
  });
  await page.goto(baseUrl + (options.path ?? ARTICLE_PATH), { waitUntil: 'load' });
  return { page, errors, tiles, close: () => context.close() };
}

/** Scrolls a figure (by its atlas element's id) into view and waits until its tiles have loaded. */
export async function showFigure(page: Page, id: string): Promise<void> {
  await page.locator(`#${id}`).scrollIntoViewIfNeeded();
  await page.waitForSelector(`#${id}[data-ready][data-loaded]`, { timeout: 20_000 });
}

export async function dataset(page: Page, id: string): Promise<Record<string, string>> {
  return page.locator(`#${id}`).evaluate((element) => ({ ...(element as HTMLElement).dataset }) as Record<string, string>);
}

/** Where map point (x, y) is on screen while the figure shows the whole map (OpenSeadragon's home: contained). */
export async function screenPoint(page: Page, id: string, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator(`#${id} .atlas-viewer`).boundingBox())!;
  const side = Math.min(box.width, box.height);
  return { x: box.x + (box.width - side) / 2 + x * side, y: box.y + (box.height - side) / 2 + y * side };
}

/** The fixture data as built into the test site. */
export function builtView(atlas: string, view: string): ViewIndex {
  return JSON.parse(readFileSync(path.join(TEST_OUT_DIR, 'atlases', atlas, view, 'view.json'), 'utf8')) as ViewIndex;
}

export function builtCells(atlas: string, view: string, size: number): CellRecord[] {
  const index = builtView(atlas, view);
  const level = index.levels.find((l) => l.size === size)!;
  return level.chunks.flatMap(
    (chunk) => (JSON.parse(readFileSync(path.join(TEST_OUT_DIR, 'atlases', atlas, view, 'cells', String(size), `${chunk}.json`), 'utf8')) as CellChunk).cells,
  );
}

/** The densest cell of a grid whose top class is `label` (by index). */
export function densestCellOf(cells: CellRecord[], label: number): CellRecord {
  return cells.filter((cell) => cell.classes[0]?.[0] === label).sort((a, b) => b.count - a.count)[0]!;
}
