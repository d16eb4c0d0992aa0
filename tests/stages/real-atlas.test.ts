/**
 * A real network end to end: an atlas of MobileNet v1 0.25's conv_pw_13_relu from the 200 ImageNet photos in
 * ../shared/realdata (every position of every photo: 200 × 7 × 7 = 9,800 activations), through layout, grids,
 * icons and tiles. Test data only, never part of the product; skips, saying so, where the folder is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import type { CellRecord, ViewIndex } from '../../pipeline/published/format.ts';
import { verifyPyramid } from '../../pipeline/stages/render/integrity.ts';
import { runRecipe } from '../../pipeline/stages/run.ts';

const REALDATA = path.resolve('../shared/realdata');
const MODEL = path.join(REALDATA, 'mobilenet_v1_0.25_224');
const PHOTOS = path.join(REALDATA, 'imagenet-sample-200');
const present = existsSync(path.join(MODEL, 'model.json')) && existsSync(path.join(PHOTOS, 'labels.csv'));
if (!present) console.warn(`Real-network atlas test skipped: ${REALDATA} (MobileNet v1 0.25 and 200 ImageNet photos) is not on this machine.`);

const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-real-'));
let pool: WorkerPool;

beforeAll(async () => {
  if (!present) return;
  await useBackend('wasm');
  mkdirSync(path.join(root, 'content', 'atlases'), { recursive: true });
  // The model's class names (its folder has them as objects), and a (path, label) manifest of the photos.
  const labels = (JSON.parse(readFileSync(path.join(MODEL, 'imagenet_labels.json'), 'utf8')) as { label: string }[]).map((entry) => entry.label);
  writeFileSync(path.join(root, 'labels.json'), JSON.stringify(labels));
  const rows = readFileSync(path.join(PHOTOS, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
  const csv = rows.map((row) => {
    const [file, , index] = row.split(',');
    return `"${file!.replace(/"/g, '""')}","${labels[Number(index)]!.replace(/"/g, '""')}"`;
  });
  writeFileSync(path.join(root, 'photos.csv'), ['path,label', ...csv].join('\n'));
  writeFileSync(
    path.join(root, 'content', 'atlases', 'mobilenet.yaml'),
    `model: ${MODEL}
labels: labels.json
preprocess: { size: 224, range: [-1, 1] }
data: { folder: ${PHOTOS}, manifest: photos.csv, count: 200 }
layers: [conv_pw_13_relu]
sampling: { positionsPerImage: all }
attribution: { topK: 5 }
layout: { neighbors: 15, pca: 50, seed: 1 }
grids: { sizes: [5, 10], minCount: 5 }
icons: { size: 48, steps: 16, batch: 16 }
render: { examplePixels: 24 }
`,
  );
  pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
});
afterAll(async () => pool?.close());

describe.skipIf(!present)('an atlas of MobileNet v1 0.25 from 200 ImageNet photos', () => {
  it('lays out every position, draws icons with structure, completes its tiles, and its cells name the photos’ classes', async () => {
    const recipe = readRecipe(path.join(root, 'content', 'atlases', 'mobilenet.yaml'), root);
    const cache = new CacheStore(path.join(root, '.atlas-cache'));
    await runRecipe({ recipe, root, cache, pool, log: () => {}, backend: 'backend: wasm' });
    const out = path.join(root, 'public', 'atlases', 'mobilenet');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.images.count).toBe(200);
    expect(manifest.results.conv_pw_13_relu.samples).toBe(200 * 7 * 7);
    expect(manifest.results.conv_pw_13_relu.trustworthiness).toBeGreaterThan(0.85);

    // Every tile the viewer can ask for exists and decodes.
    const folder = path.join(out, 'conv_pw_13_relu');
    const view = JSON.parse(readFileSync(path.join(folder, 'view.json'), 'utf8')) as ViewIndex;
    await verifyPyramid(folder, view.image);

    // Icons are neither blank nor uniform, and differ from one another (16 steps here; articles use hundreds).
    const finest = view.levels.at(-1)!;
    const cells: CellRecord[] = finest.chunks.flatMap(
      (id) => (JSON.parse(readFileSync(path.join(folder, 'cells', String(finest.size), `${id}.json`), 'utf8')) as { cells: CellRecord[] }).cells,
    );
    expect(cells.length).toBeGreaterThan(20);
    const iconFolder = path.join(root, '.atlas-cache', 'icons');
    const icons = await Promise.all(
      readdirSync(iconFolder).map((key) =>
        sharp(path.join(iconFolder, key, 'icon.png'))
          .raw()
          .toBuffer({ resolveWithObject: true }),
      ),
    );
    // One per distinct direction: a cell holding the same samples at two levels shares its icon.
    expect(icons.length).toBeGreaterThan(0.9 * manifest.results.conv_pw_13_relu.icons.total);
    for (const { data } of icons) {
      const mean = data.reduce((sum, v) => sum + v, 0) / data.length;
      const spread = Math.sqrt(data.reduce((sum, v) => sum + (v - mean) ** 2, 0) / data.length);
      expect(spread).toBeGreaterThan(8); // measured 13–20; a uniform icon has 0
    }
    const difference = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    for (let i = 1; i < icons.length; i += 7) expect(difference(icons[0]!.data, icons[i]!.data)).toBeGreaterThan(4);

    // Cells' top classes agree with the photos they were drawn from: for most cells, the class with the largest
    // mean attribution is the true class of one of the photos nearest the cell's mean (chance: about 0.5 %).
    const labels: string[] = manifest.labels;
    const truth = new Map(
      readFileSync(path.join(root, 'photos.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((row, image) => [image, row.split('","')[1]!.replace(/"$/, '')] as const),
    );
    const agree = cells.filter((cell) => cell.examples.some(([image]) => truth.get(image) === labels[cell.classes[0]![0]])).length;
    console.log(`real atlas: ${cells.length} cells at ${finest.size}², ${agree} with a top class matching a nearby photo's label`);
    expect(agree / cells.length).toBeGreaterThan(0.2); // measured 0.31 (22 of 71 cells); chance is about 0.005
  }, 600_000);
});
