/**
 * What a build says when it would not fit: a layout larger than the memory limit stops before any work with the
 * estimate, the limit and the fields to change; a disk that fills mid-activations leaves only whole chunks and
 * names the folder and the space still needed, and the next run finishes with the bytes of an uninterrupted one.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStore, cacheIo } from '../../pipeline/cache/store.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { UserError } from '../../pipeline/errors.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { runActivations } from '../../pipeline/stages/activations/stage.ts';
import { layoutPeakBytes } from '../../pipeline/stages/layout/memory.ts';
import { requireLayoutMemory } from '../../pipeline/stages/memory-check.ts';

const DEMO = path.resolve('content/models/demo');
const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-limits-'));
let pool: WorkerPool;
beforeAll(() => {
  pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
});
afterAll(async () => {
  await pool.close();
  rmSync(work, { recursive: true, force: true });
});

function recipeWith(count: number, name: string) {
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 5, split: test }, count: ${count} }
layers: [mixed5a]
layout: { neighbors: 15 }
`,
  );
  return readRecipe(file);
}

describe('memory estimate', () => {
  it('grows with samples and neighbours, and counts approximate search only above its threshold', () => {
    const params = { neighbors: 50, pca: 50, neighbourSearch: 'auto' as const };
    const at = (n: number, k = 50) => layoutPeakBytes({ n, depth: 320, topK: 5, declared: 2, params: { ...params, neighbors: k } });
    expect(at(1_000_000)).toBeGreaterThan(at(300_000));
    expect(at(1_000_000, 50)).toBeGreaterThan(at(1_000_000, 15));
    // A million samples of the demo's mixed5a fit this 24-GB machine's limit (85 %); ten million do not.
    expect(at(1_000_000)).toBeLessThan(0.85 * 24e9);
    expect(at(10_000_000)).toBeGreaterThan(24e9);
  });
});

describe.skipIf(!existsSync(path.join(DEMO, 'model.json')))('limits of a build', () => {
  it('stops a layout over the memory limit before it starts, naming the estimate, the limit and the fields', async () => {
    const recipe = recipeWith(400_000, 'large');
    const error = await requireLayoutMemory(recipe, process.cwd(), pool, { ATLAS_MEMORY_GB: '1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^.*large\.yaml: the layout of mixed5a would hold about [\d.]+ GB at its peak for 400,000 samples \(400,000 images × 1 positions\), more than the 1\.0 GB this build may use \(ATLAS_MEMORY_GB\); lower data\.count, sampling\.positionsPerImage or layout\.neighbors \(now 15\)\.$/,
    );
    await expect(requireLayoutMemory(recipeWith(300, 'small'), process.cwd(), pool, {})).resolves.toBeUndefined();
  }, 60_000);

  it('keeps only whole chunks when the disk fills, says which folder needs how much, and finishes on the next run', async () => {
    const recipe = recipeWith(600, 'full-disk');
    const cache = new CacheStore(path.join(work, 'cache-full'));
    const write = cacheIo.writeFile;
    // The disk fills once the first chunk is written whole; both other chunks then fail to write.
    let written = 0;
    let failures = 0;
    cacheIo.writeFile = (file, data) => {
      if (written > 0) {
        if (path.basename(file) !== 'meta.json' && readdirSync(path.dirname(file)).length === 0) failures++;
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
      }
      write(file, data);
      if (path.basename(file) === 'meta.json') written++;
    };
    let error: Error | undefined;
    try {
      await runActivations({ recipe, root: process.cwd(), cache, pool }).catch((e: Error) => (error = e));
      // The chunk still in flight when the build stopped fails too.
      await expect.poll(() => failures, { timeout: 60_000 }).toBe(2);
    } finally {
      cacheIo.writeFile = write;
    }
    expect(error).toBeInstanceOf(UserError);
    const folder = path.join(cache.root, 'activations');
    expect(error!.message).toMatch(
      new RegExp(
        `^the disk holding ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full: the 2 of 3 activation chunks still to write need about \\d+ MB more \\([\\d.]+ MB each\\); free that much there or set ATLAS_CACHE_DIR`,
      ),
    );
    // One whole chunk, nothing half-written.
    const entries = readdirSync(folder);
    expect(entries).toHaveLength(1);
    expect(existsSync(path.join(folder, entries[0]!, 'meta.json'))).toBe(true);

    const resumed = await runActivations({ recipe, root: process.cwd(), cache, pool });
    expect(resumed).toMatchObject({ computed: 2, reused: 1 });
    const clean = new CacheStore(path.join(work, 'cache-clean'));
    const reference = await runActivations({ recipe, root: process.cwd(), cache: clean, pool });
    expect(reference.chunks).toEqual(resumed.chunks);
    for (const key of resumed.chunks) {
      const file = (store: CacheStore) => readFileSync(path.join(store.folder('activations', key), 'mixed5a.activations.f32'));
      expect(file(cache).equals(file(clean))).toBe(true);
    }
  }, 120_000);
});
