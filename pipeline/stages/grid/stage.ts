/**
 * The grid stage of a view: for each of its grid sizes, the kept cells as the site reads them (CellRecord) and
 * their mean activations. Cached under gridKeyFor, which includes the layout's key.
 */
import type { CellRecord } from '../../published/format.ts';
import { buildGrid, type Cell, type GridInput } from './grid.ts';

/** Samples nearest each cell's mean kept as its data-set examples. */
export const EXAMPLES_PER_CELL = 4;

/** One grid level: its kept cells, with their examples as [image, row, column] of the samples' origins. */
export function computeGrid(input: GridInput, origins: Int32Array, size: number, minCount: number): { cells: CellRecord[]; means: Float32Array } {
  const built = buildGrid(input, size, minCount, EXAMPLES_PER_CELL);
  return { cells: built.cells.map((cell) => cellRecord(cell, origins)), means: built.means };
}

function cellRecord(cell: Cell, origins: Int32Array): CellRecord {
  return {
    x: cell.x,
    y: cell.y,
    count: cell.count,
    classes: cell.classes.map((c) => [c.label, c.attribution] as [number, number]),
    focus: cell.focus,
    examples: cell.nearest.map((i) => [origins[i * 3]!, origins[i * 3 + 1]!, origins[i * 3 + 2]!] as [number, number, number]),
    extent: cell.extent,
  };
}
