/**
 * Cache keys depend on content only: a project built once, then copied to another path with every file's
 * modification time changed (as `git clone` or `actions/checkout` leave them), is fresh in every stage, and its
 * build computes nothing. Editing one image makes only its chunk stale.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CLASS_NAMES, drawImage } from '../../pipeline/datasets/synthetic/world.ts';
import { modelHash } from '../../pipeline/models/identity.ts';
import { demoProject } from '../helpers/demo-project.ts';
import { CacheStore } from '../../pipeline/cache/store.ts';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('pipeline/cli/atlas.ts');
const env = { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_WORKERS: '2' };
const CLASSES = ['whale', 'shark', 'fish'];

const RECIPE = `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { folder: data, count: 90 }
layers: [mixed4b]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 10, pca: 10, seed: 3, epochs: 60 }
grids: { sizes: [4, 8], minCount: 2 }
icons: { size: 16, steps: 4, batch: 8 }
render: { examplePixels: 8 }
`;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

async function project(): Promise<string> {
  const root = demoProject('atlas-relocated-', { photos: RECIPE });
  folders.push(root);
  for (const name of CLASSES) {
    mkdirSync(path.join(root, 'data', name), { recursive: true });
    const label = CLASS_NAMES.indexOf(name);
    for (let k = 0; k < 30; k++) {
      const image = drawImage(11, 'test', label + CLASS_NAMES.length * k);
      await sharp(Buffer.from(image.pixels), { raw: { width: 64, height: 64, channels: 3 } })
        .png()
        .toFile(path.join(root, 'data', name, `${k}.png`));
    }
  }
  return root;
}

/** Sets every file's modification time to `when`. */
function touchAll(folder: string, when: Date): void {
  for (const entry of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(folder, entry);
    if (statSync(file).isFile()) utimesSync(file, when, when);
  }
}

const atlas = (root: string, ...args: string[]) => spawnSync(TSX, [CLI, ...args, '--root', root], { env, encoding: 'utf8' });

describe.skipIf(!existsSync('content/models/demo/model.json'))('a cache keyed by content', () => {
  it('stays fresh when the project moves and every file is touched; an edited image makes only its chunk stale', async () => {
    const original = await project();
    const first = atlas(original, 'build');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/photos: activations computed/);

    const moved = path.join(mkdtempSync(path.join(os.tmpdir(), 'atlas-moved-')), 'elsewhere');
    folders.push(path.dirname(moved));
    cpSync(original, moved, { recursive: true });
    touchAll(moved, new Date(Date.now() + 3_600_000));

    const status = atlas(moved, 'status');
    expect(status.status, status.stderr).toBe(0);
    const lines = status.stdout.split('\n').filter((line) => line.startsWith('photos:'));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^photos: (activations fresh|[\w.-]+: fresh:)/);

    const again = atlas(moved, 'build');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/photos: activations cached/);
    expect(again.stdout).not.toMatch(/computed (layout|grids|icons|render)/);

    // An entry no recipe reaches (say, from an older recipe) goes with cache prune; what the build uses stays.
    const cache = new CacheStore(path.join(moved, '.atlas-cache'));
    cache.write('icons', 'f'.repeat(64), { 'icon.png': 'an icon of a recipe that is gone' });
    const prune = atlas(moved, 'cache', 'prune');
    expect(prune.status, prune.stderr).toBe(0);
    expect(prune.stdout).toMatch(/cache prune: removed 1 entry no recipe reaches/);
    expect(existsSync(cache.folder('icons', 'f'.repeat(64)))).toBe(false);
    expect(atlas(moved, 'status').stdout).not.toMatch(/stale/);

    // One image's bytes change: its chunk (all 90 images fit in one) is stale, nothing else is looked at yet.
    const image = drawImage(12, 'test', CLASS_NAMES.indexOf('fish'));
    await sharp(Buffer.from(image.pixels), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toFile(path.join(moved, 'data', 'fish', '0.png'));
    const edited = atlas(moved, 'status');
    expect(edited.stdout).toMatch(/photos: activations stale: 1 of 1 chunks to compute/);
  }, 300_000);

  it('knows a model by model.json and the weight files it names, and refuses weights outside its folder', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-model-hash-'));
    folders.push(root);
    const model = path.join(root, 'model');
    cpSync('content/models/demo', model, { recursive: true });
    const before = modelHash(model);
    // Other files in the folder, and the folder's place, are not the model.
    writeFileSync(path.join(model, 'notes.txt'), 'trained on Tuesday');
    const moved = path.join(root, 'moved');
    cpSync(model, moved, { recursive: true });
    touchAll(moved, new Date(Date.now() + 60_000));
    expect(modelHash(model)).toBe(before);
    expect(modelHash(moved)).toBe(before);

    const json = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['../weights.bin'];
    writeFileSync(path.join(model, 'model.json'), JSON.stringify(json));
    expect(() => modelHash(model)).toThrow(/model\.json: the weight file "\.\.\/weights\.bin" lies outside the model folder/);
    json.weightsManifest[0]!.paths = ['shard-2.bin'];
    writeFileSync(path.join(model, 'model.json'), JSON.stringify(json));
    expect(() => modelHash(model)).toThrow(/model\.json: names the weight file "shard-2\.bin", which is missing/);
  });
});
