/**
 * UMAP's graph and its layout optimization, on typed arrays. umap-js is the reference (see the tests and
 * `npm run bench:layout`); it keeps the graph in a JavaScript Map and vectors as arrays of arrays, which made a
 * 20,000-point layout take minutes and caps it near 8 M edges. The algorithm is McInnes et al.'s, as in
 * umap-learn: smooth kNN distances to a fuzzy graph, fuzzy union, then stochastic gradient descent with
 * negative sampling.
 */
import { findABParams } from 'umap-js/dist/umap.js';
import type { Random } from '../../datasets/synthetic/random.ts';

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
    for (const d of row) if (d > 0) { rho = d; break; }
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
  const order = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: k }, (_, j) => i * k + j).sort((p, q) => indices[p]! - indices[q]!);
    order.set(row, i * k);
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
  const heads: number[] = [];
  const tails: number[] = [];
  const combined: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const e = order[i * k + t]!;
      const j = indices[e]!;
      const w = weights[e]!;
      const back = reverse(i, j);
      const value = w + back - w * back;
      heads.push(i);
      tails.push(j);
      combined.push(value);
      // The pair from j's side, when i is not among j's neighbours, so the graph is symmetric.
      if (back === 0) {
        heads.push(j);
        tails.push(i);
        combined.push(value);
      }
    }
  }
  return { heads: Int32Array.from(heads), tails: Int32Array.from(tails), weights: Float32Array.from(combined) };
}

export interface OptimizeOptions {
  minDist: number;
  epochs: number;
  random: Random;
  negativeSampleRate?: number;
}

const clip = (value: number) => (value > 4 ? 4 : value < -4 ? -4 : value);

/** Stochastic gradient descent of the 2-D layout (umap-learn's optimize_layout_euclidean, move_other = true). */
export function optimizeLayout(graph: Graph, n: number, options: OptimizeOptions): Float32Array {
  const { a, b } = findABParams(1, options.minDist);
  const negativeRate = options.negativeSampleRate ?? 5;
  const epochs = options.epochs;
  let maxWeight = 0;
  for (const w of graph.weights) maxWeight = Math.max(maxWeight, w);
  // Edges too weak to be sampled even once are dropped, as umap-learn does.
  const keep: number[] = [];
  for (let e = 0; e < graph.weights.length; e++) if (graph.weights[e]! >= maxWeight / epochs) keep.push(e);
  const m = keep.length;
  const heads = Int32Array.from(keep, (e) => graph.heads[e]!);
  const tails = Int32Array.from(keep, (e) => graph.tails[e]!);
  const perSample = Float64Array.from(keep, (e) => maxWeight / graph.weights[e]!);
  const nextSample = Float64Array.from(perSample);
  const perNegative = Float64Array.from(perSample, (value) => value / negativeRate);
  const nextNegative = Float64Array.from(perNegative);

  const y = new Float32Array(n * 2);
  for (let i = 0; i < y.length; i++) y[i] = options.random.range(-10, 10);

  for (let epoch = 0; epoch < epochs; epoch++) {
    const alpha = 1 - epoch / epochs;
    for (let e = 0; e < m; e++) {
      if (nextSample[e]! > epoch) continue;
      const i = heads[e]! * 2;
      const j = tails[e]! * 2;
      let dx = y[i]! - y[j]!;
      let dy = y[i + 1]! - y[j + 1]!;
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const power = Math.pow(d2, b);
        const coefficient = (-2 * a * b * (power / d2)) / (a * power + 1);
        const gx = clip(coefficient * dx) * alpha;
        const gy = clip(coefficient * dy) * alpha;
        y[i] = y[i]! + gx;
        y[i + 1] = y[i + 1]! + gy;
        y[j] = y[j]! - gx;
        y[j + 1] = y[j + 1]! - gy;
      }
      nextSample[e] = nextSample[e]! + perSample[e]!;
      const negatives = Math.floor((epoch - nextNegative[e]!) / perNegative[e]!);
      for (let s = 0; s < negatives; s++) {
        const other = Math.floor(options.random.next() * n) * 2;
        if (other === i) continue;
        dx = y[i]! - y[other]!;
        dy = y[i + 1]! - y[other + 1]!;
        d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const coefficient = (2 * b) / ((0.001 + d2) * (a * Math.pow(d2, b) + 1));
          y[i] = y[i]! + clip(coefficient * dx) * alpha;
          y[i + 1] = y[i + 1]! + clip(coefficient * dy) * alpha;
        }
      }
      nextNegative[e] = nextNegative[e]! + Math.max(0, negatives) * perNegative[e]!;
    }
  }
  return y;
}

/** umap-learn's default number of epochs: 500 for small data, 200 from 10,000 points. */
export function defaultEpochs(n: number): number {
  return n > 10_000 ? 200 : 500;
}
