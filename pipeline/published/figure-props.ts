/**
 * Parsing of the atlas figures' string props (<Atlas box="…">, <Step highlight="…">), shared by the build-time check
 * (remark-atlas-figures) and the components, so both read an attribute the same way.
 */

/** A region of the map, [x0, y0, x1, y1] in map coordinates ([0, 1]², y down). */
export type Box = [number, number, number, number];

/** "a b, c" → ["a", "b", "c"]. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

/** "x0 y0 x1 y1" (spaces or commas) → a box inside [0, 1]² with x0 < x1 and y0 < y1, or undefined. */
export function parseBox(value: string | undefined): Box | undefined {
  const numbers = parseList(value).map(Number);
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n) || n < 0 || n > 1)) return undefined;
  const [x0, y0, x1, y1] = numbers as Box;
  return x0 < x1 && y0 < y1 ? [x0, y0, x1, y1] : undefined;
}

/** "x y; x y" → map points inside [0, 1]², or undefined when any is malformed. */
export function parsePoints(value: string | undefined): [number, number][] | undefined {
  const points = (value ?? '')
    .split(';')
    .map((part) => parseList(part).map(Number))
    .filter((part) => part.length);
  if (points.some((p) => p.length !== 2 || p.some((n) => !Number.isFinite(n) || n < 0 || n > 1))) return undefined;
  return points as [number, number][];
}

export const BOX_HINT = 'four numbers between 0 and 1, "x0 y0 x1 y1" with x0 < x1 and y0 < y1 (the map is the unit square, y down)';
export const POINTS_HINT = 'map points "x y; x y", each number between 0 and 1';
