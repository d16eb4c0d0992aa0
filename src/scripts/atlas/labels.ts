/**
 * Class labels over the map, thinned by zoom: the densest cells are labelled first and a label is dropped when
 * it would overlap one already placed, or repeat the same class close by. Zooming in spreads cells apart, so
 * more labels fit; zooming out leaves the few that name whole regions.
 */
import type { LocatedCell } from './cells.ts';
import type { MapTransform } from './overlay.ts';

const LABEL_HEIGHT = 18;
const CHARACTER_WIDTH = 7.5;
const SAME_CLASS_DISTANCE = 160;
const MOST_LABELS = 40;

export function placeLabels(cells: LocatedCell[], labels: string[], transform: MapTransform, width: number, height: number) {
  const placed: { text: string; x: number; y: number; w: number }[] = [];
  const candidates = cells.filter(({ cell }) => (cell.classes[0]?.[1] ?? 0) > 0).sort((a, b) => b.cell.count - a.cell.count);
  for (const { cell, size } of candidates) {
    if (placed.length >= MOST_LABELS) break;
    const text = labels[cell.classes[0]![0]];
    if (!text) continue;
    const x = transform.originX + ((cell.x + 0.5) / size) * transform.scale;
    const y = transform.originY + ((cell.y + 0.5) / size) * transform.scale;
    const w = text.length * CHARACTER_WIDTH + 8;
    if (x - w / 2 < 0 || x + w / 2 > width || y - LABEL_HEIGHT / 2 < 0 || y + LABEL_HEIGHT / 2 > height) continue;
    const clashes = placed.some(
      (other) =>
        (Math.abs(other.x - x) < (other.w + w) / 2 && Math.abs(other.y - y) < LABEL_HEIGHT) ||
        (other.text === text && Math.hypot(other.x - x, other.y - y) < SAME_CLASS_DISTANCE),
    );
    if (!clashes) placed.push({ text, x, y, w });
  }
  return placed.map(({ text, x, y }) => ({ text, x, y }));
}
