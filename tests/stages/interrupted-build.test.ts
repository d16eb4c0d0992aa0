/**
 * `atlas build` killed (SIGKILL) in the middle of each of its stages, then run again, ends with the same bytes in
 * public/atlases/ as a build that was never interrupted, and leaves nothing half-written behind. Each kill is
 * made on observed progress (ATLAS_PROGRESS_SECONDS=0 prints a line at every step), and `atlas status` then
 * confirms the stage it landed in: part of it in the cache, part still to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedTree } from '../helpers/published-tree.ts';
import { demoProject } from '../helpers/demo-project.ts';
import { ATLAS_CLI, buildKilledAt, TSX } from '../helpers/kill-build.ts';

const env = { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_WORKERS: '2', ATLAS_PROGRESS_SECONDS: '0' };

// Five chunks of images; enough epochs, icons and example crops that each stage outlasts the kill's latency.
const RECIPE = `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 5, split: test }, count: 1100 }
layers: [mixed4b]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 10, pca: 10, seed: 3, epochs: 200 }
grids: { sizes: [4, 8], minCount: 2 }
icons: { size: 16, steps: 8, batch: 8 }
render: { examplePixels: 16 }
`;

const project = () => demoProject('atlas-interrupted-', { tiny: RECIPE });
const status = (root: string) => spawnSync(TSX, [ATLAS_CLI, 'status', '--root', root], { env, encoding: 'utf8' }).stdout;
const progress = (label: string) => new RegExp(`^tiny: ${label}: (\\d+)/(\\d+) `);
/** A progress line of `label` with some but not all of its units done. */
const midway = (label: string) => (line: string) => {
  const match = progress(label).exec(line);
  return Boolean(match) && Number(match![1]) > 0 && Number(match![1]) < Number(match![2]);
};

describe.skipIf(!existsSync('content/models/demo/model.json'))('an interrupted build', () => {
  it('resumes after being killed mid-stage and ends with the bytes of an uninterrupted build', async () => {
    const reference = project();
    const whole = spawnSync(TSX, [ATLAS_CLI, 'build', '--root', reference], { env, encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);

    const root = project();
    // After the first chunk of activations: some chunks cached, some not.
    const first = await buildKilledAt(root, env, midway('activations'));
    expect(first.killedAt, first.output).toBeDefined();
    const [, missing, chunks] = /tiny: activations stale: (\d+) of (\d+) chunks to compute/.exec(status(root)) ?? [];
    expect(Number(missing)).toBeGreaterThan(0);
    expect(Number(missing)).toBeLessThan(Number(chunks));

    // Mid-layout: the activations done, the layout not in the cache.
    const second = await buildKilledAt(root, env, midway('layout of mixed4b'));
    expect(second.killedAt, second.output).toBeDefined();
    expect(status(root)).toMatch(/tiny: activations fresh\ntiny: mixed4b: stale: layout to compute/);

    // Mid-icons: the grids done, some icons drawn, some not.
    const third = await buildKilledAt(root, env, midway('icons of mixed4b'));
    expect(third.killedAt, third.output).toBeDefined();
    const [, toDraw, icons] = /grids cached; icons (\d+) of (\d+) to draw/.exec(status(root)) ?? [];
    expect(Number(toDraw)).toBeGreaterThan(0);
    expect(Number(toDraw)).toBeLessThan(Number(icons));

    // Mid-render: every icon drawn, the pyramid written, the view not yet committed.
    const fourth = await buildKilledAt(root, env, midway('render of mixed4b'));
    expect(fourth.killedAt, fourth.output).toBeDefined();
    expect(status(root)).toMatch(/icons \d+ cached; render to render/);

    const last = spawnSync(TSX, [ATLAS_CLI, 'build', '--root', root], { env, encoding: 'utf8' });
    expect(last.status, last.stderr).toBe(0);
    expect(status(root)).not.toMatch(/stale/);

    const atlases = (folder: string) => path.join(folder, 'public', 'atlases');
    expect(readdirSync(atlases(root)).filter((name) => !name.startsWith('.'))).toEqual(['tiny']);
    expect(publishedTree(path.join(atlases(root), 'tiny'))).toEqual(publishedTree(path.join(atlases(reference), 'tiny')));
    // Nothing half-written in the cache either.
    const leftovers = readdirSync(path.join(root, '.atlas-cache'), { recursive: true })
      .map(String)
      .filter((name) => /\.partial-/.test(name));
    expect(leftovers).toEqual([]);
  }, 400_000);
});
