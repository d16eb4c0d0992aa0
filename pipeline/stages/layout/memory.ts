/**
 * How much memory a layer's layout holds at its peak, estimated before a build starts, so that a recipe asking
 * for more samples than the machine can hold stops at once with the numbers rather than hours later. The terms
 * follow the data structures (see each); the constants were measured with `npm run bench:scale` (the estimate
 * is printed next to each measured peak there).
 */
import os from 'node:os';
import { BLOCK_FLOATS } from '../layer-data.ts';
import { descentSettings } from './approximate-knn.ts';
import { neighbourSearchFor, type LayoutParams } from './layout.ts';

/** The process, its TensorFlow.js engines and worker threads, whose memory keeps the activations stage's high-water mark. */
const BASELINE_BYTES = 1.6e9;
/** Edges of the symmetrized neighbour graph per point, per neighbour (measured 1.3–1.5 on the demo's layers). */
const EDGES_PER_NEIGHBOUR = 1.6;
/**
 * Resident memory runs well ahead of the live bytes counted below: typed arrays (shared ones across threads above
 * all) are freed only when every thread's garbage collector has run, and an engine's memory keeps its largest
 * size. In bench:scale's run of 100,000, 300,000 and then 1,000,000 samples of the demo's mixed5a in one process,
 * peaks were 1.8, 1.9 and 2.3 times the live bytes over this baseline.
 */
const RESIDENT_PER_LIVE = 2.4;

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
  const neighbours = 16 * n * k;
  const candidates = descentSettings(k).candidates;
  // NN-descent: its own copy of the rows, heaps, candidate samples, and one iteration's proposed updates.
  const descent =
    neighbourSearchFor(params as LayoutParams, n) === 'approximate' ? 4 * n * dims + 9 * n * k + 16 * n * candidates + 12 * n * candidates ** 2 : 0;
  // UMAP: the graph (heads, tails, weights) alive while the plan (heads, tails and three float64 per edge) is built.
  const edges = EDGES_PER_NEIGHBOUR * n * k;
  const umap = 44 * edges + 8 * n * k;
  return BASELINE_BYTES + RESIDENT_PER_LIVE * (layer + Math.max(rows + reduced, reduced + neighbours + descent, reduced + neighbours + umap));
}

/** The memory a build may use: ATLAS_MEMORY_GB, or 85 % of this machine's. */
export function memoryLimitBytes(env: Record<string, string | undefined> = process.env): { bytes: number; source: string } {
  const set = Number(env.ATLAS_MEMORY_GB);
  if (env.ATLAS_MEMORY_GB && Number.isFinite(set) && set > 0) return { bytes: set * 1e9, source: 'ATLAS_MEMORY_GB' };
  return { bytes: 0.85 * os.totalmem(), source: `85 % of this machine's ${(os.totalmem() / 1e9).toFixed(0)} GB; ATLAS_MEMORY_GB sets another limit` };
}
