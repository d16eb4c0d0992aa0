/**
 * A model whose labels.json gives one name to two outputs (as ImageNet's Darknet list does with "crane"): the build
 * warns once naming the indices, shows the classes as "name (index)", and refuses a data label or recipe field
 * that says only the name, asking which is meant.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { demoProject } from '../helpers/demo-project.ts';
import { distinctLabels } from '../../pipeline/models/labels.ts';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('pipeline/cli/atlas.ts');
const recipe = (classes: string) => `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { folder: data, count: 20 }
layers: [mixed4b]
attribution: { topK: 3, classes: [${classes}] }
layout: { neighbors: 4, pca: 4, seed: 3, epochs: 10 }
grids: { sizes: [4], minCount: 1 }
icons: { size: 16, steps: 1, batch: 8 }
`;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('repeated class names', () => {
  it('shows each with its index', () => {
    expect(distinctLabels(['crane', 'kite', 'crane'])).toEqual({ names: ['crane (0)', 'kite', 'crane (2)'], duplicates: new Map([['crane', [0, 2]]]) });
  });

  it('warns once, and asks which class a data label or recipe field means', async () => {
    const root = demoProject('atlas-duplicates-', { photos: recipe('"whale (0)", shark') });
    folders.push(root);
    const labelsFile = path.join(root, 'content', 'models', 'demo', 'labels.json');
    const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as string[];
    labels[2] = 'whale';
    writeFileSync(labelsFile, JSON.stringify(labels));
    mkdirSync(path.join(root, 'data', 'whale'), { recursive: true });
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#345' } })
      .png()
      .toFile(path.join(root, 'data', 'whale', '0.png'));
    const status = () => spawnSync(TSX, [CLI, 'status'], { cwd: root, encoding: 'utf8' });

    const ambiguous = status();
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stderr).toContain(
      'content/models/demo/labels.json: the same class name is given to several outputs ("whale" at 0 and 2); the atlas shows them as "whale (0)" and "whale (2)".',
    );
    expect(ambiguous.stderr.match(/warning:/g)).toHaveLength(1);
    expect(ambiguous.stderr).toContain('error: data/whale/: the label "whale" names 2 classes of the model (0 and 2); use "whale (0)" or "whale (2)".');

    renameSync(path.join(root, 'data', 'whale'), path.join(root, 'data', 'whale (0)'));
    const chosen = status();
    expect(chosen.status, chosen.stderr).toBe(0);

    writeFileSync(path.join(root, 'content', 'atlases', 'photos.yaml'), recipe('whale, shark'));
    const field = status();
    expect(field.stderr).toContain(
      'error: content/atlases/photos.yaml: field "attribution.classes[0]": the label "whale" names 2 classes of the model (0 and 2); use "whale (0)" or "whale (2)".',
    );
  }, 60_000);
});
