/**
 * npm run bench:layout — this project's layout (typed-array UMAP on exact neighbours) against plain umap-js
 * (its own neighbour search and optimizer, same UMAP parameters, 200 epochs) and, where `python3 -c 'import umap'` works
 * (Debian's umap-learn), umap-learn: wall time, peak memory and trustworthiness (k = 15, 500 points) on
 * clustered synthetic data of BENCH_SIZES points × 512 dimensions, one run each. umap-js is skipped above
 * BENCH_UMAPJS_MAX points (default 20,000: it takes many minutes beyond). Each run is its own process (this
 * script with `--one`, or Python), so its peak memory (the process's maximum resident set, worker threads
 * included) is its own. Writes bench/results/layout.json and the table between the bench:layout markers in
 * README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UMAP } from 'umap-js';
import { initBackend } from '../pipeline/engine/backend.ts';
import { WorkerPool } from '../pipeline/engine/pool.ts';
import { layoutActivations } from '../pipeline/stages/layout/layout.ts';
import { clipAndScale } from '../pipeline/stages/layout/scale.ts';
import { trustworthiness } from '../pipeline/stages/layout/trustworthiness.ts';
import { Random } from '../pipeline/random.ts';

const SIZES = (process.env.BENCH_SIZES ?? '10000,50000').split(',').map(Number);
const UMAPJS_MAX = Number(process.env.BENCH_UMAPJS_MAX ?? 20000);
const D = 512;
const K = 15;
const EPOCHS = 200;

function clustered(n: number): Float32Array {
  const r = new Random(n, 512);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: D }, () => gaussian() * 3));
  const data = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const centre = centres[i % 20]!;
    for (let j = 0; j < D; j++) data[i * D + j] = centre[j]! + gaussian();
  }
  return data;
}

const sampleOf = (n: number) => Array.from({ length: 500 }, (_, i) => Math.floor((i * n) / 500));
const peakMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
interface Row {
  n: number;
  implementation: string;
  seconds: number;
  peakMB: number;
  trustworthiness: number;
}

/** One implementation on one size, in this process: `tsx bench/layout.ts --one ours|umap-js N`. */
async function runOne(implementation: string, n: number): Promise<Row> {
  const data = clustered(n);
  const start = performance.now();
  if (implementation === 'ours') {
    await initBackend({ ATLAS_BACKEND: 'wasm' });
    // The neighbour search and optimization shards run on the worker pool, as `atlas build` does. Same UMAP
    // parameters as the others (15 neighbours, min_dist 0.1, 200 epochs); PCA to 50 dimensions first, as
    // recipes do by default.
    const pool = WorkerPool.create({ env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
    const params = {
      neighbors: K,
      minDist: 0.1,
      metric: 'euclidean' as const,
      pca: 50,
      epochs: EPOCHS,
      seed: 1,
      clipPercentiles: [1, 99] as [number, number],
      margin: 0.1,
    };
    const ours = await layoutActivations(data, n, D, params, undefined, pool);
    const seconds = (performance.now() - start) / 1000;
    await pool.close();
    console.error(
      `ours at ${n}: PCA ${ours.seconds.pca.toFixed(1)} s, neighbours ${ours.seconds.neighbours.toFixed(1)} s, UMAP ${ours.seconds.umap.toFixed(1)} s`,
    );
    return { n, implementation: 'atlas (this project)', seconds, peakMB: peakMB(), trustworthiness: ours.trustworthiness };
  }
  const r = new Random(1);
  const umap = new UMAP({ nComponents: 2, nNeighbors: K, minDist: 0.1, nEpochs: EPOCHS, random: () => r.next() });
  const vectors = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * D, (i + 1) * D)));
  const embedding = umap.fit(vectors);
  const raw = new Float32Array(n * 2);
  embedding.forEach(([x, y], i) => raw.set([x!, y!], i * 2));
  const seconds = (performance.now() - start) / 1000;
  await initBackend({ ATLAS_BACKEND: 'wasm' });
  return {
    n,
    implementation: 'umap-js',
    seconds,
    peakMB: peakMB(),
    trustworthiness: trustworthiness(data, D, clipAndScale(raw, [1, 99], 0.1), K, 'euclidean', sampleOf(n)),
  };
}

if (process.argv[2] === '--one') {
  console.log(JSON.stringify(await runOne(process.argv[3]!, Number(process.argv[4]))));
  process.exit(0);
}

const rows: Row[] = [];
const child = (implementation: string, n: number): Row => {
  const output = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--one', implementation, String(n)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as Row;
};
// Debian's umap-learn lives in the system Python, which may not be the first python3 on the PATH.
const python = ['python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import umap'], { stdio: 'ignore' }).status === 0);

for (const n of SIZES) {
  rows.push(child('ours', n));
  console.log(JSON.stringify(rows.at(-1)));
  if (n <= UMAPJS_MAX) {
    rows.push(child('umap-js', n));
    console.log(JSON.stringify(rows.at(-1)));
  }
  if (python) {
    const data = clustered(n);
    const folder = mkdtempSync(path.join(os.tmpdir(), 'atlas-umap-learn-'));
    writeFileSync(path.join(folder, 'data.f32'), data);
    const script = `import numpy as np, time, umap, resource\nx = np.fromfile('${folder}/data.f32', dtype=np.float32).reshape(${n}, ${D})\nt = time.time()\ny = umap.UMAP(n_neighbors=${K}, min_dist=0.1, n_epochs=${EPOCHS}, random_state=1).fit_transform(x)\nprint(time.time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\ny.astype(np.float32).tofile('${folder}/y.f32')\n`;
    const [seconds, peak] = execFileSync(python, ['-c', script], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    const y = new Float32Array(readFileSync(path.join(folder, 'y.f32')).buffer.slice(0));
    await initBackend({ ATLAS_BACKEND: 'wasm' });
    rows.push({
      n,
      implementation: 'umap-learn',
      seconds: seconds!,
      peakMB: peak!,
      trustworthiness: trustworthiness(data, D, clipAndScale(y, [1, 99], 0.1), K, 'euclidean', sampleOf(n)),
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
}

const table = [
  '| points × 512 | implementation | seconds | peak memory (MB) | trustworthiness (k = 15) |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.n} | ${r.implementation} | ${r.seconds.toFixed(1)} | ${r.peakMB} | ${r.trustworthiness.toFixed(3)} |`),
].join('\n');
console.log(`\n${table}`);
const stamp = new Date().toISOString().slice(0, 10);
writeFileSync('bench/results/layout.json.tmp', `${JSON.stringify({ date: stamp, rows }, null, 2)}\n`);
renameSync('bench/results/layout.json.tmp', 'bench/results/layout.json');
const readme = readFileSync('README.md', 'utf8');
const updated = readme.replace(
  /<!-- bench:layout:start -->[\s\S]*<!-- bench:layout:end -->/,
  `<!-- bench:layout:start -->\n${stamp}, 2 cores, one run each (\`npm run bench:layout\`; peak memory is the whole process's):\n\n${table}\n<!-- bench:layout:end -->`,
);
writeFileSync('README.md.tmp', updated);
renameSync('README.md.tmp', 'README.md');
