/**
 * A layer's activation vectors as consecutive blocks of rows, read one block at a time, so that a million
 * samples never sit in memory at full width. A small layer is one block (and every stage computes exactly what
 * it computed on one array); a large one is read from the activations cache chunk by chunk (layer-data.ts).
 */
export interface RowBlocks {
  n: number;
  depth: number;
  /** How many blocks forEach visits. */
  blocks: number;
  /** Visits the blocks in order: rows [start, start + rows.length / depth), [rows, depth]. */
  forEach(visit: (start: number, rows: Float32Array) => void): void;
}

/** Rows in memory as one block. */
export function rowBlocksOf(rows: Float32Array, n: number, depth: number): RowBlocks {
  return { n, depth, blocks: 1, forEach: (visit) => visit(0, rows) };
}

/** Rows as one array: the block itself when there is one, else all blocks joined (full width: use sparingly). */
export function wholeRows(blocks: RowBlocks): Float32Array {
  if (blocks.blocks === 1) {
    let rows: Float32Array = new Float32Array(0);
    blocks.forEach((_, block) => (rows = block));
    return rows;
  }
  const out = new Float32Array(blocks.n * blocks.depth);
  blocks.forEach((start, rows) => out.set(rows, start * blocks.depth));
  return out;
}

/** The rows at `indices` (any order), [indices.length, depth]. */
export function gatherRows(blocks: RowBlocks, indices: Int32Array): Float32Array {
  const { depth } = blocks;
  const out = new Float32Array(indices.length * depth);
  const order = Array.from(indices.keys()).sort((p, q) => indices[p]! - indices[q]!);
  let next = 0;
  blocks.forEach((start, rows) => {
    const end = start + rows.length / depth;
    for (; next < order.length && indices[order[next]!]! < end; next++) {
      const i = indices[order[next]!]!;
      out.set(rows.subarray((i - start) * depth, (i - start + 1) * depth), order[next]! * depth);
    }
  });
  return out;
}
