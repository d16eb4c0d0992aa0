import { describe, expect, it } from 'vitest';
import { buildGrid } from '../../pipeline/stages/grid/grid.ts';

describe('grid', () => {
  // Eight samples: six in the top-left cell of a 2×2 grid, two in the bottom-right.
  const points = Float32Array.from([0.1, 0.1, 0.2, 0.2, 0.3, 0.1, 0.1, 0.4, 0.4, 0.4, 0.2, 0.3, 0.9, 0.9, 0.8, 0.7]);
  const activations = Float32Array.from([1, 0, 3, 0, 2, 0, 1, 1, 2, 2, 3, 3, 9, 9, 8, 8]);
  const topClasses = Int32Array.from([0, 1, 0, 1, 0, 2, 1, 0, 1, -1, 0, 1, 2, 0, 2, 1]);
  const topValues = Float32Array.from([0.5, 0.1, 0.4, 0.2, 0.3, 0.2, 0.6, 0.1, 0.9, Number.NaN, 0.2, 0.1, 1, 0, 1, 0]);
  const input = { points, activations, depth: 2, topClasses, topValues, topK: 2 };

  it('keeps cells with more than the minimum count, with means, classes, nearest samples and extents', () => {
    const grid = buildGrid(input, 2, 5);
    expect(grid.cells).toHaveLength(1);
    const [cell] = grid.cells;
    expect(cell).toMatchObject({ x: 0, y: 0, count: 6 });
    expect(Array.from(grid.means)).toEqual([2, 1]);
    // Class 1: (0.1 + 0.2 + 0.6 + 0.9 + 0.1) / 6; class 0: (0.5 + 0.4 + 0.3 + 0.1 + 0.2) / 6; class 2: 0.2 / 6.
    expect(cell!.classes.map((c) => c.label)).toEqual([1, 0, 2]);
    expect(cell!.classes[0]!.attribution).toBeCloseTo(1.9 / 6, 6);
    // Samples 2 [2, 0], 3 [1, 1] and 4 [2, 2] are all at distance 1 from the mean [2, 1]: ties go by index.
    expect(cell!.nearest.slice(0, 3)).toEqual([2, 3, 4]);
    expect(cell!.extent).toEqual([0.1, 0.1, 0.4, 0.4].map((v) => Math.fround(v)));
  });

  it('keeps small cells when the minimum allows', () => {
    expect(buildGrid(input, 2, 1).cells.map((c) => [c.x, c.y, c.count])).toEqual([
      [0, 0, 6],
      [1, 1, 2],
    ]);
  });
});
