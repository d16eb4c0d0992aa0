/**
 * Approximate k nearest neighbours for large layouts: a forest of random-projection trees gives each point a
 * first guess (the other points of its leaves), then NN-descent (Dong, Moses and Li 2011, run as pynndescent
 * runs it) improves every guess from its neighbours' neighbours until few change.
 *
 * Hand-written because no maintained Node library builds an all-points kNN graph deterministically on worker
 * threads (hnswlib-node and usearch build an index point by point and query it, one thread each; see
 * bench:layout). Every phase is split into jobs over ranges of points; a job reads the shared state and writes
 * only its own rows, and updates are applied in the order of the points that proposed them. So the graph is
 * the same bytes however many threads run the jobs, or none.
 */
import { Random } from '../../random.ts';

/** Everything the phases read and write, on shared memory so worker threads can run them. */
export interface DescentState {
  /** [n, d] rows; unit length when `cosine`. */
  rows: Float32Array;
  n: number;
  d: number;
  k: number;
  cosine: boolean;
  seed: number;
  /** Each row a max-heap of its k best: index (−1 empty), distance (cosine: 1 − dot; euclidean: squared), new-flag. */
  indices: Int32Array;
  distances: Float32Array;
  flags: Uint8Array;
  /** Candidates per point per iteration (a random sample of new and of old neighbours, forward and reverse). */
  candidates: number;
  /** [n, candidates] each; −1 empty. Max-heaps on a hashed priority, so the sample is fixed by the seed. */
  newCandidates: Int32Array;
  newPriorities: Uint32Array;
  oldCandidates: Int32Array;
  oldPriorities: Uint32Array;
}

/** One random-projection tree: points in leaf order, where each leaf starts, and each point's leaf. */
export interface RpTree {
  order: Int32Array;
  /** [leaves + 1] */
  leafStarts: Int32Array;
  leafOf: Int32Array;
}

/**
 * Where local joins write their proposed pairs (a, b) and distances: one slot per job of a batch, each large
 * enough for the most a range of `slotPoints` points can propose. Allocated once for the whole search, so the
 * proposals of an iteration (gigabytes at a million points) never pile up in shared buffers that only every
 * thread's garbage collector can free.
 */
export interface UpdateArena {
  slots: number;
  /** Pairs a slot holds. */
  slotPairs: number;
  pairs: Int32Array;
  distances: Float32Array;
}

/** The most pairs one point's local join proposes: new–new pairs and new–old pairs of its candidates. */
export const pairsPerPoint = (candidates: number) => (candidates * (candidates - 1)) / 2 + candidates * candidates;

export function createArena(slots: number, slotPoints: number, candidates: number): UpdateArena {
  const slotPairs = slotPoints * pairsPerPoint(candidates);
  return { slots, slotPairs, pairs: shared.int32(slots * slotPairs * 2), distances: shared.float32(slots * slotPairs) };
}

const shared = {
  int32: (length: number) => new Int32Array(new SharedArrayBuffer(Math.max(4, length * 4))),
  float32: (length: number) => new Float32Array(new SharedArrayBuffer(Math.max(4, length * 4))),
  uint32: (length: number) => new Uint32Array(new SharedArrayBuffer(Math.max(4, length * 4))),
  uint8: (length: number) => new Uint8Array(new SharedArrayBuffer(Math.max(4, length))),
};

export function createState(rows: Float32Array, n: number, d: number, k: number, cosine: boolean, seed: number, candidates: number): DescentState {
  const sharedRows = shared.float32(n * d);
  sharedRows.set(rows.subarray(0, n * d));
  const indices = shared.int32(n * k).fill(-1);
  const distances = shared.float32(n * k).fill(Infinity);
  return {
    rows: sharedRows,
    n,
    d,
    k,
    cosine,
    seed,
    indices,
    distances,
    flags: shared.uint8(n * k),
    candidates,
    newCandidates: shared.int32(n * candidates),
    newPriorities: shared.uint32(n * candidates),
    oldCandidates: shared.int32(n * candidates),
    oldPriorities: shared.uint32(n * candidates),
  };
}

function distance(rows: Float32Array, d: number, a: number, b: number, cosine: boolean): number {
  const p = a * d;
  const q = b * d;
  let sum = 0;
  if (cosine) {
    for (let j = 0; j < d; j++) sum += rows[p + j]! * rows[q + j]!;
    return 1 - sum;
  }
  for (let j = 0; j < d; j++) {
    const diff = rows[p + j]! - rows[q + j]!;
    sum += diff * diff;
  }
  return sum;
}

