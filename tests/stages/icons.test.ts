/**
 * The icons stage on the worker pool: same seed → same PNG bytes for any worker count and batching; an
 * interrupted run resumes with only the missing icons; bad inputs stop with one clear sentence.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { recipeSchema } from '../../pipeline/recipes/schema.ts';
import { balancedBatch, runIcons, type IconsInput } from '../../pipeline/icons/stage.ts';
import { parentCells, similarCells } from '../../pipeline/icons/warm-start.ts';
import { fixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';

const LAYER = 'conv_pw_3_relu';
const DEPTH = 64;
const preprocess = { size: 48, range: [-1, 1] as [number, number], channels: 'rgb' as const, resize: 'crop' as const };
const params = recipeSchema.shape.icons.parse({ size: 24, steps: 6, batch: 2, redirectedReluSteps: 2, seed: 3 });
const directions = Float32Array.from(seededValues(5 * DEPTH, 41), (v, i) => Math.abs(v) * (i % 3 === 0 ? 1 : 0.3));

let model: string;
const pools: WorkerPool[] = [];
const folders: string[] = [];
const pool = (size: number) => {
  const created = WorkerPool.create({ size, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
  pools.push(created);
  return created;
};
const cache = () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'atlas-icons-'));
  folders.push(folder);
  return new CacheStore(folder);
};
const input = (overrides: Partial<IconsInput>): IconsInput => ({
  modelFolder: model,
  modelHash: 'fixture',
  layer: LAYER,
  directions,
  depth: DEPTH,
  params,
  preprocess,
  cache: cache(),
  pool: pools[0]!,
  ...overrides,
});

beforeAll(async () => {
  model = (await fixtureModels()).mobilenet;
  pool(1);
  pool(2);
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('icons stage', () => {
  it('gives the same PNG bytes for the same seed, with 1 or 2 workers and any batch size', async () => {
    const one = await runIcons(input({ pool: pools[0]! }));
    expect(one.computed).toBe(5);
    expect(one.icons).toHaveLength(5);
    const meta = await sharp(one.icons[0]!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 24, 24]);
    const two = await runIcons(input({ pool: pools[1]!, params: { ...params, batch: 3 } }));
    expect(two.icons.map((png) => png.toString('base64'))).toEqual(one.icons.map((png) => png.toString('base64')));
    // Different directions, different icons; another seed, other icons.
    expect(new Set(one.icons.map((png) => png.toString('base64'))).size).toBe(5);
    const reseeded = await runIcons(input({ pool: pools[1]!, directions: directions.subarray(0, DEPTH), params: { ...params, seed: 4 } }));
    expect(reseeded.icons[0]!.equals(one.icons[0]!)).toBe(false);
  });

  it('resumes an interrupted run, rendering only the icons that are missing', async () => {
    const store = cache();
    let stopped = false;
    const interrupted = runIcons(
      input({
        cache: store,
        onProgress: (done) => {
          if (done >= 2 && !stopped) {
            stopped = true;
            throw new Error('interrupted');
          }
        },
      }),
    );
    await expect(interrupted).rejects.toThrow('interrupted');
    const finished = readdirSync(path.join(store.root, 'icons')).filter((name) => !name.includes('.partial-')).length;
    // One worker, batches of 2: the first batch was written whole, and nothing started after the failure.
    expect(finished).toBe(2);
    const resumed = await runIcons(input({ cache: store }));
    expect(resumed.computed).toBe(5 - finished);
    const again = await runIcons(input({ cache: store }));
    expect(again.computed).toBe(0);
    expect(again.icons).toEqual(resumed.icons);
    // Adding directions (a new grid level) renders only the new ones.
    const more = Float32Array.from(seededValues(7 * DEPTH, 41), (v, i) => Math.abs(v) * (i % 3 === 0 ? 1 : 0.3));
    expect((await runIcons(input({ cache: store, directions: more }))).computed).toBe(2);
  });

  it('warm-starts finer cells from their parents: keys follow the parent, bytes are the same with any batching', async () => {
    // Icons 0 and 1 are parents (a coarse level); 2 and 3 start from 0, 4 from 1.
    const parents = Int32Array.from([-1, -1, 0, 0, 1]);
    const warm = { ...params, warmStart: 'parent' as const, warmStartSteps: 2 };
    const store = cache();
    const first = await runIcons(input({ cache: store, params: warm, parents }));
    expect(first.computed).toBe(5);
    // Parents are rendered as without warm starts; children differ from their from-noise versions.
    const cold = await runIcons(input({ params }));
    expect(first.icons.slice(0, 2)).toEqual(cold.icons.slice(0, 2));
    expect(first.icons[2]!.equals(cold.icons[2]!)).toBe(false);
    // A warm child looks like its parent, far more than its cold version does.
    const pixels = async (png: Buffer) => new Float32Array(await sharp(png).raw().toBuffer());
    const distance = async (a: Buffer, b: Buffer) => {
      const [x, y] = [await pixels(a), await pixels(b)];
      return x.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0) / x.length;
    };
    expect(await distance(first.icons[2]!, first.icons[0]!)).toBeLessThan((await distance(cold.icons[2]!, first.icons[0]!)) / 2);
    const again = await runIcons(input({ pool: pools[1]!, params: { ...warm, batch: 3 }, parents }));
    expect(again.icons).toEqual(first.icons);
    // The same children from a different parent direction get other keys and are rendered anew.
    const moved = Float32Array.from(directions);
    moved[0] = moved[0]! + 1;
    expect((await runIcons(input({ cache: store, params: warm, parents, directions: moved }))).computed).toBe(3);
    await expect(runIcons(input({ params: warm, parents: Int32Array.from([-1, 2, 0, 0, 1]) }))).rejects.toThrow(/does not come before it/);
  });

  it("says once, not once per batch, when a layer's receptive field cannot be worked out", async () => {
    const notices: string[] = [];
    const graph = (await fixtureModels()).inception;
    const result = await runIcons(
      input({
        modelFolder: graph,
        layer: 'mixed3a',
        depth: 32,
        directions: Float32Array.from(seededValues(3 * 32, 7), Math.abs),
        preprocess: { size: 32, range: [0, 1], channels: 'rgb', resize: 'crop' },
        params: { ...params, batch: 1 },
        onNotice: (line) => notices.push(line),
      }),
    );
    expect(result.computed).toBe(3);
    expect(notices).toEqual([
      expect.stringMatching(/icons of layer "mixed3a": the receptive field is unknown because of a graph-model .*shown pixel for pixel/),
    ]);
  });

  it('stops with one clear sentence on bad input', async () => {
    const zeros = Float32Array.from(directions);
    zeros.fill(0, DEPTH, 2 * DEPTH);
    await expect(runIcons(input({ directions: zeros }))).rejects.toThrow(/direction 2 of 5 is all zeros/);
    const nan = Float32Array.from(directions);
    nan[3 * DEPTH + 7] = Number.NaN;
    await expect(runIcons(input({ directions: nan }))).rejects.toThrow(/direction 4 of 5 contains NaN/);
    await expect(runIcons(input({ params: { ...params, size: 64 } }))).rejects.toThrow(/icons.size is 64 px, larger than the model's input \(48×48 px/);
    const flat = runIcons(input({ layer: 'global_average_pooling2d_1', directions: directions.subarray(0, 128), depth: 128 }));
    await expect(flat).rejects.toThrow(/layer "global_average_pooling2d_1" has no spatial extent/);
    await expect(runIcons(input({ layer: 'conv_pw_9' }))).rejects.toThrow(/has no layer "conv_pw_9"/);
  });
});

describe('balanced batches', () => {
  it('give each worker the same share, never above the batch size', () => {
    expect(balancedBatch(23, 16, 2)).toBe(12); // 12 + 11, not 16 + 7
    expect(balancedBatch(73, 16, 2)).toBe(13); // six batches, three per worker
    expect(balancedBatch(32, 16, 2)).toBe(16);
    expect(balancedBatch(5, 16, 1)).toBe(5);
    expect(balancedBatch(1, 16, 2)).toBe(1);
    for (const [count, batch, workers] of [
      [182, 16, 2],
      [7, 3, 4],
      [100, 32, 3],
    ] as const) {
      const size = balancedBatch(count, batch, workers);
      expect(size).toBeLessThanOrEqual(batch);
      expect(Math.ceil(count / size) % workers === 0 || Math.ceil(count / size) < workers).toBe(true);
    }
  });
});

describe('parent cells', () => {
  it("are the coarser cells under each finer cell's centre, −1 where none was kept", () => {
    const levels = [
      {
        size: 2,
        cells: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      },
      {
        size: 4,
        cells: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
          { x: 3, y: 2 },
          { x: 2, y: 0 },
        ],
      },
      {
        size: 8,
        cells: [
          { x: 6, y: 5 },
          { x: 7, y: 7 },
        ],
      },
    ];
    // Level 4: (0,0) and (1,1) lie in coarse (0,0); (3,2) in (1,1); (2,0) in (1,0), which was not kept.
    // Level 8: (6,5) lies in (3,2) — index 4; (7,7) in (3,3), not kept.
    expect([...parentCells(levels)]).toEqual([-1, -1, 0, 0, 1, -1, 4, -1]);
  });

  it('similar cells are the coarsest cells nearest by cosine, whatever the place or the length', () => {
    const levels = [
      {
        size: 2,
        cells: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
        means: Float32Array.from([1, 0, 0, 1]),
      },
      {
        size: 4,
        cells: [
          { x: 0, y: 0 },
          { x: 3, y: 3 },
        ],
        means: Float32Array.from([0.1, 3, 5, 1]),
      },
      { size: 8, cells: [{ x: 7, y: 7 }], means: Float32Array.from([2, 0.5]) },
    ];
    // (0,0) at size 4 points along the second root although it lies under the first; length does not count.
    expect([...similarCells(levels)]).toEqual([-1, -1, 1, 0, 0]);
  });
});
