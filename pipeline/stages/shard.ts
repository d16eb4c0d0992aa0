/**
 * Shards: a build split over several processes or machines that share a cache (ATLAS_CACHE_DIR, or archives
 * moved with atlas cache export/import). A shard computes only its share of the sharded phases' units —
 * activation chunks, and icon families (an icon and those that start from it) — chosen by content hash, so the
 * split is the same on every machine. A plain build computes whatever is still missing, so shards only speed up.
 *
 * Phases of a sharded build, in order:
 *   1. activations           atlas build --shard i/n        (every shard)
 *   2. layout and grids      atlas build --phase layout     (one job)
 *   3. icons                 atlas build --shard i/n        (every shard)
 *   4. render and publish    atlas build                    (one job)
 */
import { UserError } from '../errors.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * The shard this process is, from --shard i/n, else ATLAS_SHARD=i/n, else Kubernetes' JOB_COMPLETION_INDEX
 * (0-based) with ATLAS_SHARDS=n; undefined for a whole build.
 */
export function shardOf(flag: string | undefined, env: Record<string, string | undefined> = process.env): Shard | undefined {
  if (flag !== undefined) return parseShard(flag, '--shard');
  if (env.ATLAS_SHARD) return parseShard(env.ATLAS_SHARD, 'ATLAS_SHARD');
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (!env.ATLAS_SHARDS)
      throw new UserError("JOB_COMPLETION_INDEX is set but ATLAS_SHARDS is not: set ATLAS_SHARDS to the Job's completions, the number of shards.");
    const index = Number(env.JOB_COMPLETION_INDEX);
    if (!Number.isInteger(index) || index < 0) throw new UserError(`JOB_COMPLETION_INDEX "${env.JOB_COMPLETION_INDEX}" is not a whole number from 0.`);
    return parseShard(`${index + 1}/${env.ATLAS_SHARDS}`, 'JOB_COMPLETION_INDEX + 1 / ATLAS_SHARDS');
  }
  return undefined;
}

export function parseShard(value: string, where: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UserError(`${where} "${value}" is not a shard: write i/n with 1 ≤ i ≤ n, e.g. 2/4 for the second of four.`);
  }
  return { index, count };
}

/** Whether a unit, named by its content hash (hex), belongs to the shard. */
export function inShard(key: string, shard: Shard | undefined): boolean {
  if (!shard) return true;
  return Number.parseInt(key.slice(0, 8), 16) % shard.count === shard.index - 1;
}
