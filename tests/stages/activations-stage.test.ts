/**
 * The activations stage on the demo network: chunks are cached and reused, a damaged chunk is recomputed to
 * the same bytes, and a run killed mid-stage finishes, when run again, with the bytes of an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { runActivations } from '../../pipeline/stages/activations/stage.ts';
import { TSX } from '../helpers/kill-build.ts';

const DEMO = path.resolve('content/models/demo');
const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-activations-'));
const recipeFile = path.join(work, 'demo-small.yaml');
let pool: WorkerPool;

beforeAll(() => {
  writeFileSync(
    recipeFile,
    `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 5, split: test }, count: 300 }
layers: [mixed4a, mixed5a]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 15 }
`,
  );
  pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
});
afterAll(async () => pool.close());

const chunkBytes = (cache: CacheStore, key: string) => {
  const folder = cache.folder('activations', key);
  return Object.fromEntries(
    readdirSync(folder)
      .filter((f) => f !== 'meta.json')
      .sort()
      .map((f) => [f, readFileSync(path.join(folder, f)).toString('base64')]),
  );
};

describe.skipIf(!existsSync(path.join(DEMO, 'model.json')))('activations stage', () => {
  it('computes chunks once, reuses them, and recomputes a damaged one to the same bytes', async () => {
    const cache = new CacheStore(path.join(work, 'cache-a'));
    const recipe = readRecipe(recipeFile);
    const first = await runActivations({ recipe, root: process.cwd(), cache, pool });
    expect(first.chunks).toHaveLength(2);
    expect(first.computed).toBe(2);
    const layerFile = path.join(cache.folder('activations', first.chunks[1]!), 'mixed5a.activations.f32');
    const before = chunkBytes(cache, first.chunks[1]!);
    // 44 images in the last chunk, one position each, mixed5a has 320 channels.
    expect(readFileSync(layerFile).length).toBe(44 * 320 * 4);

    const second = await runActivations({ recipe, root: process.cwd(), cache, pool });
    expect(second).toMatchObject({ computed: 0, reused: 2 });

    writeFileSync(layerFile, Buffer.alloc(16));
    const third = await runActivations({ recipe, root: process.cwd(), cache, pool });
    expect(third).toMatchObject({ computed: 1, reused: 1 });
    expect(chunkBytes(cache, first.chunks[1]!)).toEqual(before);
  }, 120_000);

  it('finishes a killed run with the bytes of an uninterrupted one', async () => {
    const reference = new CacheStore(path.join(work, 'cache-reference'));
    const { chunks } = await runActivations({ recipe: readRecipe(recipeFile), root: process.cwd(), cache: reference, pool });

    const interrupted = path.join(work, 'cache-killed');
    await new Promise<void>((resolve) => {
      // A process group of its own: tsx runs the script in a child process, which a kill of tsx alone would
      // orphan — it would go on writing into the cache while the resumed run reads it.
      const child = spawn(TSX, ['tests/fixtures/run-activations.ts', recipeFile, interrupted], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let killed = false;
      child.stdout.on('data', (data: Buffer) => {
        if (!killed && data.toString().includes('chunk 1/2')) {
          killed = true;
          process.kill(-child.pid!, 'SIGKILL');
        }
      });
      child.on('close', () => resolve());
    });
    const resumed = await runActivations({ recipe: readRecipe(recipeFile), root: process.cwd(), cache: new CacheStore(interrupted), pool });
    expect(resumed.computed).toBeLessThanOrEqual(1);
    for (const key of chunks) expect(chunkBytes(new CacheStore(interrupted), key)).toEqual(chunkBytes(reference, key));
  }, 180_000);

  it('refuses a declared class the model does not have', async () => {
    const bad = path.join(work, 'bad.yaml');
    writeFileSync(bad, readFileSync(recipeFile, 'utf8').replace('classes: [whale, shark]', 'classes: [whale, shork]'));
    await expect(runActivations({ recipe: readRecipe(bad), root: process.cwd(), cache: new CacheStore(path.join(work, 'c')), pool })).rejects.toThrowError(
      /field "attribution\.classes\[1\]" names "shork", which is not a class of the model \(whale, shark, /,
    );
  });
});
