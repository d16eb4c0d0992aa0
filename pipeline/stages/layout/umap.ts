/**
 * UMAP's graph and its layout optimization, on typed arrays. umap-js is the reference (see the tests and
 * `npm run bench:layout`); it keeps the graph in a JavaScript Map and vectors as arrays of arrays, which made a
 * 20,000-point layout take minutes and caps it near 8 M edges. The algorithm is McInnes et al.'s, as in
 * umap-learn: smooth kNN distances to a fuzzy graph, fuzzy union, then stochastic gradient descent with
 * negative sampling.
 */
import { findABParams } from 'umap-js/dist/umap.js';
import { Random } from '../../random.ts';

export interface Graph {
  heads: Int32Array;
  tails: Int32Array;
  weights: Float32Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** Fuzzy simplicial set from k nearest neighbours (self excluded), symmetrized by fuzzy union. */
export function fuzzyGraph(indices: Int32Array, distances: Float32Array, n: number, k: number): Graph {
  const target = Math.log2(k);
  const weights = new Float32Array(n * k);
  let meanDistance = 0;
  for (let i = 0; i < distances.length; i++) meanDistance += distances[i]! / distances.length;
  for (let i = 0; i < n; i++) {
    const row = distances.subarray(i * k, (i + 1) * k);
    let rho = 0;
    for (const d of row)
      if (d > 0) {
        rho = d;
        break;
      }
    let [low, high, sigma] = [0, Infinity, 1];
    for (let iteration = 0; iteration < 64; iteration++) {
      let sum = 0;
      for (const d of row) sum += d - rho > 0 ? Math.exp(-(d - rho) / sigma) : 1;
      if (Math.abs(sum - target) < SMOOTH_K_TOLERANCE) break;
      if (sum > target) [high, sigma] = [sigma, (low + sigma) / 2];
      else [low, sigma] = [sigma, high === Infinity ? sigma * 2 : (sigma + high) / 2];
    }
    let rowMean = 0;
    for (const d of row) rowMean += d / k;
    sigma = Math.max(sigma, MIN_K_DIST_SCALE * (rho > 0 ? rowMean : meanDistance));
    for (let j = 0; j < k; j++) weights[i * k + j] = row[j]! - rho <= 0 ? 1 : Math.exp(-(row[j]! - rho) / sigma);
  }

  // Fuzzy union w + wᵀ − w∘wᵀ. Rows sorted by neighbour index, so the reverse weight is a binary search.
  // (An insertion sort in place: a row's neighbours are distinct, so the order is the one any sort gives.)
  const order = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    for (let j = 0; j < k; j++) {
      const e = base + j;
      let at = j;
      while (at > 0 && indices[order[base + at - 1]!]! > indices[e]!) {
        order[base + at] = order[base + at - 1]!;
        at--;
      }
      order[base + at] = e;
    }
  }
  const reverse = (i: number, j: number): number => {
    let [low, high] = [j * k, j * k + k - 1];
    while (low <= high) {
      const middle = (low + high) >> 1;
      const neighbour = indices[order[middle]!]!;
      if (neighbour === i) return weights[order[middle]!]!;
      if (neighbour < i) low = middle + 1;
      else high = middle - 1;
    }
    return 0;
  };
  // Typed arrays sized by a first pass (JavaScript arrays of 75 M edges at a million points took gigabytes more).
  let count = n * k;
  for (let e = 0; e < n * k; e++) if (reverse(Math.floor(e / k), indices[e]!) === 0) count++;
  const heads = new Int32Array(count);
  const tails = new Int32Array(count);
  const combined = new Float32Array(count);
  let edge = 0;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const e = order[i * k + t]!;
      const j = indices[e]!;
      const w = weights[e]!;
      const back = reverse(i, j);
      const value = w + back - w * back;
      heads[edge] = i;
      tails[edge] = j;
      combined[edge++] = value;
      // The pair from j's side, when i is not among j's neighbours, so the graph is symmetric.
      if (back === 0) {
        heads[edge] = j;
        tails[edge] = i;
        combined[edge++] = value;
      }
    }
  }
  return { heads, tails, weights: combined };
}

export interface OptimizeOptions {
  minDist: number;
  epochs: number;
  random: Random;
  negativeSampleRate?: number;
  /** 2 (default) or 1: a 1-D layout keeps every second coordinate at 0, where the optimization never moves it. */
  dimensions?: 1 | 2;
}

const clip = (value: number) => (value > 4 ? 4 : value < -4 ? -4 : value);

