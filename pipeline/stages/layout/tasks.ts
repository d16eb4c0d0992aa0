/**
 * Layout work the worker pool runs: rows of the exact neighbour search, phases of the approximate one, and shards
 * of the UMAP optimization. Inputs are typed arrays on shared memory, so a job carries only ranges and writes its
 * results in place.
 */
import { knnRows, type KnnJob } from './knn.ts';
import * as descent from './nn-descent.ts';
import { runShardEpoch, type LayoutPlan } from './umap.ts';

export async function neighbours(job: KnnJob): Promise<void> {
  knnRows(job);
}

export async function layoutShard(input: { plan: LayoutPlan; shard: number; epoch: number }): Promise<void> {
  runShardEpoch(input.plan, input.shard, input.epoch);
}

// The approximate search's phases (nn-descent.ts), each on a range of points.
export async function nnBuildTree(input: Parameters<typeof descent.buildTree>[0]) {
  return descent.buildTree(input);
}
export async function nnInitializeRows(input: Parameters<typeof descent.initializeRows>[0]) {
  descent.initializeRows(input);
}
export async function nnSampleCandidates(input: Parameters<typeof descent.sampleCandidates>[0]) {
  descent.sampleCandidates(input);
}
export async function nnRetireSampled(input: Parameters<typeof descent.retireSampled>[0]) {
  descent.retireSampled(input);
}
export async function nnLocalJoin(input: Parameters<typeof descent.localJoin>[0]) {
  return descent.localJoin(input);
}
export async function nnApplyUpdates(input: Parameters<typeof descent.applyUpdates>[0]) {
  return descent.applyUpdates(input);
}
export async function nnFinishRows(input: Parameters<typeof descent.finishRows>[0]) {
  descent.finishRows(input);
}
