/**
 * npm run test:kill — the demo build killed (SIGKILL) at 20 random points spread over its whole run, each time
 * resumed, and its published atlas compared, file by file, with a build that was never interrupted.
 *
 * A reference build runs first, printing a line at every progress step (ATLAS_PROGRESS_SECONDS=0). The 20 kill
 * points are drawn from its timeline, one in each twentieth of its wall time (seeded: ATLAS_KILL_SEED, default
 * 1): the progress line nearest after that moment, e.g. "demo: icons of mixed4b: 150/272". Then one project
 * builds again and again from its own cache, each run killed at the first line at or past the next point (the
 * same stage with as much done, or a later stage); `atlas status` names what each kill left to do. A last run
 * finishes the build. Outcome: every kill landed and was resumed, nothing half-written is left, and every
 * published byte equals the reference's (manifest.json without its timings).
 *
 * It takes about two demo builds (some 30 min on 2 cores), so it is kept out of `npm test`. Writes
 * bench/results/kill.json and the table in the README.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Random } from '../../pipeline/random.ts';
import { publishBenchmark } from '../../bench/publish.ts';
import { publishedTree } from '../helpers/published-tree.ts';
import { ATLAS_CLI, buildKilledAt, TSX } from '../helpers/kill-build.ts';

const POINTS = Number(process.env.ATLAS_KILL_POINTS ?? 20);
const SEED = Number(process.env.ATLAS_KILL_SEED ?? 1);
const RECIPE = 'demo';
const env = { ...process.env, ATLAS_BACKEND: process.env.ATLAS_BACKEND ?? 'wasm', ATLAS_PROGRESS_SECONDS: '0' };

/** "demo: icons of mixed4b: 150/272 icons, …" → the step's label and count. */
const STEP = /^([^:]+: [^:]+): (\d+)\/(\d+) /;
interface Step {
  label: string;
  done: number;
  total: number;
  line: string;
  /** Milliseconds since the build started. */
  at: number;
}

/** A throwaway copy of the example project: its content (recipes, models, articles), no cache, nothing published. */
function project(parent: string, name: string): string {
  const root = path.join(parent, name);
  cpSync('content', path.join(root, 'content'), { recursive: true });
  for (const recipe of readdirSync(path.join(root, 'content', 'atlases')))
    if (!recipe.startsWith(`${RECIPE}.`)) rmSync(path.join(root, 'content', 'atlases', recipe));
  return root;
}

/** The reference build, with the moment of each progress step. */
async function timeline(root: string): Promise<Step[]> {
  const started = performance.now();
  const steps: Step[] = [];
  const run = await buildKilledAt(root, env, (line) => {
    const match = STEP.exec(line);
    if (match) steps.push({ label: match[1]!, done: Number(match[2]), total: Number(match[3]), line: line.split(',')[0]!, at: performance.now() - started });
    return false;
  });
  if (run.code !== 0) throw new Error(`the reference build failed:\n${run.output.slice(-3000)}`);
  return steps;
}

/** One point in each POINTS-th of the build's wall time, at a random moment within it. */
function killPoints(steps: Step[]): Step[] {
  const random = new Random(SEED);
  const end = steps.at(-1)!.at;
  const points: Step[] = [];
  for (let i = 0; i < POINTS; i++) {
    const moment = ((i + random.next()) / POINTS) * end;
    const step = steps.find((s) => s.at >= moment && !points.includes(s)) ?? [...steps].reverse().find((s) => !points.includes(s))!;
    points.push(step);
  }
  return points.sort((a, b) => steps.indexOf(a) - steps.indexOf(b));
}

/** Whether a run's progress line is at or past a point of the reference's timeline. */
function pastPoint(point: Step, order: string[]) {
  return (line: string) => {
    const match = STEP.exec(line);
    if (!match) return false;
    const [label, done] = [match[1]!, Number(match[2])];
    if (label === point.label) return done >= point.done;
    return order.indexOf(label) > order.indexOf(point.label);
  };
}

