/**
 * `atlas build` killed (SIGKILL) in the middle of its stages, then run again, ends with the same bytes in
 * public/atlases/ as a build that was never interrupted, and leaves nothing half-written behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedTree } from '../helpers/published-tree.ts';
import { demoProject } from '../helpers/demo-project.ts';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('pipeline/cli/atlas.ts');
const env = { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_WORKERS: '2' };

const RECIPE = `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 5, split: test }, count: 400 }
layers: [mixed4b]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 10, pca: 10, seed: 3, epochs: 60 }
grids: { sizes: [4, 8], minCount: 2 }
icons: { size: 16, steps: 8, batch: 8 }
render: { examplePixels: 8 }
`;

const project = () => demoProject('atlas-interrupted-', { tiny: RECIPE });

/** Starts a build and kills it once `trigger` appears in its output, plus `delay` ms. */
function killedBuild(root: string, trigger: RegExp, delay: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [CLI, 'build', '--root', root], { env });
    let output = '';
    let armed = false;
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (!armed && trigger.test(output)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delay);
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('exit', () => resolve(output));
  });
}

describe.skipIf(!existsSync('content/models/demo/model.json'))('an interrupted build', () => {
  it('resumes after being killed mid-stage and ends with the bytes of an uninterrupted build', async () => {
    const reference = project();
    const whole = spawnSync(TSX, [CLI, 'build', '--root', reference], { env, encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);

    const interrupted = project();
    // Killed while laying out and drawing icons (after the activations), then while rendering the last view.
    const first = await killedBuild(interrupted, /tiny: activations/, 1500);
    expect(first).toMatch(/tiny: activations computed/);
    await killedBuild(interrupted, /tiny: activations/, 4000);
    const last = spawnSync(TSX, [CLI, 'build', '--root', interrupted], { env, encoding: 'utf8' });
    expect(last.status, last.stderr).toBe(0);

    const atlases = (root: string) => path.join(root, 'public', 'atlases');
    expect(readdirSync(atlases(interrupted))).toEqual(['tiny']);
    expect(publishedTree(path.join(atlases(interrupted), 'tiny'))).toEqual(publishedTree(path.join(atlases(reference), 'tiny')));
    // Nothing half-written in the cache either.
    const cache = path.join(interrupted, '.atlas-cache');
    const leftovers = readdirSync(cache, { recursive: true }).map(String).filter((name) => /\.partial-/.test(name));
    expect(leftovers).toEqual([]);
  }, 400_000);
});
