/**
 * How much memory a layer's layout holds at its peak, estimated before a build starts, so that a recipe asking
 * for more samples than the machine can hold stops at once with the numbers rather than hours later. The terms
 * follow the data structures (see each); the constants were measured with `npm run bench:scale` (the estimate
 * is printed next to each measured peak there).
 */
import os from 'node:os';
import { BLOCK_FLOATS } from '../layer-data.ts';
import { DESCENT_BATCH_POINTS, descentSettings } from './approximate-knn.ts';
import { neighbourSearchFor, type LayoutParams } from './layout.ts';
import { pairsPerPoint } from './nn-descent.ts';

/**
 * The process, its TensorFlow.js engines and worker threads, whose memory keeps the activations stage's high-water
 * mark (0.6–0.7 GB in bench:scale, and about 1.1 GB once a layout has run beside it).
 */
const BASELINE_BYTES = 1.2e9;
/** Edges of the symmetrized neighbour graph per point, per neighbour (measured 1.3–1.5 on the demo's layers). */
const EDGES_PER_NEIGHBOUR = 1.6;
/**
 * Resident memory runs ahead of the live bytes counted below: typed arrays are freed only when a garbage
 * collector has run (shared ones, when every thread's has). In bench:scale, each count of the demo's mixed5a in a
 * process of its own, peaks were 1.6, 2.2 and 6.0 GB for 100,000, 300,000 and 1,000,000 samples, against this
 * estimate's 1.8, 2.9 and 7.0 GB.
 */
const RESIDENT_PER_LIVE = 1.3;

export interface LayoutMemoryInput {
  n: number;
  depth: number;
  topK: number;
  declared: number;
  params: Pick<LayoutParams, 'neighbors' | 'pca' | 'neighbourSearch'>;
}

export function layoutPeakBytes({ n, depth, topK, declared, params }: LayoutMemoryInput): number {
  const k = params.neighbors;
  const dims = params.pca > 0 && params.pca < depth ? params.pca : depth;
  // Origins, attributions and points in memory for the whole phase.
  const layer = n * (12 + 8 * topK + 4 * declared + 16);
  // One block of activations and its normalized copy (PCA), or every row twice without PCA.
  const rows = dims < depth ? 8 * Math.min(n * depth, BLOCK_FLOATS) : 8 * n * depth;
  const reduced = 4 * n * dims;
  const neighbours = 8 * n * k;
  // NN-descent: its own copy of the rows, heaps, candidate samples, and the arena its joins write to.
  const { candidates } = descentSettings(k);
  const arenaPairs = Math.min(n, DESCENT_BATCH_POINTS) * pairsPerPoint(candidates);
  const descent = neighbourSearchFor(params as LayoutParams, n) === 'approximate' ? 4 * n * dims + 9 * n * k + 16 * n * candidates + 12 * arenaPairs : 0;
  // UMAP: the graph (heads, tails, weights) alive while the plan (tails and three float64 per edge) is built,
  // and the rows sorted by neighbour, their weights and reverse weights that the graph is made from.
  const edges = EDGES_PER_NEIGHBOUR * n * k;
  const umap = 40 * edges + 12 * n * k;
  return BASELINE_BYTES + RESIDENT_PER_LIVE * (layer + Math.max(rows + reduced, reduced + neighbours + descent, reduced + neighbours + umap));
}

/** The memory a build may use: ATLAS_MEMORY_GB, or 85 % of this machine's. */
export function memoryLimitBytes(env: Record<string, string | undefined> = process.env): { bytes: number; source: string } {
  const set = Number(env.ATLAS_MEMORY_GB);
  if (env.ATLAS_MEMORY_GB && Number.isFinite(set) && set > 0) return { bytes: set * 1e9, source: 'ATLAS_MEMORY_GB' };
  return { bytes: 0.85 * os.totalmem(), source: `85 % of this machine's ${(os.totalmem() / 1e9).toFixed(0)} GB; ATLAS_MEMORY_GB sets another limit` };
}