/** Offers point j to row i's heap; true when it went in (closer than the worst, and not there yet). */
function offer(state: DescentState, i: number, j: number, value: number): boolean {
  const { k, indices, distances, flags } = state;
  const base = i * k;
  if (!(value < distances[base]!)) return false;
  for (let s = 0; s < k; s++) if (indices[base + s] === j) return false;
  // Replace the root (the worst) and sift down.
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= k) break;
    const right = left + 1;
    const larger = right < k && distances[base + right]! > distances[base + left]! ? right : left;
    if (!(distances[base + larger]! > value)) break;
    distances[base + at] = distances[base + larger]!;
    indices[base + at] = indices[base + larger]!;
    flags[base + at] = flags[base + larger]!;
    at = larger;
  }
  distances[base + at] = value;
  indices[base + at] = j;
  flags[base + at] = 1;
  return true;
}

/** One tree, split at hyperplanes between two random points until leaves hold at most `leafSize` points. */
export function buildTree(input: { rows: Float32Array; n: number; d: number; cosine: boolean; seed: number; tree: number; leafSize: number }): RpTree {
  const { rows, n, d, cosine, leafSize } = input;
  const random = new Random(input.seed, 0x7270, input.tree);
  const order = shared.int32(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const normal = new Float64Array(d);
  const side = new Uint8Array(n);
  const leaves: number[] = [];
  const stack: [number, number][] = [[0, n]];
  while (stack.length) {
    const [low, high] = stack.pop()!;
    const size = high - low;
    if (size <= leafSize) {
      leaves.push(low);
      continue;
    }
    const a = order[low + Math.floor(random.next() * size)]!;
    let b = order[low + Math.floor(random.next() * size)]!;
    for (let attempt = 0; attempt < 4 && b === a; attempt++) b = order[low + Math.floor(random.next() * size)]!;
    // Euclidean: the plane halfway between a and b; cosine (unit rows): the plane through the origin between them.
    let offset = 0;
    for (let j = 0; j < d; j++) {
      normal[j] = rows[a * d + j]! - rows[b * d + j]!;
      if (!cosine) offset -= (normal[j]! * (rows[a * d + j]! + rows[b * d + j]!)) / 2;
    }
    let left = 0;
    for (let p = low; p < high; p++) {
      const i = order[p]!;
      let margin = offset;
      for (let j = 0; j < d; j++) margin += normal[j]! * rows[i * d + j]!;
      side[p - low] = margin > 0 ? 1 : margin < 0 ? 0 : random.next() < 0.5 ? 1 : 0;
      left += side[p - low]!;
    }
    // A plane that splits nothing off (identical points): halve the range as it stands.
    if (left === 0 || left === size) {
      const middle = low + (size >> 1);
      stack.push([middle, high], [low, middle]);
      continue;
    }
    const ordered = Int32Array.from(order.subarray(low, high));
    let front = low;
    let back = low + left;
    for (let p = 0; p < size; p++) order[side[p] ? front++ : back++] = ordered[p]!;
    stack.push([low + left, high], [low, low + left]);
  }
  leaves.sort((p, q) => p - q);
  const leafStarts = shared.int32(leaves.length + 1);
  leafStarts.set(leaves);
  leafStarts[leaves.length] = n;
  const leafOf = shared.int32(n);
  for (let leaf = 0; leaf < leaves.length; leaf++) for (let p = leafStarts[leaf]!; p < leafStarts[leaf + 1]!; p++) leafOf[order[p]!] = leaf;
  return { order, leafStarts, leafOf };
}

/** Rows [start, end): the other points of their leaves, then random points while a row has room. */
export function initializeRows(input: { state: DescentState; trees: RpTree[]; start: number; end: number }): void {
  const { state, trees, start, end } = input;
  const { rows, d, n, k, cosine } = state;
  for (let i = start; i < end; i++) {
    for (const tree of trees) {
      const leaf = tree.leafOf[i]!;
      for (let p = tree.leafStarts[leaf]!; p < tree.leafStarts[leaf + 1]!; p++) {
        const j = tree.order[p]!;
        if (j !== i) offer(state, i, j, distance(rows, d, i, j, cosine));
      }
    }
    const random = new Random(state.seed, 0x66696c6c, i);
    for (let attempt = 0; state.indices[i * k] === -1 && attempt < 4 * k; attempt++) {
      const j = Math.floor(random.next() * n);
      if (j !== i) offer(state, i, j, distance(rows, d, i, j, cosine));
    }
  }
}

/** A fixed pseudo-random priority for the pair (i, j) in an iteration. */
function priority(i: number, j: number, iteration: number, seed: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(j + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(iteration + seed, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function offerCandidate(list: Int32Array, priorities: Uint32Array, base: number, size: number, j: number, p: number): void {
  if (p >= priorities[base]!) return;
  for (let s = 0; s < size; s++) if (list[base + s] === j) return;
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) break;
    const right = left + 1;
    const larger = right < size && priorities[base + right]! > priorities[base + left]! ? right : left;
    if (!(priorities[base + larger]! > p)) break;
    priorities[base + at] = priorities[base + larger]!;
    list[base + at] = list[base + larger]!;
    at = larger;
  }
  priorities[base + at] = p;
  list[base + at] = j;
}

/**
 * The candidates of points [start, end) for an iteration: each neighbour and each point that has it as a
 * neighbour, new and old apart, sampled to `candidates` by priority. Reads every row, writes its own lists.
 */
export function sampleCandidates(input: { state: DescentState; start: number; end: number; iteration: number }): void {
  const { state, start, end, iteration } = input;
  const { n, k, indices, flags, candidates: size, newCandidates, newPriorities, oldCandidates, oldPriorities } = state;
  newCandidates.fill(-1, start * size, end * size);
  oldCandidates.fill(-1, start * size, end * size);
  newPriorities.fill(0xffffffff, start * size, end * size);
  oldPriorities.fill(0xffffffff, start * size, end * size);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < k; s++) {
      const j = indices[i * k + s]!;
      if (j < 0) continue;
      const ownsI = i >= start && i < end;
      const ownsJ = j >= start && j < end;
      if (!ownsI && !ownsJ) continue;
      const p = priority(i, j, iteration, state.seed);
      const [list, priorities] = flags[i * k + s] ? [newCandidates, newPriorities] : [oldCandidates, oldPriorities];
      if (ownsI) offerCandidate(list, priorities, i * size, size, j, p);
      if (ownsJ) offerCandidate(list, priorities, j * size, size, i, p);
    }
  }
}

