/** What a figure outside the atlas views (an activation grid, a neuron figure) is drawn with. */
import type { CacheStore } from '../cache/store.ts';
import type { WorkerPool } from '../engine/pool.ts';
import type { Recipe } from '../recipes/schema.ts';

export interface FigureRun<Spec> {
  recipe: Recipe & { id: string; file: string };
  /** The recipe's entry for the figure. */
  spec: Spec;
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  modelHash: string;
  /** The atlas folder being assembled, where the figure's files go. */
  outDir: string;
  /** A sharded build's icons phase: draw only the icons whose keys are this shard's; then nothing is written. */
  only?: (key: string) => boolean;
  onProgress?: (done: number, total: number) => void;
}
