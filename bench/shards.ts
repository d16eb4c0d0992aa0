/**
 * npm run bench:shards — the icons phase of a sharded build as 1, 2 and 3 shard processes at once on this machine,
 * sharing one cache folder. A reduced demo recipe; the activations and layout phases run once beforehand, and each
 * measurement starts from a copy of that cache, so every one draws the same icons. On 2 cores, more processes
 * cannot go faster than the cores allow: the table shows what sharding costs in overhead (efficiency =
 * one process's time ÷ the time with n). Writes bench/results/shards.json and the README's table.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishBenchmark } from './publish.ts';
import { demoProject } from '../tests/helpers/demo-project.ts';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('pipeline/cli/atlas.ts');
const RECIPE = `model: content/models/demo
preprocess: { size: 64, range: [0, 1] }
data: { synthetic: { seed: 7, split: test }, count: 2000 }
layers: [mixed5a]
attribution: { topK: 3, classes: [whale, shark] }
layout: { minDist: 0.5, margin: 0.02, seed: 1 }
grids: { sizes: [5, 10, 20], minCount: 5 }
icons: { size: 64, steps: 64, warmStartSteps: 16, batch: 16 }
render: { examplePixels: 0 }
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-shards-'));
const root = demoProject('project-', { bench: RECIPE }, dir);

function atlas(args: string[], cache: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args, '--root', root], { env: { ...process.env, ATLAS_CACHE_DIR: cache, ATLAS_BACKEND: 'wasm' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`atlas ${args.join(' ')} failed:\n${output.slice(-2000)}`))));
  });
}

const rows: { processes: number; icons: number; seconds: number; iconsPerSecond: number; efficiency: number }[] = [];
try {
  const base = path.join(dir, 'base-cache');
  await atlas(['build', '--shard', '1/1'], base); // phase 1, as one shard
  await atlas(['build', '--phase', 'layout'], base);
  const plan = JSON.parse(await atlas(['plan', '--json'], base)) as { phases: { phase: string; units: number }[] }[];
  const icons = plan[0]!.phases.find((p) => p.phase === 'icons')!.units;
  for (const processes of [1, 2, 3]) {
    const cache = path.join(dir, `cache-${processes}`);
    cpSync(base, cache, { recursive: true });
    const started = performance.now();
    await Promise.all(Array.from({ length: processes }, (_, i) => atlas(['build', '--shard', `${i + 1}/${processes}`], cache)));
    const seconds = (performance.now() - started) / 1000;
    const one = rows[0]?.seconds ?? seconds;
    rows.push({
      processes,
      icons,
      seconds: Number(seconds.toFixed(1)),
      iconsPerSecond: Number((icons / seconds).toFixed(2)),
      efficiency: Number((one / seconds).toFixed(2)),
    });
    console.log(JSON.stringify(rows.at(-1)));
    rmSync(cache, { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const stamp = new Date().toISOString().slice(0, 10);
const table = [
  '| shard processes at once | icons | seconds (icons phase, wall) | icons/s | speed ÷ one process |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.processes} | ${r.icons} | ${r.seconds} | ${r.iconsPerSecond} | ${r.efficiency}× |`),
].join('\n');
const block = `${stamp}, ${os.availableParallelism()} cores, one shared cache folder, a reduced demo recipe (mixed5a, 2,000 images, grids 5, 10, 20, 64-px icons at 64 / 16 steps; \`npm run bench:shards\`). Each process starts its own worker pool, so on 2 cores more processes only share the same cores: the ratio shows the overhead of sharding (process start, model loading, cache reads), not the speed-up more machines give.\n\n${table}`;
console.log(`\n${block}`);
publishBenchmark('shards', { date: stamp, cores: os.availableParallelism(), rows }, block);
