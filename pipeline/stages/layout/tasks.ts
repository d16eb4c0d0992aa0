/**
 * Layout work the worker pool runs: rows of the neighbour search and shards of the UMAP optimization. Inputs
 * are typed arrays on shared memory, so a job carries only ranges and writes its results in place.
 */
import { knnRows, type KnnJob } from './knn.ts';
import { runShardEpoch, type LayoutPlan } from './umap.ts';

export async function neighbours(job: KnnJob): Promise<void> {
  knnRows(job);
}

export async function layoutShard(input: { plan: LayoutPlan; shard: number; epoch: number }): Promise<void> {
  runShardEpoch(input.plan, input.shard, input.epoch);
}
