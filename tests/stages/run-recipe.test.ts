/** A recipe end to end through activations, layout and grids, into public/atlases/<id>/, then again from cache. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { publishedTree } from '../helpers/published-tree.ts';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { runRecipe } from '../../pipeline/stages/run.ts';
import { recipeStatus } from '../../pipeline/stages/status.ts';
import { activationsStatus } from '../../pipeline/stages/activations/stage.ts';
import { runPatchExperiment } from '../../pipeline/stages/patches/stage.ts';

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
classAtlases: [{ class: shark }]
comparisons: [{ classes: [whale, shark] }]
icons: { size: 24, steps: 6, batch: 16 }
render: { examplePixels: 16 }
activationGrids: [{ id: first-image, layer: mixed4b, image: 0 }]
neurons: [{ id: one-channel, layer: mixed4b, channels: [3] }]
`,
  );
  pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
});
afterAll(async () => pool.close());

describe.skipIf(!existsSync('content/models/demo/model.json'))('running a recipe', () => {
  it('writes every view and a manifest, and reuses every stage the second time with the same bytes', async () => {
    const recipe = readRecipe(path.join(root, 'content', 'atlases', 'small.yaml'), root);
    const cache = new CacheStore(path.join(root, '.atlas-cache'));
    const lines: string[] = [];
    const before = await recipeStatus(recipe, root, cache);
    expect(before[0]).toMatch(/^small: activations stale: 3 of 3 chunks to compute/);
    // The figures too: each from its own cache keys.
    expect(before.slice(-2)).toEqual([
      "small: activation grid first-image: stale: to compute: the image's activations, then its icons",
      'small: neuron one-channel: stale: icon to draw',
    ]);
    const first = await runRecipe({ recipe, root, cache, pool, log: (line) => lines.push(line), backend: 'backend: wasm' });
    const views = ['mixed4b', 'mixed5a', 'mixed5a.class-shark', 'mixed5a.compare-whale-shark'];
    expect(first.filter((r) => r.stage === 'view').map((r) => [r.view, r.status])).toEqual(views.map((v) => [v, 'computed']));
    const out = path.join(root, 'public', 'atlases', 'small');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.views)).toEqual(views);
    expect(manifest.images.count).toBe(600);
    expect(manifest.images.accuracy).toBeGreaterThan(0.9);
    expect(manifest.focusClasses).toEqual(['whale', 'shark']);
    expect(manifest.results.mixed5a.samples).toBe(600);
    expect(manifest.results.mixed5a.trustworthiness).toBeGreaterThan(0.8);

    // The class atlas holds only samples with "shark" among their top three attributions, so its cells lean to it.
    const classView = JSON.parse(readFileSync(path.join(out, 'mixed5a.class-shark', 'view.json'), 'utf8'));
    expect(classView.samples).toBeLessThan(600);
    expect(classView.samples).toBeGreaterThan(15);
    const shark = manifest.labels.indexOf('shark');
    const level = classView.levels.at(-1);
    const chunk = JSON.parse(readFileSync(path.join(out, 'mixed5a.class-shark', 'cells', String(level.size), `${level.chunks[0]}.json`), 'utf8'));
    for (const cell of chunk.cells) expect(cell.classes.slice(0, 3).map(([label]: [number]) => label)).toContain(shark);

    // The comparison: cells left of the middle lean to whale, right of it to shark (x = shark − whale).
    const compare = JSON.parse(readFileSync(path.join(out, 'mixed5a.compare-whale-shark', 'view.json'), 'utf8'));
    const fine = compare.levels.at(-1);
    const cells = fine.chunks.flatMap(
      (id: string) => JSON.parse(readFileSync(path.join(out, 'mixed5a.compare-whale-shark', 'cells', String(fine.size), `${id}.json`), 'utf8')).cells,
    );
    for (const cell of cells) {
      const [whale, sharkValue] = cell.focus;
      if (cell.x < fine.size / 2 - 1) expect(whale).toBeGreaterThanOrEqual(sharkValue);
      if (cell.x > fine.size / 2) expect(sharkValue).toBeGreaterThanOrEqual(whale);
    }
    // The activation grid: every position of mixed4b (8 × 8 for a 64 px input), the strong ones with an icon.
    expect(manifest.activationGrids['first-image']).toEqual({ layer: 'mixed4b', title: 'Activation grid of mixed4b', path: 'activation-grids/first-image' });
    const activationGrid = JSON.parse(readFileSync(path.join(out, 'activation-grids', 'first-image', 'grid.json'), 'utf8'));
    expect([activationGrid.rows, activationGrid.columns]).toEqual([8, 8]);
    expect(activationGrid.positions).toHaveLength(64);
    const drawn = activationGrid.positions.filter((p: { icon: number }) => p.icon >= 0);
    expect(drawn.length).toBeGreaterThan(0);
    expect(Math.max(...activationGrid.positions.map((p: { magnitude: number }) => p.magnitude))).toBe(1);
    for (const p of activationGrid.positions) expect(p.classes.length).toBe(5);
    expect(existsSync(path.join(out, 'activation-grids', 'first-image', 'icons.jpg'))).toBe(true);

    // Status, from cache keys alone: every stage of every view fresh.
    const status = await recipeStatus(recipe, root, cache);
    expect(status).toHaveLength(7);
    for (const line of status) expect(line).toMatch(/^small: ([\w.-]+:|activation grid [\w-]+:|neuron [\w-]+:)? ?(activations )?fresh/);
    expect(status[2]).toMatch(/icons \d+ cached; render cached and published/);
    expect(status[5]).toMatch(/^small: activation grid first-image: fresh: activations and \d+ icons cached$/);
    expect(status[6]).toBe('small: neuron one-channel: fresh: icon cached');
    const published = publishedTree(out);

    // A patch experiment with the icon of a kept cell, against a random-noise patch of the same size.
    const planned = activationsStatus(recipe, root, cache);
    const coarse = JSON.parse(readFileSync(path.join(out, 'mixed5a', 'view.json'), 'utf8')).levels[0];
    const [kept] = JSON.parse(readFileSync(path.join(out, 'mixed5a', 'cells', String(coarse.size), `${coarse.chunks[0]}.json`), 'utf8')).cells;
    const spec = {
      id: 'try',
      from: 'whale',
      to: 'shark',
      patch: { view: 'mixed5a', size: coarse.size, cell: [kept.x, kept.y] as [number, number] },
      sizes: [8, 16],
      images: 20,
      seed: 0,
    };
    const context = { recipe, root, cache, pool, chunks: planned.chunks, labels: planned.labels, declared: planned.declared, modelHash: planned.modelHash };
    const withPatch = { ...recipe, patchExperiments: [{ ...spec, seed: 0 }] };
    expect((await recipeStatus(withPatch, root, cache)).at(-3)).toBe("small: patch experiment try: stale: to compute (after its view's icons)");
    const patched = await runPatchExperiment({ ...context, spec });
    expect((await recipeStatus(withPatch, root, cache)).at(-3)).toBe('small: patch experiment try: fresh: cached');
    expect(patched.images).toBeGreaterThan(10); // whales the model gets right, at most 20
    expect(patched.rows.map((row) => [row.patch, row.size])).toEqual([
      ['icon', 8],
      ['random noise', 8],
      ['icon', 16],
      ['random noise', 16],
    ]);
    for (const row of patched.rows) expect(row.rate).toBe(row.flipped / patched.images);
    expect(await runPatchExperiment({ ...context, spec })).toEqual(patched);
    await expect(runPatchExperiment({ ...context, spec: { ...spec, to: 'sharq' } })).rejects.toThrowError(
      'content/atlases/small.yaml: patchExperiments "try" names class "sharq", which the model does not have.',
    );
    await expect(runPatchExperiment({ ...context, spec: { ...spec, patch: { ...spec.patch, view: 'mixed9' } } })).rejects.toThrowError(
      /patch\.view "mixed9" is not a view of this recipe/,
    );

    const second = await runRecipe({ recipe, root, cache, pool, log: () => {}, backend: 'backend: wasm' });
    expect(second.map((r) => r.status)).toEqual(second.map(() => 'cached'));
    // Every published file, byte for byte (the manifest without its timings).
    expect(publishedTree(out)).toEqual(published);
    const again = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(again.results.mixed5a.render).toEqual(manifest.results.mixed5a.render);
  }, 400_000);
});
