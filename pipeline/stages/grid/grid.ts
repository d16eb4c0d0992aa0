/**
 * Grids over a layout (Distill's atlas cells): for each grid size, the cells holding more than `minCount`
 * samples, each with its mean activation, its sample count, its classes ranked by mean attribution, the samples
 * nearest its mean activation (for data-set example thumbnails), and its extent on the map. Only kept cells are
 * stored, and activations are read a block at a time (twice: means, then nearest samples).
 */
import { rowBlocksOf, type RowBlocks } from '../row-blocks.ts';

export interface GridInput {
  /** [n, 2] layout positions in [0, 1]. */
  points: Float32Array;
  /** [n, d] activations. */
  activations: Float32Array | RowBlocks;
  depth: number;
  /** [n, topK] top classes and attributions per sample (class −1 where fewer were kept). */
  topClasses: Int32Array;
  topValues: Float32Array;
  topK: number;
  /** [n, declared] exact attributions for the recipe's declared classes (optional). */
  declared?: Float32Array;
  declaredCount?: number;
}

/** Classes kept per cell, by mean attribution (the tooltip shows five; class focus reads all of them). */
export const CELL_CLASSES = 20;

export interface Cell {
  /** Column and row in the grid, from the top left. */
  x: number;
  y: number;
  count: number;
  /** Up to CELL_CLASSES classes by mean attribution over the cell's samples. */
  classes: { label: number; attribution: number }[];
  /** Exact mean attribution for each declared class. */
  focus: number[];
  /** Sample indices nearest the cell's mean activation, nearest first. */
  nearest: number[];
  /** Bounding box of the cell's samples on the map, [x0, y0, x1, y1] in [0, 1]. */
  extent: [number, number, number, number];
}

export interface Grid {
  size: number;
  cells: Cell[];
  /** [cells, d] mean activations, in the order of `cells`. */
  means: Float32Array;
}

export function buildGrid(input: GridInput, size: number, minCount: number, nearestCount = 4): Grid {
  const n = input.points.length / 2;
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const x = Math.min(size - 1, Math.floor(input.points[i * 2]! * size));
    const y = Math.min(size - 1, Math.floor(input.points[i * 2 + 1]! * size));
    const key = y * size + x;
    let list = members.get(key);
    if (!list) members.set(key, (list = []));
    list.push(i);
  }
  const keys = [...members.keys()].filter((key) => members.get(key)!.length > minCount).sort((a, b) => a - b);
  const d = input.depth;
  const blocks = input.activations instanceof Float32Array ? rowBlocksOf(input.activations, n, d) : input.activations;
  const cellOf = new Int32Array(n).fill(-1);
  keys.forEach((key, c) => members.get(key)!.forEach((i) => (cellOf[i] = c)));
  // Means summed in sample order, cell by cell as the rows go by.
  const means = new Float32Array(keys.length * d);
  blocks.forEach((start, rows) => {
    for (let r = 0; r < rows.length / d; r++) {
      const c = cellOf[start + r]!;
      if (c < 0) continue;
      for (let j = 0; j < d; j++) means[c * d + j] = means[c * d + j]! + rows[r * d + j]!;
    }
  });
  keys.forEach((key, c) => {
    const count = members.get(key)!.length;
    for (let j = 0; j < d; j++) means[c * d + j] = means[c * d + j]! / count;
  });
  // The samples nearest each mean (squared distance, then index), kept nearestCount at a time.
  const nearestOf = keys.map(() => [] as [number, number][]);
  blocks.forEach((start, rows) => {
    for (let r = 0; r < rows.length / d; r++) {
      const c = cellOf[start + r]!;
      if (c < 0) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (rows[r * d + j]! - means[c * d + j]!) ** 2;
      const list = nearestOf[c]!;
      if (list.length === nearestCount && !(s < list[nearestCount - 1]![0])) continue;
      list.push([s, start + r]);
      list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      if (list.length > nearestCount) list.pop();
    }
  });
  const cells = keys.map((key, c) => {
    const list = members.get(key)!;

    // Mean attribution per class over the samples that kept it (a sample that did not keep a class in its top
    // k counts as zero for it, so rare high attributions do not dominate).
    const sums = new Map<number, number>();
    for (const i of list) {
      for (let t = 0; t < input.topK; t++) {
        const label = input.topClasses[i * input.topK + t]!;
        if (label >= 0) sums.set(label, (sums.get(label) ?? 0) + input.topValues[i * input.topK + t]!);
      }
    }
    const classes = [...sums]
      .map(([label, sum]) => ({ label, attribution: sum / list.length }))
      .sort((a, b) => b.attribution - a.attribution || a.label - b.label)
      .slice(0, CELL_CLASSES);
    const declaredCount = input.declaredCount ?? 0;
    const focus = Array.from({ length: declaredCount }, (_, c) => {
      let sum = 0;
      for (const i of list) sum += input.declared![i * declaredCount + c]!;
      return sum / list.length;
    });

    const nearest = nearestOf[c]!.map(([, i]) => i);
    let [x0, y0, x1, y1] = [1, 1, 0, 0];
    for (const i of list) {
      const [px, py] = [input.points[i * 2]!, input.points[i * 2 + 1]!];
      [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
    }
    return {
      x: key % size,
      y: Math.floor(key / size),
      count: list.length,
      classes,
      focus,
      nearest,
      extent: [x0, y0, x1, y1] as [number, number, number, number],
    };
  });
  return { size, cells, means };
}
