/**
 * A sharded build: three shard processes at once against one cache folder, for the activations and for the
 * icons, with the layout phase between and a plain build last, publishes the bytes of a single-process build —
 * also when one shard is killed mid-phase and run again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedTree } from '../helpers/published-tree.ts';
import { demoProject } from '../helpers/demo-project.ts';
import { ATLAS_CLI, buildKilledAt, TSX } from '../helpers/kill-build.ts';

const CLI = ATLAS_CLI;
// One worker each: three shards share the two cores.
const env = { ...process.env, ATLAS_BACKEND: 'wasm', ATLAS_WORKERS: '1' };

const RECIPE = `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 5, split: test }, count: 700 }
layers: [mixed4b]
attribution: { topK: 3, classes: [whale, shark] }
layout: { neighbors: 10, pca: 10, seed: 3, epochs: 60 }
grids: { sizes: [4, 8], minCount: 2 }
icons: { size: 16, steps: 8, batch: 4 }
render: { examplePixels: 8 }
neurons:
  - { id: channel-3, layer: mixed4b, channels: [3], steps: 8 }
activationGrids:
  - { id: one-image, layer: mixed4b, image: 3, steps: 4 }
`;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function project(): string {
  const root = demoProject('atlas-sharded-', { tiny: RECIPE });
  folders.push(root);
  return root;
}

/** Runs `atlas build …` in `root`; with `killOn`, kills it (its whole process group) once that appears in its output. */
async function atlas(root: string, args: string[], extraEnv: Record<string, string> = {}, killOn?: RegExp): Promise<{ code: number | null; output: string }> {
  const { code, output } = await buildKilledAt(root, { ...env, ...extraEnv }, (line) => Boolean(killOn?.test(line)), args);
  return { code, output };
}

const shards = (root: string, cache: string) => Promise.all([1, 2, 3].map((i) => atlas(root, ['--shard', `${i}/3`], { ATLAS_CACHE_DIR: cache })));

describe.skipIf(!existsSync('content/models/demo/model.json'))('a sharded build', () => {
  it('publishes the bytes of a single-process build, also after a shard was killed', async () => {
    const reference = project();
    const whole = spawnSync(TSX, [CLI, 'build', '--root', reference], { env, encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);
    const expected = publishedTree(path.join(reference, 'public', 'atlases', 'tiny'));

    for (const killOne of [false, true]) {
      const root = project();
      const cache = path.join(mkdtempSync(path.join(os.tmpdir(), 'atlas-shared-cache-')), 'cache');
      folders.push(path.dirname(cache));
      // Phase 1: activations, three processes at once on one cache folder.
      const first = await shards(root, cache);
      for (const run of first) expect(run.code, run.output).toBe(0);
      expect(first.map((run) => run.output).join('\n')).toMatch(/shard \d\/3: activations done/);
      // Icons before the layout exists: the phase to run first is named.
      const early = await atlas(root, ['--shard', '1/3'], { ATLAS_CACHE_DIR: cache });
      if (!/activations done/.test(early.output)) expect(early.output).toMatch(/run the layout phase first \(atlas build --phase layout\)/);
      // Phase 2: layout and grids, one job.
      const layout = await atlas(root, ['--phase', 'layout'], { ATLAS_CACHE_DIR: cache });
      expect(layout.code, layout.output).toBe(0);
      expect(layout.output).toMatch(/layout phase done/);
      // What an orchestrator reads: every chunk done, the icons counted, none drawn yet.
      const plan = spawnSync(TSX, [CLI, 'plan', '--json', '--root', root], { env: { ...env, ATLAS_CACHE_DIR: cache }, encoding: 'utf8' });
      const [phases] = JSON.parse(plan.stdout) as { phases: { phase: string; units: number | null; done: number | null }[] }[];
      const byName = Object.fromEntries(phases!.phases.map((p) => [p.phase, p]));
      expect(byName.activations!.done).toBe(byName.activations!.units);
      expect(byName.layout).toMatchObject({ units: 1, done: 1 });
      expect(byName.icons!.units).toBeGreaterThan(10);
      if (!killOne) expect(byName.icons!.done).toBe(0);
      // Phase 3: icons, sharded; one shard killed as its first icons land, then run again.
      if (killOne) {
        const killed = await atlas(root, ['--shard', '2/3'], { ATLAS_CACHE_DIR: cache, ATLAS_PROGRESS_SECONDS: '0.2' }, /icons of/);
        // (A shard whose share of icons was too small to report progress ends on its own.)
        if (/icons of/.test(killed.output)) expect(killed.code).not.toBe(0);
      }
      const third = await shards(root, cache);
      for (const run of third) expect(run.code, run.output).toBe(0);
      // Phase 4: a plain build renders and publishes, drawing no icon itself.
      const last = await atlas(root, [], { ATLAS_CACHE_DIR: cache });
      expect(last.code, last.output).toBe(0);
      expect(last.output).toMatch(/icons 0\/\d+ rendered/);
      // The figures' icons were the shards' too.
      expect(last.output).toMatch(/neurons channel-3: 0 of 1 rendered/);
      expect(publishedTree(path.join(root, 'public', 'atlases', 'tiny'))).toEqual(expected);
    }
  }, 600_000);

  it('refuses a shard that is not one, in one sentence', () => {
    const root = project();
    for (const [args, extra, message] of [
      [['--shard', '3/2'], {}, /--shard "3\/2" is not a shard: write i\/n with 1 ≤ i ≤ n/],
      [['--shard', 'x'], {}, /--shard "x" is not a shard/],
      [[], { JOB_COMPLETION_INDEX: '0' }, /JOB_COMPLETION_INDEX is set but ATLAS_SHARDS is not/],
      [['--phase', 'icons'], {}, /--phase "icons" is not a phase to run alone/],
    ] as const) {
      const run = spawnSync(TSX, [CLI, 'build', '--root', root, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
