/**
 * Per-level cell data as compact JSON, cut into blocks of CHUNK_CELLS × CHUNK_CELLS grid cells so the viewer
 * loads only what is on screen. Only blocks holding a kept cell are written.
 */
import { CHUNK_CELLS, type CellChunk, type CellRecord } from '../../published/format.ts';

/** "bx_by" of the block holding a cell. */
export const chunkId = (x: number, y: number): string => `${Math.floor(x / CHUNK_CELLS)}_${Math.floor(y / CHUNK_CELLS)}`;

/**
 * The level's cells by block, each block's cells in row-major order (y, then x) — the order of the rows in
 * its examples sprite — and blocks in row-major order too.
 */
export function chunkCells(size: number, cells: CellRecord[]): Map<string, CellChunk> {
  const sorted = [...cells].sort((a, b) => a.y - b.y || a.x - b.x);
  const chunks = new Map<string, CellChunk>();
  for (const cell of sorted) {
    const id = chunkId(cell.x, cell.y);
    let chunk = chunks.get(id);
    if (!chunk) {
      chunk = { size, block: [Math.floor(cell.x / CHUNK_CELLS), Math.floor(cell.y / CHUNK_CELLS)], cells: [] };
      chunks.set(id, chunk);
    }
    chunk.cells.push(compactCell(cell));
  }
  return new Map([...chunks].sort(([, a], [, b]) => a.block[1] - b.block[1] || a.block[0] - b.block[0]));
}

/**
 * A cell with its numbers shortened: attributions to 4 significant digits (they are shown with 2–3), extents
 * to 1e-5 of the map (well under a pixel of a 25,600 px level). Integers stay exact.
 */
export function compactCell(cell: CellRecord): CellRecord {
  const significant = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0);
  const fixed = (v: number) => Math.round(v * 1e5) / 1e5;
  return {
    x: cell.x,
    y: cell.y,
    count: cell.count,
    classes: cell.classes.slice(0, 20).map(([label, value]) => [label, significant(value)]),
    focus: cell.focus.map(significant),
    examples: cell.examples.map(([image, y, x]) => [image, y, x]),
    extent: cell.extent.map(fixed) as CellRecord['extent'],
  };
}
