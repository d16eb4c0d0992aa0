/**
 * The data report: images left out and labels that name no class, with paths relative to the data folder (it is
 * published with the atlas, and must not carry the building machine's paths), written before a build stops for
 * want of usable images, at a path the error names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CLASS_NAMES, drawImage } from '../../pipeline/datasets/synthetic/world.ts';
import { demoProject } from '../helpers/demo-project.ts';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('pipeline/cli/atlas.ts');
const env = { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_WORKERS: '2' };

const recipe = (neighbors: number) => `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { folder: data, count: 200 }
layers: [mixed4b]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: ${neighbors}, pca: 10, seed: 3, epochs: 40 }
grids: { sizes: [4], minCount: 2 }
icons: { size: 16, steps: 2, batch: 8 }
render: { examplePixels: 0 }
`;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A project with `perClass` good images of whale, shark and fish, two broken files, and two images labelled "zebra". */
async function project(neighbors: number, perClass: number): Promise<string> {
  const root = demoProject('atlas-data-report-', { photos: recipe(neighbors) });
  folders.push(root);
  for (const name of ['whale', 'shark', 'fish', 'zebra']) {
    mkdirSync(path.join(root, 'data', name), { recursive: true });
    const label = Math.max(0, CLASS_NAMES.indexOf(name));
    for (let k = 0; k < (name === 'zebra' ? 2 : perClass); k++) {
      const image = drawImage(5, 'test', label + CLASS_NAMES.length * k);
      await sharp(Buffer.from(image.pixels), { raw: { width: 64, height: 64, channels: 3 } })
        .png()
        .toFile(path.join(root, 'data', name, `${k}.png`));
    }
  }
  writeFileSync(path.join(root, 'data', 'whale', 'empty.png'), '');
  writeFileSync(path.join(root, 'data', 'shark', 'garbage.png'), 'not a png at all');
  return root;
}

const build = (root: string) => spawnSync(TSX, [CLI, 'build', 'content/atlases/photos.yaml'], { cwd: root, env, encoding: 'utf8' });

describe('the data report', () => {
  it('is published with paths relative to the data folder, and names labels that are no class of the model', async () => {
    const root = await project(5, 8);
    const result = build(root);
    expect(result.status, result.stderr).toBe(0);
    const file = path.join(root, 'public', 'atlases', 'photos', 'data-report.json');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(root);
    const report = JSON.parse(text) as { skipped: { file: string; reason: string }[]; unknownLabels: { label: string; images: number; examples: string[] }[] };
    expect(report.skipped.map((s) => s.file).sort()).toEqual(['shark/garbage.png', 'whale/empty.png']);
    expect(report.unknownLabels).toEqual([{ label: 'zebra', images: 2, examples: ['zebra/0.png', 'zebra/1.png'] }]);
    expect(result.stdout + result.stderr).toMatch(/2 images carry a label that is no class of the model: "zebra" \(2, e\.g\. zebra\/0\.png\)/);
  }, 120_000);

  it('is written before a build stops for want of usable images, at the path the error names', async () => {
    const root = await project(30, 3);
    const result = build(root);
    expect(result.status).not.toBe(0);
    const report = path.join('.atlas-cache', 'reports', 'photos', 'data-report.json');
    expect(result.stderr).toContain(`(2 skipped, listed in ${report})`);
    expect(existsSync(path.join(root, report))).toBe(true);
    expect(readFileSync(path.join(root, report), 'utf8')).toContain('whale/empty.png');
  }, 120_000);
});
