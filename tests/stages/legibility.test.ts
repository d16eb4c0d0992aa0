/**
 * The legibility stage: the judge names what a picture shows. Real images of the synthetic world, passed in as
 * the "icons" of four cells, must score high with the demo's judge and random noise low; a judge that lacks some
 * of the atlas's classes stops with one sentence naming them.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { CLASS_NAMES, drawImage } from '../../pipeline/datasets/synthetic/world.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { judgeOf, runLegibility } from '../../pipeline/stages/legibility/stage.ts';
import type { CellRecord } from '../../pipeline/published/format.ts';

const root = process.cwd();
const recipe = readRecipe('content/atlases/demo.yaml');
const folder = mkdtempSync(path.join(os.tmpdir(), 'atlas-legibility-'));
const pool = WorkerPool.create({ size: 1, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });

afterAll(async () => {
  await pool.close();
  rmSync(folder, { recursive: true, force: true });
});

const cell = (label: number): CellRecord => ({ x: label, y: 0, count: 10, classes: [[label, 1]], focus: [0, 0], examples: [], extent: [0, 0, 1, 1] });

describe('legibility', () => {
  it('scores pictures the judge can name high and random noise low', async () => {
    const labels = [0, 1, 9, 13]; // whale, shark, mushroom, cactus
    const icons = await Promise.all(
      labels.map((label) => {
        const image = drawImage(recipe.data.synthetic!.seed, 'test', label + 14 * 7);
        return sharp(Buffer.from(image.pixels), { raw: { width: 64, height: 64, channels: 3 } })
          .png()
          .toBuffer();
      }),
    );
    const depth = 320;
    const means = Float32Array.from({ length: labels.length * depth }, (_, i) => ((i * 7919) % 13) / 13 + 0.01);
    const score = await runLegibility({
      params: { judge: 'content/models/demo-judge', referenceSteps: 2, seed: 0 },
      recipe: { ...recipe, icons: { ...recipe.icons, batch: 4 } },
      root,
      cache: new CacheStore(folder),
      pool,
      labels: CLASS_NAMES,
      modelFolder: path.resolve(recipe.model),
      modelHash: 'test',
      layer: 'mixed5a',
      depth,
      preprocess: recipe.preprocess,
      size: 4,
      cells: labels.map(cell),
      means,
      icons,
    });
    expect(score).toMatchObject({ size: 4, cells: 4, referenceSteps: 2 });
    expect(score.icons).toBeGreaterThanOrEqual(0.75);
    expect(score.noise).toBeLessThanOrEqual(0.25);
    expect(score.reference).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('stops with one sentence naming the classes a judge lacks', () => {
    const judge = path.join(folder, 'judge');
    mkdirSync(judge, { recursive: true });
    copyFileSync('content/models/demo-judge/model.json', path.join(judge, 'model.json'));
    writeFileSync(path.join(judge, 'labels.json'), JSON.stringify(CLASS_NAMES.filter((name) => name !== 'whale' && name !== 'cactus')));
    const params = { judge: path.relative(root, judge), referenceSteps: 24, seed: 0 };
    expect(() => judgeOf(params, recipe, root, CLASS_NAMES)).toThrow(
      /field "legibility.judge": the judge .* lacks the classes whale, cactus of the atlas's model; train the judge on the same classes/,
    );
    expect(() => judgeOf({ ...params, judge: 'content/models/nothing' }, recipe, root, CLASS_NAMES)).toThrow(
      /names content\/models\/nothing, which has no model.json/,
    );
  });
});
