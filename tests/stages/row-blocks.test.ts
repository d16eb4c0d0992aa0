/**
 * Activations read a block at a time: a layer loaded in several blocks holds the same rows as one array, and the
 * stages that read them (grids, PCA, the second moment, view samples) give what they give on one array — the
 * grids to the byte, the float64-summed covariance to float32 precision.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { secondMoment, secondMomentOf } from '../../pipeline/icons/second-moment.ts';
import { Random } from '../../pipeline/random.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { runActivations } from '../../pipeline/stages/activations/stage.ts';
import { buildGrid } from '../../pipeline/stages/grid/grid.ts';
import { loadLayer } from '../../pipeline/stages/layer-data.ts';
import { pca, pcaOfBlocks } from '../../pipeline/stages/layout/pca.ts';
import { normalizeRows } from '../../pipeline/stages/layout/knn.ts';
import { takeRows } from '../../pipeline/stages/layout/view-samples.ts';
import { gatherRows, rowBlocksOf, wholeRows, type RowBlocks } from '../../pipeline/stages/row-blocks.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

/** The rows cut into blocks of the given sizes (in rows), read when visited. */
function blocksOf(rows: Float32Array, depth: number, sizes: number[]): RowBlocks {
  const n = rows.length / depth;
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
  return {
    n,
    depth,
    blocks: sizes.length,
    forEach: (visit) => {
      let start = 0;
      for (const size of sizes) {
        visit(start, rows.slice(start * depth, (start + size) * depth));
        start += size;
      }
    },
  };
}

function randomRows(n: number, d: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n * d }, (_, i) => r.next() * 2 + (i % d) * 0.1 * ((Math.floor(i / d) % 5) - 2));
}

describe('row blocks', () => {
  const n = 1200;
  const d = 24;
  const rows = randomRows(n, d, 3);
  const split = blocksOf(rows, d, [100, 1, 499, 600]);

  it('joins, gathers and visits the rows of every block in order', () => {
    expect(Buffer.from(wholeRows(split).buffer).equals(Buffer.from(rows.buffer))).toBe(true);
    const indices = Int32Array.from([1199, 0, 100, 5, 600, 101, 599]);
    expect(Array.from(gatherRows(split, indices))).toEqual(Array.from(takeRows(rows, d, indices)));
  });

  it('builds the same grids, to the byte, from blocks as from one array', () => {
    const r = new Random(4);
    const points = Float32Array.from({ length: n * 2 }, () => r.next());
    const topClasses = Int32Array.from({ length: n * 2 }, () => r.int(0, 9));
    const topValues = Float32Array.from({ length: n * 2 }, () => r.next());
    for (const size of [4, 10]) {
      const input = { points, depth: d, topClasses, topValues, topK: 2 };
      const whole = buildGrid({ ...input, activations: rows }, size, 3);
      const blocked = buildGrid({ ...input, activations: split }, size, 3);
      expect(blocked.cells).toEqual(whole.cells);
      expect(Buffer.from(blocked.means.buffer).equals(Buffer.from(whole.means.buffer))).toBe(true);
    }
  });

  it('projects onto the same principal components from blocks, summed in float64', () => {
    const k = 6;
    const whole = pca(normalizeRows(rows, n, d), n, d, k);
    const blocked = pcaOfBlocks(split, k, true);
    expect(Buffer.from(pcaOfBlocks(rowBlocksOf(rows, n, d), k, true).buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    let largest = 0;
    let error = 0;
    for (let i = 0; i < whole.length; i++) {
      largest = Math.max(largest, Math.abs(whole[i]!));
      error = Math.max(error, Math.abs(whole[i]! - blocked[i]!));
    }
    expect(error / largest).toBeLessThan(1e-3);
    const moment = secondMoment(rows, n, d);
    const momentOfBlocks = secondMomentOf(split);
    for (let i = 0; i < moment.length; i++) expect(momentOfBlocks[i]!).toBeCloseTo(moment[i]!, 4);
  });
});

const DEMO = path.resolve('content/models/demo');
describe.skipIf(!existsSync(path.join(DEMO, 'model.json')))('a layer loaded in blocks', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-blocks-'));
  let pool: WorkerPool;
  beforeAll(() => {
    pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
  });
  afterAll(async () => {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('reads whole chunks per block and holds the rows of one array', async () => {
    const recipeFile = path.join(work, 'blocks.yaml');
    writeFileSync(
      recipeFile,
      `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 5, split: test }, count: 700 }
layers: [mixed5a]
layout: { neighbors: 15 }
`,
    );
    const cache = new CacheStore(path.join(work, 'cache'));
    const activations = await runActivations({ recipe: readRecipe(recipeFile), root: process.cwd(), cache, pool });
    const whole = loadLayer(cache, activations.chunks, 'mixed5a', 5, 0);
    expect(whole.vectors.blocks).toBe(1);
    // Two chunks' worth of floats per block: three chunks (256, 256, 188 images) make two blocks.
    const blocked = loadLayer(cache, activations.chunks, 'mixed5a', 5, 0, 512 * 320);
    expect(blocked.vectors.blocks).toBe(2);
    expect(blocked.n).toBe(700);
    expect(blocked.depth).toBe(320);
    const starts: number[] = [];
    blocked.vectors.forEach((start) => starts.push(start));
    expect(starts).toEqual([0, 512]);
    expect(Buffer.from(wholeRows(blocked.vectors).buffer).equals(Buffer.from(wholeRows(whole.vectors).buffer))).toBe(true);
  }, 120_000);
});