const status = (root: string) => spawnSync(TSX, [ATLAS_CLI, 'status', '--root', root], { env, encoding: 'utf8' }).stdout;
/** The first thing `atlas status` says is still to compute (not only to publish): where the kill landed. */
const leftToDo = (text: string) =>
  text
    .split('\n')
    .find((line) => /stale/.test(line) && /to compute|to draw|to render|after the/.test(line))
    ?.replace(/^[^:]+: /, '') ?? 'only publishing';

const dir = path.join(os.tmpdir(), `atlas-kill-${process.pid}`);
const rows: { point: number; killedAt: string; leftToDo: string; landed: boolean }[] = [];
let outcome: { recovered: number; identical: boolean; leftovers: string[]; differing: string[] };
const started = performance.now();
try {
  const reference = project(dir, 'reference');
  console.log('reference build …');
  const steps = await timeline(reference);
  const order = [...new Set(steps.map((s) => s.label))];
  const points = killPoints(steps);
  console.log(
    `reference: ${steps.length} progress steps over ${(steps.at(-1)!.at / 60_000).toFixed(1)} min; kill points (seed ${SEED}): ${points.map((p) => `${p.label} ${p.done}/${p.total}`).join('; ')}`,
  );

  const root = project(dir, 'interrupted');
  for (const [i, point] of points.entries()) {
    const run = await buildKilledAt(root, env, pastPoint(point, order));
    const failed = run.killedAt === undefined && run.code !== 0;
    if (failed) throw new Error(`run ${i + 1} failed before its kill point:\n${run.output.slice(-3000)}`);
    const row = { point: i + 1, killedAt: run.killedAt ?? '(the build ended first)', leftToDo: leftToDo(status(root)), landed: run.killedAt !== undefined };
    rows.push(row);
    console.log(`${row.point}. killed at "${row.killedAt}"; left to do: ${row.leftToDo}`);
  }
  const last = spawnSync(TSX, [ATLAS_CLI, 'build', '--root', root], { env, encoding: 'utf8' });
  if (last.status !== 0) throw new Error(`the last build failed:\n${(last.stdout + last.stderr).slice(-3000)}`);

  const [expected, actual] = [reference, root].map((folder) => publishedTree(path.join(folder, 'public', 'atlases', RECIPE)));
  const differing = [...new Set([...Object.keys(expected!), ...Object.keys(actual!)])].filter((file) => expected![file] !== actual![file]);
  const leftovers = [path.join(root, '.atlas-cache'), path.join(root, 'public', 'atlases')].flatMap((folder) =>
    readdirSync(folder, { recursive: true })
      .map(String)
      .filter((name) => /\.(partial|previous)-/.test(name)),
  );
  const identical = differing.length === 0;
  outcome = { recovered: identical && !leftovers.length ? rows.filter((r) => r.landed).length : 0, identical, leftovers, differing: differing.slice(0, 20) };
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const minutes = ((performance.now() - started) / 60_000).toFixed(0);
const stamp = new Date().toISOString().slice(0, 10);
const table = [
  '| # | killed at (progress line) | what `atlas status` then had left to do |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.point} | ${r.killedAt} | ${r.leftToDo.replace(/\|/g, '\\|')} |`),
].join('\n');
const verdict = `**${outcome.recovered} of ${POINTS} kill points recovered, ${outcome.identical ? 'byte-identical' : `NOT identical (${outcome.differing.join(', ')})`}**${outcome.leftovers.length ? `; left half-written: ${outcome.leftovers.join(', ')}` : ', nothing half-written left'}.`;
const block = `${stamp}, ${os.availableParallelism()} cores, the demo recipe killed at ${POINTS} points spread over its build (seed ${SEED}; \`npm run test:kill\`, ${minutes} min): ${verdict}\n\n${table}`;
console.log(`\n${block}`);
publishBenchmark('kill', { date: stamp, seed: SEED, points: rows, outcome }, block);
process.exit(outcome.recovered === POINTS && outcome.identical ? 0 : 1);
