/** A recipe end to end through activations, layout and grids, into public/atlases/<id>/, then again from cache. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { runRecipe } from '../../pipeline/stages/run.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-recipe-run-'));
let pool: WorkerPool;

beforeAll(async () => {
  await useBackend('wasm');
  mkdirSync(path.join(root, 'content', 'models'), { recursive: true });
  mkdirSync(path.join(root, 'content', 'atlases'), { recursive: true });
  cpSync('content/models/demo', path.join(root, 'content', 'models', 'demo'), { recursive: true });
  writeFileSync(
    path.join(root, 'content', 'atlases', 'small.yaml'),
    `title: A small atlas
model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 3, split: test }, count: 600 }
layers: [mixed4b, mixed5a]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 15, pca: 20, seed: 2, epochs: 100 }
grids: { sizes: [5, 10], minCount: 3 }
`,
  );
  pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
});
afterAll(async () => pool.close());

describe.skipIf(!existsSync('content/models/demo/model.json'))('running a recipe', () => {
  it('writes grids and a manifest, and reuses every stage the second time', async () => {
    const recipe = readRecipe(path.join(root, 'content', 'atlases', 'small.yaml'), root);
    const cache = new CacheStore(path.join(root, '.atlas-cache'));
    const lines: string[] = [];
    const first = await runRecipe({ recipe, root, cache, pool, log: (line) => lines.push(line), backend: 'backend: wasm' });
    expect(first.filter((r) => r.stage === 'layout').map((r) => r.status)).toEqual(['computed', 'computed']);
    const out = path.join(root, 'public', 'atlases', 'small');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.images.count).toBe(600);
    expect(manifest.images.accuracy).toBeGreaterThan(0.9);
    expect(manifest.layers.mixed5a.samples).toBe(600);
    expect(manifest.layers.mixed5a.trustworthiness).toBeGreaterThan(0.8);
    const grid = JSON.parse(readFileSync(path.join(out, 'mixed5a.grid-10.json'), 'utf8'));
    expect(grid.size).toBe(10);
    expect(grid.cells.length).toBeGreaterThan(5);
    const cell = grid.cells[0];
    expect(cell.count).toBeGreaterThan(3);
    expect(cell.classes[0].name).toMatch(/^[a-z]+$/);
    expect(cell.nearest[0]).toHaveProperty('image');

    const second = await runRecipe({ recipe, root, cache, pool, log: () => {}, backend: 'backend: wasm' });
    expect(second.filter((r) => r.stage !== 'grids').map((r) => r.status)).toEqual(['cached', 'cached', 'cached']);
    expect(readFileSync(path.join(out, 'mixed5a.grid-10.json'), 'utf8')).toBe(JSON.stringify(grid));
  }, 240_000);
});
