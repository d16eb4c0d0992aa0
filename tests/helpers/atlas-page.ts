/**
 * Browser-test helpers for atlas figures, in any engine: waiting for a figure's tiles, its state, the screen
 * position of a map point in a figure shown whole, the colour at a point, and the fixture data the site was built from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { CellChunk, CellRecord, ViewIndex } from '../../pipeline/published/format.ts';
import { TEST_OUT_DIR } from './site-build.ts';
import type { TestPage } from './engines/index.ts';

/** Scrolls a figure (by its atlas element's id) into view and waits until its tiles have loaded. */
export async function showFigure(page: TestPage, id: string): Promise<void> {
  await page.scrollIntoView(`#${id}`);
  await page.waitFor(`#${id}[data-ready][data-loaded]`);
}

export function dataset(page: TestPage, id: string): Promise<Record<string, string>> {
  return page.dataset(`#${id}`);
}

/** Where map point (x, y) is on screen while the figure shows the whole map (OpenSeadragon's home: contained). */
export async function screenPoint(page: TestPage, id: string, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = await page.box(`#${id} .atlas-viewer`);
  const side = Math.min(box.width, box.height);
  return { x: box.x + (box.width - side) / 2 + x * side, y: box.y + (box.height - side) / 2 + y * side };
}

/** The page's colour at a point, from a screenshot (so it is what the reader sees, whatever the drawer). */
export async function pixel(page: TestPage, point: { x: number; y: number }): Promise<[number, number, number]> {
  const png = await page.screenshot({ x: Math.round(point.x) - 1, y: Math.round(point.y) - 1, width: 3, height: 3 });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const middle = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 3;
  return [data[middle]!, data[middle + 1]!, data[middle + 2]!];
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
