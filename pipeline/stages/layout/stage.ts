/**
 * The layout stage of a view: which samples it holds, and their 2-D positions (a UMAP of their activations, or
 * for a comparison, a 1-D UMAP against the difference of two classes' attributions). Cached under layoutKeyFor.
 */
import path from 'node:path';
import type { WorkerPool } from '../../engine/pool.ts';
import { UserError } from '../../errors.ts';
import type { ViewPlan } from '../../recipes/plan.ts';
import type { Recipe } from '../../recipes/schema.ts';
import type { RowBlocks } from '../row-blocks.ts';
import { layoutParamsFor } from './keys.ts';
import { layoutActivations, type LayoutParams } from './layout.ts';
import { comparisonPoints, samplesForClass, samplesForPair } from './view-samples.ts';

/** What a view's samples are chosen from: the attributions the activations stage kept for its layer. */
export interface ViewSampleSource {
  recipe: Recipe & { file: string };
  root: string;
  labels: string[];
  n: number;
  topClasses: Int32Array;
  topK: number;
}

/** The samples of the layer a view holds (undefined: all of them, for a layer view). */
export function viewSamples(source: ViewSampleSource, view: ViewPlan): Int32Array | undefined {
  if (view.kind === 'layer') return undefined;
  const label = (name: string) => source.labels.indexOf(name);
  const chosen =
    view.kind === 'class'
      ? samplesForClass(source.topClasses, source.topK, label(view.classes![0]!), view.filter!.top)
      : samplesForPair(source.topClasses, source.topK, [label(view.classes![0]!), label(view.classes![1]!)], view.filter!.top);
  const neighbours = layoutParamsFor(source.recipe, view).neighbors;
  if (chosen.length <= neighbours) {
    const field = view.kind === 'class' ? 'classAtlases' : 'comparisons';
    throw new UserError(
      `${path.relative(source.root, source.recipe.file)}: field "${field}" asks for ${view.title}, but only ${chosen.length} of ${source.n} samples have ${view.classes!.join(' or ')} among their top ${view.filter!.top} attributions, too few for ${neighbours} neighbours; use more images, a larger "top", or fewer layout.neighbors.`,
    );
  }
  return chosen;
}

export interface LayoutInput {
  view: ViewPlan;
  /** The view's samples' activations, [n, depth]. */
  vectors: RowBlocks;
  n: number;
  depth: number;
  /** The view's samples' attributions to the declared classes, [n, declaredCount], in declaredNames' order. */
  declared: Float32Array;
  declaredNames: string[];
  declaredCount: number;
  params: LayoutParams;
  /** Names the view in messages. */
  where: string;
  pool: WorkerPool;
  onEpoch: (done: number, total: number) => void;
}

/** The view's points in [0, 1]², [n, 2], with the layout's trustworthiness and seconds per step. */
export async function computeLayout(input: LayoutInput) {
  const { view, vectors, n, depth, params, where, pool, onEpoch } = input;
  if (view.kind !== 'comparison') return layoutActivations(vectors, n, depth, params, where, pool, onEpoch);
  // y: a 1-D layout of the activations; x: the difference of the two classes' attributions.
  const line = await layoutActivations(vectors, n, depth, { ...params, dimensions: 1 }, where, pool, onEpoch);
  const width = input.declaredCount;
  const column = (name: string) => {
    const c = input.declaredNames.indexOf(name);
    return Float32Array.from({ length: n }, (_, i) => input.declared[i * width + c]!);
  };
  const y = Float32Array.from({ length: n }, (_, i) => line.points[i * 2]!);
  return { ...line, points: comparisonPoints(column(view.classes![0]!), column(view.classes![1]!), y, params.margin) };
}