// x^b for x > 0 without Math.pow, which cost ~90 ns a call here and took most of the layout's time (the
// optimization makes two per sample: ~425 M for 50k points). 2^(b·log2 x) from the float's exponent and mantissa:
// log by the atanh series on [√½, √2), exp2 by its Taylor series on [−½, ½]; relative error < 1e-9.
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the exponent's word (little-endian: 1)
export function fastPow(x: number, b: number): number {
  bits[0] = x;
  const high = words[HIGH]!;
  let exponent = ((high >>> 20) & 0x7ff) - 1023;
  words[HIGH] = (high & 0x000fffff) | 0x3ff00000;
  let m = bits[0]!;
  if (m > Math.SQRT2) {
    m *= 0.5;
    exponent += 1;
  }
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  const lnM = 2 * t * (1 + t2 * (1 / 3 + t2 * (1 / 5 + t2 * (1 / 7 + t2 * (1 / 9 + t2 / 11)))));
  const y = b * (exponent + lnM * Math.LOG2E);
  const k = Math.round(y);
  const r = (y - k) * Math.LN2;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r / 40320)))))));
  if (k < -1022 || k > 1023) return Math.pow(x, b);
  words[1 - HIGH] = 0;
  words[HIGH] = (k + 1023) << 20;
  return p * bits[0]!;
}

/**
 * Everything the optimization reads and writes, in shared memory so worker threads can run shards of it.
 * Edges are split into SHARDS contiguous ranges of head points. Each epoch every shard runs umap-learn's
 * sequential SGD on its own edges against a private copy of the positions at the start of the epoch, and the
 * shards' moves are then added in shard order. The result depends on the shard count, never on how many
 * threads run the shards (one thread runs them in turn and gets the same bytes).
 */
export interface LayoutPlan {
  n: number;
  epochs: number;
  a: number;
  b: number;
  negativeRate: number;
  seed: number;
  /** Edge index where each shard starts, and the end: [SHARDS + 1]. */
  shardStarts: Int32Array;
  heads: Int32Array;
  tails: Int32Array;
  perSample: Float64Array;
  nextSample: Float64Array;
  /** (The negative-sampling period is perSample / negativeRate, computed where it is used.) */
  nextNegative: Float64Array;
  /** [n, 2] positions. */
  positions: Float64Array;
  /** [SHARDS, n, 2] each shard's move in the current epoch. */
  moves: Float64Array;
}

/** Shards per epoch: up to this many threads help; each shard sees the others' moves one epoch late. */
export const SHARDS = 4;

const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));

export function planLayout(graph: Graph, n: number, options: OptimizeOptions): LayoutPlan {
  const { a, b } = findABParams(1, options.minDist);
  const negativeRate = options.negativeSampleRate ?? 5;
  const epochs = options.epochs;
  let maxWeight = 0;
  for (const w of graph.weights) maxWeight = Math.max(maxWeight, w);
  // Edges too weak to be sampled even once are dropped, as umap-learn does; the rest ordered by head point
  // (a counting sort, stable, so edges of one head keep their order).
  const floor = maxWeight / epochs;
  const starts = new Int32Array(n + 1);
  for (let e = 0; e < graph.weights.length; e++) if (graph.weights[e]! >= floor) starts[graph.heads[e]! + 1]!++;
  for (let i = 0; i < n; i++) starts[i + 1]! += starts[i]!;
  const m = starts[n]!;
  const doubles = (length: number) => new Float64Array(shared(length * 8));
  const heads = new Int32Array(shared(m * 4));
  const tails = new Int32Array(shared(m * 4));
  const perSample = doubles(m);
  for (let e = 0; e < graph.weights.length; e++) {
    const w = graph.weights[e]!;
    if (w < floor) continue;
    const at = starts[graph.heads[e]!]!++;
    heads[at] = graph.heads[e]! * 2;
    tails[at] = graph.tails[e]! * 2;
    perSample[at] = maxWeight / w;
  }
  const nextSample = doubles(m);
  nextSample.set(perSample);
  const nextNegative = doubles(m);
  for (let e = 0; e < m; e++) nextNegative[e] = perSample[e]! / negativeRate;
  const ints = (values: ArrayLike<number>) => {
    const out = new Int32Array(shared(values.length * 4));
    out.set(values);
    return out;
  };
  const shardStarts = ints(Array.from({ length: SHARDS + 1 }, () => 0));
  for (let shard = 1; shard < SHARDS; shard++) {
    const firstPoint = Math.floor((shard * n) / SHARDS) * 2;
    let edge = shardStarts[shard - 1]!;
    while (edge < m && heads[edge]! < firstPoint) edge++;
    shardStarts[shard] = edge;
  }
  shardStarts[SHARDS] = m;
  const positions = doubles(n * 2);
  for (let i = 0; i < positions.length; i++) positions[i] = options.dimensions === 1 && i % 2 ? 0 : options.random.range(-10, 10);
  const seed = Math.floor(options.random.next() * 2 ** 31);
  return {
    n,
    epochs,
    a,
    b,
    negativeRate,
    seed,
    shardStarts,
    heads,
    tails,
    perSample,
    nextSample,
    nextNegative,
    positions,
    moves: doubles(SHARDS * n * 2),
  };
}

