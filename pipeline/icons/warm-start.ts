/**
 * Where each icon's optimization starts (recipe icons.warmStart): from noise, or from the finished icon of a
 * related cell. The parents are part of each icon's cache key (icons/stage.ts, iconKeys).
 */
import type { Recipe } from '../recipes/schema.ts';

type WarmLevel = { size: number; cells: { x: number; y: number }[]; means: Float32Array };

/** The icon each icon starts from under the recipe's icons.warmStart (undefined: every icon from noise). */
export function warmStartParents(mode: Recipe['icons']['warmStart'], levels: WarmLevel[]): Int32Array | undefined {
  if (mode === 'parent') return parentCells(levels);
  if (mode === 'similar') return similarCells(levels);
  return undefined;
}

/**
 * For every cell of every level but the coarsest (in the order icons are made), the index of the coarsest
 * level's cell whose mean activation is nearest by cosine; −1 on the coarsest level. Its icons are optimized
 * from noise, so every warm start is one hop from a full optimization of the most similar direction.
 */
export function similarCells(levels: WarmLevel[]): Int32Array {
  const parents = new Int32Array(levels.reduce((sum, level) => sum + level.cells.length, 0)).fill(-1);
  const roots = levels[0];
  if (!roots || !roots.cells.length) return parents;
  const depth = roots.means.length / roots.cells.length;
  const norms = (means: Float32Array, count: number) =>
    Float64Array.from({ length: count }, (_, i) => {
      let sum = 0;
      for (let d = 0; d < depth; d++) sum += means[i * depth + d]! ** 2;
      return Math.sqrt(sum) || 1;
    });
  const rootNorms = norms(roots.means, roots.cells.length);
  let offset = roots.cells.length;
  for (const level of levels.slice(1)) {
    const levelNorms = norms(level.means, level.cells.length);
    for (let i = 0; i < level.cells.length; i++) {
      let best = -Infinity;
      for (let r = 0; r < roots.cells.length; r++) {
        let dot = 0;
        for (let d = 0; d < depth; d++) dot += level.means[i * depth + d]! * roots.means[r * depth + d]!;
        const cosine = dot / (levelNorms[i]! * rootNorms[r]!);
        if (cosine > best) [best, parents[offset + i]] = [cosine, r];
      }
    }
    offset += level.cells.length;
  }
  return parents;
}

/**
 * For every cell of every level (in the order icons are made), the index of the cell of the next coarser level
 * under its centre, or −1 on the coarsest level and where that cell was not kept: the icon a warm start begins
 * from.
 */
export function parentCells(levels: { size: number; cells: { x: number; y: number }[] }[]): Int32Array {
  const parents = new Int32Array(levels.reduce((sum, level) => sum + level.cells.length, 0)).fill(-1);
  let offset = 0;
  levels.forEach((level, k) => {
    const coarser = k > 0 && levels[k - 1]!.size < level.size ? levels[k - 1]! : undefined;
    if (coarser) {
      const start = offset - coarser.cells.length;
      const byPosition = new Map(coarser.cells.map((cell, index) => [cell.y * coarser.size + cell.x, start + index]));
      level.cells.forEach((cell, index) => {
        const [x, y] = [cell.x, cell.y].map((v) => Math.floor(((v + 0.5) / level.size) * coarser.size)) as [number, number];
        parents[offset + index] = byPosition.get(y * coarser.size + x) ?? -1;
      });
    }
    offset += level.cells.length;
  });
  return parents;
}
