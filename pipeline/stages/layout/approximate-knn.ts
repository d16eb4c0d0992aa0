/**
 * The approximate neighbour search (nn-descent.ts) run phase by phase, on the worker pool when there is one.
 * Results never depend on the pool's size: every job writes its own rows, and ranges only split the work.
 */
import { tasksOf, type WorkerPool } from '../../engine/pool.ts';
import { normalizeRows, type Metric, type Neighbours } from './knn.ts';
import {
  applyUpdates,
  buildTree,
  createArena,
  createState,
  finishRows,
  initializeRows,
  localJoin,
  retireSampled,
  sampleCandidates,
  type RpTree,
} from './nn-descent.ts';

const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url));

export interface DescentSettings {
  trees: number;
  leafSize: number;
  candidates: number;
  maxIterations: number;
  /** Stop when fewer than this fraction of the n·k entries changed in an iteration. */
  delta: number;
}

/**
 * Chosen on 50,000 of the demo's mixed5a samples (PCA to 50, cosine), against the exact search: recall@15 0.998
 * with 15 neighbours (3.7 s against 13.1 s) and 0.9998 with 50 (12.3 s against 14.2 s). Eight trees or 24
 * candidates gained under 0.001 of recall for half as much time again.
 */
export function descentSettings(k: number): DescentSettings {
  return { trees: 4, leafSize: 32, candidates: Math.min(k, 12), maxIterations: 12, delta: 0.001 };
}

/** Points per job for phases split into blocks, and blocks joined before their updates are applied. */
const BLOCK = 8192;
const BLOCKS_PER_BATCH = 16;
/** Points whose joins' proposals the arena holds at once (for the memory estimate). */
export const DESCENT_BATCH_POINTS = BLOCK * BLOCKS_PER_BATCH;

export interface DescentReport {
  iterations: number;
  /** Entries changed in each iteration. */
  changes: number[];
}

export async function approximateKnn(
  data: Float32Array,
  n: number,
  d: number,
  k: number,
  metric: Metric,
  seed: number,
  pool?: WorkerPool,
  settings: DescentSettings = descentSettings(k),
): Promise<Neighbours & { report: DescentReport }> {
  const cosine = metric === 'cosine';
  const state = createState(cosine ? normalizeRows(data, n, d) : data, n, d, k, cosine, seed, settings.candidates);
  const blocks = ranges(n, Math.ceil(n / BLOCK));
  const arena = createArena(Math.min(BLOCKS_PER_BATCH, blocks.length), Math.max(...blocks.map(({ start, end }) => end - start)), settings.candidates);
  // Phases that scan every row for their own points' entries run as one range per thread.
  const owners = ranges(n, pool?.size ?? 1);

  const trees: RpTree[] = await Promise.all(
    Array.from({ length: settings.trees }, (_, tree) => {
      const input = { rows: state.rows, n, d, cosine, seed, tree, leafSize: settings.leafSize };
      return pool ? pool.call(tasks.nnBuildTree, input) : buildTree(input);
    }),
  );
  await each(blocks, (range) => (pool ? pool.call(tasks.nnInitializeRows, { state, trees, ...range }) : initializeRows({ state, trees, ...range })));

  const changes: number[] = [];
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    await each(owners, (range) =>
      pool ? pool.call(tasks.nnSampleCandidates, { state, iteration, ...range }) : sampleCandidates({ state, iteration, ...range }),
    );
    await each(blocks, (range) => (pool ? pool.call(tasks.nnRetireSampled, { state, ...range }) : retireSampled({ state, ...range })));
    // Joins and their updates a batch of blocks at a time, each join in its slot of the arena: later batches
    // start from the rows earlier ones improved, and one iteration's proposals never sit in memory all at once.
    let changed = 0;
    for (let first = 0; first < blocks.length; first += BLOCKS_PER_BATCH) {
      const batch = blocks.slice(first, first + BLOCKS_PER_BATCH);
      const counts = await Promise.all(
        batch.map((range, slot) => (pool ? pool.call(tasks.nnLocalJoin, { state, arena, slot, ...range }) : localJoin({ state, arena, slot, ...range }))),
      );
      const applied = await each(owners, (range) =>
        pool ? pool.call(tasks.nnApplyUpdates, { state, arena, counts, ...range }) : applyUpdates({ state, arena, counts, ...range }),
      );
      changed += applied.reduce((sum, value) => sum + value, 0);
    }
    changes.push(changed);
    if (changes.at(-1)! < settings.delta * n * k) break;
  }

  const indices = new Int32Array(new SharedArrayBuffer(n * k * 4));
  const distances = new Float32Array(new SharedArrayBuffer(n * k * 4));
  await each(blocks, (range) =>
    pool ? pool.call(tasks.nnFinishRows, { state, indices, distances, ...range }) : finishRows({ state, indices, distances, ...range }),
  );
  return { k, indices, distances, report: { iterations: changes.length, changes } };
}

function ranges(n: number, parts: number): { start: number; end: number }[] {
  return Array.from({ length: parts }, (_, p) => ({ start: Math.floor((p * n) / parts), end: Math.floor(((p + 1) * n) / parts) }));
}

/** Runs a job per range, all at once on a pool (one at a time without); results in range order. */
async function each<T>(list: { start: number; end: number }[], job: (range: { start: number; end: number }) => Promise<T> | T): Promise<T[]> {
  return Promise.all(list.map((range) => job(range)));
}
