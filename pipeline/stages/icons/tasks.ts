/**
 * The icons stage's work, run in pool workers: a batch of directions of one layer rendered by feature
 * visualization. Each icon has its own seed, so its pixels do not depend on the batch it was rendered in.
 */
import { tf } from '../../engine/tf.ts';
import { runnerFor } from '../../models/tasks.ts';
import { ModelRunner } from '../../models/runner.ts';
import { inputSize, type Preprocess } from '../../models/preprocess.ts';
import { Random } from '../../datasets/synthetic/random.ts';
import { imageParam } from '../../featurevis/param/index.ts';
import { directionCosine } from '../../featurevis/objectives.ts';
import { renderBest } from '../../featurevis/render.ts';
import { standardFraming, standardTransforms } from '../../featurevis/transforms.ts';
import type { IconSettings } from './settings.ts';

export interface IconBatchInput {
  model: string;
  layer: string;
  preprocess: Preprocess;
  /** [n, depth] directions (already whitened if the recipe asks). */
  directions: Float32Array;
  depth: number;
  /** One seed per icon. */
  seeds: number[];
  settings: IconSettings;
}

export interface IconBatchOutput {
  /** [n, size, size, 3] RGB bytes. */
  pixels: Uint8Array;
  /** Final objective of each icon. */
  objectives: Float32Array;
}

const truncated = new Map<string, Promise<ModelRunner>>();

/**
 * A runner that computes the model only up to `layer` (layers-models; graph-models already run only what the
 * requested outputs need): an icon's step never needs the layers after the one it visualizes.
 */
function runnerUpTo(folder: string, layer: string): Promise<ModelRunner> {
  const key = `${folder}\n${layer}`;
  let runner = truncated.get(key);
  if (!runner) {
    runner = runnerFor(folder).then((full) => {
      full.checkLayer(layer);
      const loaded = full.loaded;
      if (loaded.kind !== 'layers') return full;
      const output = loaded.model.getLayer(layer).output as tf.SymbolicTensor;
      return new ModelRunner({ ...loaded, model: tf.model({ inputs: loaded.model.inputs, outputs: output }) });
    });
    truncated.set(key, runner);
  }
  return runner;
}

/** The model's input height and width where they are fixed; undefined where any size is accepted. */
function fixedInput(runner: ModelRunner): [number, number] | undefined {
  const [, h, w] = runner.inputShape;
  return typeof h === 'number' && typeof w === 'number' ? [h, w] : undefined;
}

/** The layer's output shape for one input of the recipe's size, and the model's fixed input size if any. */
export async function probeLayer(input: { model: string; layer: string; preprocess: Preprocess }): Promise<{ shape: number[]; fixedInput?: [number, number] }> {
  const runner = await runnerUpTo(input.model, input.layer);
  const [h, w] = fixedInput(runner) ?? inputSize(input.preprocess);
  const shape = tf.tidy(() => runner.tap(tf.zeros([1, h, w, 3]), [input.layer])[input.layer]!.shape);
  return { shape, fixedInput: fixedInput(runner) };
}

export async function renderIconBatch(input: IconBatchInput): Promise<IconBatchOutput> {
  const runner = await runnerUpTo(input.model, input.layer);
  const { settings } = input;
  const modelInput = fixedInput(runner);
  const param = imageParam({ height: settings.size, width: settings.size, parameterization: settings.parameterization, decorrelate: settings.decorrelate, range: 'sigmoid' });
  try {
    const rendered = renderBest(
      {
        runner,
        objective: directionCosine(input.layer, input.directions, input.depth, settings.cosinePower),
        param,
        transforms: standardTransforms(settings.size, modelInput),
        finalTransforms: standardFraming(settings.size, modelInput),
        preprocess: input.preprocess,
        steps: settings.steps,
        learningRate: settings.learningRate,
        redirectedReluSteps: settings.redirectedReluSteps,
      },
      settings.attempts,
      (attempt) => input.seeds.map((seed) => new Random(seed, attempt)),
    );
    return { pixels: Uint8Array.from(rendered.images, (v) => Math.round(v * 255)), objectives: rendered.objectives };
  } finally {
    param.dispose();
  }
}