// The shard's private positions: one buffer per thread, reused every epoch (a fresh 16 MB array per shard and
// epoch at a million points left the threads' memory to the garbage collector).
let scratch = new Float64Array(0);
function scratchFor(length: number): Float64Array {
  if (scratch.length !== length) scratch = new Float64Array(length);
  return scratch;
}

/** One shard's edges for one epoch (umap-learn's optimize_layout_euclidean, move_other = true). */
export function runShardEpoch(plan: LayoutPlan, shard: number, epoch: number): void {
  const { n, a, b, heads, tails, perSample, nextSample, nextNegative, negativeRate } = plan;
  const y = scratchFor(plan.positions.length);
  y.set(plan.positions);
  const random = new Random(plan.seed, shard, epoch);
  const alpha = 1 - epoch / plan.epochs;
  const end = plan.shardStarts[shard + 1]!;
  for (let e = plan.shardStarts[shard]!; e < end; e++) {
    if (nextSample[e]! > epoch) continue;
    const i = heads[e]!;
    const j = tails[e]!;
    let yi0 = y[i]!;
    let yi1 = y[i + 1]!;
    let dx = yi0 - y[j]!;
    let dy = yi1 - y[j + 1]!;
    let d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const power = fastPow(d2, b);
      const coefficient = (-2 * a * b * (power / d2)) / (a * power + 1);
      const gx = clip(coefficient * dx) * alpha;
      const gy = clip(coefficient * dy) * alpha;
      yi0 += gx;
      yi1 += gy;
      y[j] = y[j]! - gx;
      y[j + 1] = y[j + 1]! - gy;
    }
    nextSample[e] = nextSample[e]! + perSample[e]!;
    const perNegative = perSample[e]! / negativeRate;
    const negatives = Math.floor((epoch - nextNegative[e]!) / perNegative);
    for (let s = 0; s < negatives; s++) {
      const other = Math.floor(random.next() * n) * 2;
      if (other === i) continue;
      dx = yi0 - y[other]!;
      dy = yi1 - y[other + 1]!;
      d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const coefficient = (2 * b) / ((0.001 + d2) * (a * fastPow(d2, b) + 1));
        yi0 += clip(coefficient * dx) * alpha;
        yi1 += clip(coefficient * dy) * alpha;
      }
    }
    y[i] = yi0;
    y[i + 1] = yi1;
    nextNegative[e] = nextNegative[e]! + Math.max(0, negatives) * perNegative;
  }
  const moves = plan.moves.subarray(shard * n * 2, (shard + 1) * n * 2);
  for (let i = 0; i < y.length; i++) moves[i] = y[i]! - plan.positions[i]!;
}

/** Adds the shards' moves, in shard order, after an epoch. */
export function mergeShardMoves(plan: LayoutPlan): void {
  const size = plan.n * 2;
  for (let shard = 0; shard < SHARDS; shard++) {
    const moves = plan.moves.subarray(shard * size, (shard + 1) * size);
    for (let i = 0; i < size; i++) plan.positions[i] = plan.positions[i]! + moves[i]!;
  }
}

/** The whole optimization on this thread. */
export function optimizeLayout(graph: Graph, n: number, options: OptimizeOptions): Float32Array {
  const plan = planLayout(graph, n, options);
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    for (let shard = 0; shard < SHARDS; shard++) runShardEpoch(plan, shard, epoch);
    mergeShardMoves(plan);
  }
  return Float32Array.from(plan.positions);
}

/** The optimization with each epoch's shards run by `runShards` (e.g. on a worker pool), in parallel. */
export async function optimizeLayoutWith(
  graph: Graph,
  n: number,
  options: OptimizeOptions,
  runShards: (plan: LayoutPlan, epoch: number) => Promise<void>,
): Promise<Float32Array> {
  const plan = planLayout(graph, n, options);
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    await runShards(plan, epoch);
    mergeShardMoves(plan);
  }
  return Float32Array.from(plan.positions);
}

/** umap-learn's default number of epochs: 500 for small data, 200 from 10,000 points. */
export function defaultEpochs(n: number): number {
  return n > 10_000 ? 200 : 500;
}
