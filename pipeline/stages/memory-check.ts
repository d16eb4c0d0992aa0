/**
 * Before a build computes anything: would each layer's layout fit in memory? The sample count comes from the
 * recipe (images × positions per image), the layer's width and positions from one probe of the model. A recipe
 * over the limit stops with the estimate, the limit and the fields to change.
 */
import path from 'node:path';
import { listFolder, listManifest } from '../datasets/sources.ts';
import type { WorkerPool } from '../engine/pool.ts';
import { UserError } from '../errors.ts';
import { iconTasks } from '../icons/stage.ts';
import { declaredClasses, planViews } from '../recipes/plan.ts';
import type { Recipe } from '../recipes/schema.ts';
import { layoutParamsFor } from './layout/keys.ts';
import { layoutPeakBytes, memoryLimitBytes } from './layout/memory.ts';

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** The images a recipe reads: data.count, or fewer where the folder or manifest lists fewer. */
function imageCount(recipe: Recipe, root: string): number {
  if (recipe.data.synthetic) return recipe.data.count;
  const folder = path.resolve(root, recipe.data.folder ?? path.dirname(recipe.data.manifest ?? '.'));
  const listing = recipe.data.manifest ? listManifest(path.resolve(root, recipe.data.manifest), folder) : listFolder(folder);
  return Math.min(recipe.data.count, listing.entries.length);
}

export async function requireLayoutMemory(recipe: Recipe & { file: string }, root: string, pool: WorkerPool, env = process.env): Promise<void> {
  const limit = memoryLimitBytes(env);
  const images = imageCount(recipe, root);
  const modelFolder = path.resolve(root, recipe.model);
  for (const view of planViews(recipe).filter((v) => v.kind === 'layer')) {
    const { shape } = await pool.call(iconTasks.probeLayer, { model: modelFolder, layer: view.layer, preprocess: recipe.preprocess });
    const positions = recipe.sampling.positionsPerImage === 'all' ? shape[1]! * shape[2]! : Math.min(recipe.sampling.positionsPerImage, shape[1]! * shape[2]!);
    const n = images * positions;
    const params = layoutParamsFor(recipe, view);
    const estimate = layoutPeakBytes({ n, depth: shape[3]!, topK: recipe.attribution.topK, declared: 0, params });
    if (estimate > limit.bytes) {
      throw new UserError(
        `${path.relative(root, recipe.file)}: the layout of ${view.layer} would hold about ${gb(estimate)} at its peak for ${n.toLocaleString('en')} samples (${images.toLocaleString('en')} images × ${positions} positions), more than the ${gb(limit.bytes)} this build may use (${limit.source}); lower data.count, sampling.positionsPerImage or layout.neighbors (now ${params.neighbors}).`,
      );
    }
  }
}
