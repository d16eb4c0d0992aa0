/**
 * npm run bench:build — what a newcomer waits for. Clones the repository's committed HEAD into a temporary
 * folder and times, there: `npm ci`, the first `npm run build` (the whole pipeline from nothing, then Astro),
 * and a second `npm run build` with nothing changed (every stage cached). The first build's pipeline stages are
 * read from the manifests it publishes. Writes bench/results/build.json and the table between the bench:build
 * markers in README.md. Uncommitted changes are not measured: commit first.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishBenchmark } from './publish.ts';

const BUDGET = { firstBuild: 15 * 60, secondBuild: 90 };
const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-build-'));
const clone = path.join(dir, 'clone');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();

/** Runs a command in the clone, its output going to a log (shown when it fails), and returns its seconds. */
function timed(label: string, command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const log: Buffer[] = [];
    const child = spawn(command, args, { cwd: clone, env: { ...process.env, CI: '1' } });
    child.stdout.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - start) / 1000;
      if (code === 0) {
        console.log(`${label}: ${seconds.toFixed(1)} s`);
        resolve(seconds);
      } else {
        process.stderr.write(Buffer.concat(log).toString().slice(-4000));
        reject(new Error(`${label} failed (exit ${code}) in ${clone}`));
      }
    });
  });
}

type Stage = { stage: string; view?: string; seconds: number };
function pipelineStages(): { stage: string; seconds: number }[] {
  const totals = new Map<string, number>();
  const atlases = path.join(clone, 'public', 'atlases');
  for (const id of readdirSync(atlases)) {
    const manifest = JSON.parse(readFileSync(path.join(atlases, id, 'manifest.json'), 'utf8')) as { stages: Stage[] };
    for (const s of manifest.stages) {
      const name = s.stage === 'view' ? 'views: layout, grids, icons, tiles' : s.stage;
      totals.set(name, (totals.get(name) ?? 0) + s.seconds);
    }
  }
  return [...totals].map(([stage, seconds]) => ({ stage, seconds }));
}

/**
 * Whether the clone drew what this checkout drew: the render key of every view (a hash of its grids, icons' bytes
 * and settings) against public/atlases/ here, when this checkout has built the same recipes.
 */
function sameAsThisCheckout(): string {
  const atlases = path.join(clone, 'public', 'atlases');
  const differ: string[] = [];
  let compared = 0;
  for (const id of readdirSync(atlases)) {
    const local = path.join('public', 'atlases', id, 'manifest.json');
    if (!existsSync(local)) continue;
    type Manifest = { recipe: { sha256: string }; results: Record<string, { render: { key: string } }> };
    const [theirs, ours] = [path.join(atlases, id, 'manifest.json'), local].map((file) => JSON.parse(readFileSync(file, 'utf8')) as Manifest);
    if (theirs!.recipe.sha256 !== ours!.recipe.sha256) continue;
    for (const [view, result] of Object.entries(theirs!.results)) {
      compared++;
      if (ours!.results[view]?.render.key !== result.render.key) differ.push(`${id}/${view}`);
    }
  }
  if (!compared) return 'not compared (build this checkout first)';
  return differ.length ? `**no**: ${differ.join(', ')} differ` : `yes, all ${compared} views`;
}

let result;
try {
  execFileSync('git', ['clone', '--quiet', path.resolve('.'), clone]);
  const install = await timed('npm ci', 'npm', ['ci', '--no-audit', '--no-fund']);
  const first = await timed('first npm run build', 'npm', ['run', 'build']);
  const stages = pipelineStages();
  const sameViews = sameAsThisCheckout();
  console.log(`same views as this checkout: ${sameViews}`);
  const second = await timed('second npm run build', 'npm', ['run', 'build']);
  const pages = readdirSync(path.join(clone, 'dist')).filter((entry) => existsSync(path.join(clone, 'dist', entry, 'index.html')));
  result = { date: new Date().toISOString().slice(0, 10), commit, cores: os.cpus().length, install, first, second, stages, pages, sameViews, budget: BUDGET };
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const minutes = (s: number) => `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
const within = (s: number, budget: number) => (s <= budget ? `yes (≤ ${minutes(budget)})` : `**no** (> ${minutes(budget)})`);
const table = [
  '| step | wall time | within budget |',
  '|---|---|---|',
  `| \`npm ci\` | ${minutes(result.install)} | |`,
  `| first \`npm run build\` (pipeline from nothing, then Astro) | ${minutes(result.first)} | ${within(result.first, BUDGET.firstBuild)} |`,
  ...result.stages.map((s) => `| &nbsp;&nbsp;pipeline: ${s.stage} | ${minutes(s.seconds)} | |`),
  `| second \`npm run build\`, nothing changed | ${minutes(result.second)} | ${within(result.second, BUDGET.secondBuild)} |`,
].join('\n');
const together = result.install + result.first;
console.log(`\n${table}`);
publishBenchmark(
  'build',
  result,
  `${result.date}, commit ${commit}, ${result.cores} cores, one run on a fresh clone (\`npm run bench:build\`; pages built: ${result.pages.join(', ')}). \`npm ci\` and the first build together: ${minutes(together)}, ${within(together, BUDGET.firstBuild)}. The clone drew the same views as this checkout (render keys): ${result.sameViews}.\n\n${table}`,
);
