/**
 * What a build may replace under public/atlases/: recipe ids that name a folder safely, recipes named by id on the
 * command line, a published folder the pipeline did not write (or a file an author put in one) refused by name
 * before anything is computed, and the atlases of deleted recipes listed by `atlas status` and removed by
 * `atlas clean --published` only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoProject } from '../helpers/demo-project.ts';
import { PUBLISHED_LISTING, ownership } from '../../pipeline/site/published-files.ts';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('pipeline/cli/atlas.ts');
const env = { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_WORKERS: '2' };
const RECIPE = `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { split: test, seed: 5 }, count: 60 }
layers: [mixed4b]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 8, pca: 10, seed: 3, epochs: 30 }
grids: { sizes: [4], minCount: 2 }
icons: { size: 16, steps: 2, batch: 8 }
render: { examplePixels: 0 }
`;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));
const atlas = (root: string, ...args: string[]) => spawnSync(TSX, [CLI, ...args], { cwd: root, env, encoding: 'utf8' });

describe('what a build may replace', () => {
  it('refuses a recipe whose file name is no id, and finds recipes by id', () => {
    const root = demoProject('atlas-ids-', { '': RECIPE, small: RECIPE });
    folders.push(root);
    const nameless = atlas(root, 'build', 'content/atlases/.yaml');
    expect(nameless.status).toBe(1);
    expect(nameless.stderr).toContain('content/atlases/.yaml: the file name gives the atlas the id ""');
    expect(existsSync(path.join(root, 'public'))).toBe(false);

    rmSync(path.join(root, 'content', 'atlases', '.yaml'));
    const unknown = atlas(root, 'status', 'smal');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('smal: neither a recipe file nor the id of a recipe in content/atlases/; the ids are small.');
    const byId = atlas(root, 'status', 'small');
    expect(byId.status, byId.stderr).toBe(0);
    expect(byId.stdout).toContain('small');
  });

  it('never deletes files it did not write, and removes atlases of deleted recipes only when asked', () => {
    const root = demoProject('atlas-published-', { small: RECIPE });
    folders.push(root);
    const built = atlas(root, 'build', 'small');
    expect(built.status, built.stderr).toBe(0);
    const published = path.join(root, 'public', 'atlases', 'small');
    expect(ownership(published)).toEqual({ ours: true, foreign: [] });
    expect(JSON.parse(readFileSync(path.join(published, PUBLISHED_LISTING), 'utf8'))).toContain('manifest.json');

    // An author's file in the published folder: the next build refuses at once and keeps it.
    writeFileSync(path.join(published, 'notes.md'), 'mine');
    const refused = atlas(root, 'build', 'small');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      'public/atlases/small/notes.md: the pipeline did not write this file and replaces public/atlases/small/ whole; move it out of that folder.',
    );
    expect(readFileSync(path.join(published, 'notes.md'), 'utf8')).toBe('mine');
    rmSync(path.join(published, 'notes.md'));

    // A folder the pipeline never wrote, where a recipe would publish.
    mkdirSync(path.join(root, 'public', 'atlases', 'hand'), { recursive: true });
    writeFileSync(path.join(root, 'public', 'atlases', 'hand', 'index.json'), '{}');
    writeFileSync(path.join(root, 'content', 'atlases', 'hand.yaml'), RECIPE);
    const foreign = atlas(root, 'build', 'hand');
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain('public/atlases/hand/: the pipeline did not write this folder and would replace it');
    rmSync(path.join(root, 'content', 'atlases', 'hand.yaml'));

    // The recipe goes: its atlas stays published, status says so, clean --published removes it (and not "hand").
    renameSync(path.join(root, 'content', 'atlases', 'small.yaml'), path.join(root, 'small.yaml.bak'));
    writeFileSync(path.join(root, 'content', 'atlases', 'other.yaml'), RECIPE);
    const status = atlas(root, 'status');
    expect(status.stdout).toContain('small: published in public/atlases/small/, but content/atlases/ has no recipe small; atlas clean --published removes it');
    const refusedClean = atlas(root, 'clean', '--published');
    expect(refusedClean.status).toBe(1);
    expect(refusedClean.stderr).toContain('public/atlases/hand/: the pipeline did not write this folder');
    expect(existsSync(published)).toBe(true);
    rmSync(path.join(root, 'public', 'atlases', 'hand'), { recursive: true });
    const clean = atlas(root, 'clean', '--published');
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('removed public/atlases/small/ (no recipe)');
    expect(existsSync(published)).toBe(false);
  }, 120_000);
});