/** Rows [start, end): a neighbour sampled as a new candidate is old from now on. */
export function retireSampled(input: { state: DescentState; start: number; end: number }): void {
  const { state, start, end } = input;
  const { k, indices, flags, candidates: size, newCandidates } = state;
  for (let i = start; i < end; i++) {
    for (let s = 0; s < k; s++) {
      if (!flags[i * k + s]) continue;
      const j = indices[i * k + s]!;
      for (let c = 0; c < size; c++)
        if (newCandidates[i * size + c] === j) {
          flags[i * k + s] = 0;
          break;
        }
    }
  }
}

/**
 * The local join around points [start, end): every new–new and new–old pair of their candidates that would
 * improve either row, written to the arena's `slot`; returns how many.
 */
export function localJoin(input: { state: DescentState; arena: UpdateArena; slot: number; start: number; end: number }): number {
  const { state, arena, slot, start, end } = input;
  const { rows, d, k, cosine, distances, candidates: size, newCandidates, oldCandidates } = state;
  if ((end - start) * pairsPerPoint(size) > arena.slotPairs) throw new Error(`a local join of ${end - start} points does not fit its arena slot`);
  const first = slot * arena.slotPairs;
  let count = first;
  const emit = (a: number, b: number, value: number) => {
    arena.pairs[2 * count] = a;
    arena.pairs[2 * count + 1] = b;
    arena.distances[count++] = value;
  };
  for (let i = start; i < end; i++) {
    const base = i * size;
    for (let x = 0; x < size; x++) {
      const a = newCandidates[base + x]!;
      if (a < 0) continue;
      const worstA = distances[a * k]!;
      for (let y = x + 1; y < size; y++) {
        const b = newCandidates[base + y]!;
        if (b < 0) continue;
        const value = distance(rows, d, a, b, cosine);
        if (value < worstA || value < distances[b * k]!) emit(a, b, value);
      }
      for (let y = 0; y < size; y++) {
        const b = oldCandidates[base + y]!;
        if (b < 0 || b === a) continue;
        const value = distance(rows, d, a, b, cosine);
        if (value < worstA || value < distances[b * k]!) emit(a, b, value);
      }
    }
  }
  return count - first;
}

/** Applies the arena's proposals, slot by slot in order, to rows [start, end); returns how many entries changed. */
export function applyUpdates(input: { state: DescentState; arena: UpdateArena; counts: number[]; start: number; end: number }): number {
  const { state, arena, counts, start, end } = input;
  let changed = 0;
  for (let slot = 0; slot < counts.length; slot++) {
    const first = slot * arena.slotPairs;
    for (let u = first; u < first + counts[slot]!; u++) {
      const a = arena.pairs[2 * u]!;
      const b = arena.pairs[2 * u + 1]!;
      if (a >= start && a < end && offer(state, a, b, arena.distances[u]!)) changed++;
      if (b >= start && b < end && offer(state, b, a, arena.distances[u]!)) changed++;
    }
  }
  return changed;
}

/** Rows [start, end) sorted nearest first (ties by index), as distances the exact search would give. */
export function finishRows(input: { state: DescentState; start: number; end: number; indices: Int32Array; distances: Float32Array }): void {
  const { state, start, end } = input;
  const { k, cosine } = state;
  const order = Array.from({ length: k }, (_, s) => s);
  for (let i = start; i < end; i++) {
    const base = i * k;
    order.sort((p, q) => state.distances[base + p]! - state.distances[base + q]! || state.indices[base + p]! - state.indices[base + q]!);
    for (let s = 0; s < k; s++) {
      const value = state.distances[base + order[s]!]!;
      input.indices[base + s] = state.indices[base + order[s]!]!;
      input.distances[base + s] = cosine ? Math.max(0, value) : Math.sqrt(Math.max(0, value));
    }
  }
}
