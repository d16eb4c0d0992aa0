/**
 * The icons stage's work, run in pool workers: a batch of directions of one layer rendered by feature
 * visualization. Each icon has its own seed, so its pixels do not depend on the batch it was rendered in.
 */
import { tf } from '../engine/tf.ts';
import { runnerFor } from '../models/tasks.ts';
import { ModelRunner } from '../models/runner.ts';
import { inputSize, type Preprocess } from '../models/preprocess.ts';
import { Random } from '../random.ts';
import { imageParam } from '../featurevis/param/index.ts';
import { directionCosine } from '../featurevis/objectives.ts';
import { renderBest } from '../featurevis/render.ts';
import { iconFraming, type IconFraming } from '../featurevis/transforms.ts';
import { receptiveField } from '../models/receptive-field.ts';
import { bridgedKernelsUsed } from '../engine/wasm-kernels/cpu-bridge.ts';
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
  /** Per icon, the RGB bytes [size, size, 3] of the icon it starts from (a warm start), or null for noise. */
  starts?: (Uint8Array | null)[];
}

export interface IconBatchOutput {
  /** [n, size, size, 3] RGB bytes. */
  pixels: Uint8Array;
  /** Final objective of each icon. */
  objectives: Float32Array;
  /** What the build should hear once: kernels that ran through the slow cpu bridge, a receptive field unknown. */
  notices: string[];
}

/** How icons of this layer meet the model, and what could not be worked out for it. */
export interface LayerFraming {
  framing: IconFraming;
  /** The model runs on the canvas at its own size (not the model's declared input size). */
  anySize: boolean;
  receptiveField?: number;
  notices: string[];
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

const framings = new Map<string, LayerFraming>();

/**
 * The icon framing of a layer: its receptive field at the centre position (the input size where it cannot be
 * worked out, with a notice saying why), and whether the model, cut at the layer, runs at the canvas's own size.
 */
export async function layerFraming(input: { model: string; layer: string; iconSize: number }): Promise<LayerFraming> {
  const key = `${input.model}\n${input.layer}\n${input.iconSize}`;
  const known = framings.get(key);
  if (known) return known;
  const runner = await runnerUpTo(input.model, input.layer);
  const notices: string[] = [];
  const field = receptiveField(runner, input.layer);
  let size: number | undefined;
  if ('size' in field) size = Math.min(...field.size);
  else
    notices.push(
      `icons of layer "${input.layer}": the receptive field is unknown because of ${field.unknown}; icons are shown pixel for pixel, whatever the field.`,
    );
  const fixed = fixedInput(runner);
  const receptive = size === undefined ? undefined : fixed ? Math.min(size, ...fixed) : size;
  let anySize = runner.loaded.kind === 'layers';
  let framing = iconFraming({ iconSize: input.iconSize, receptiveField: receptive, fixedInput: fixed, anySize });
  if (anySize && fixed && (framing.canvas[0] !== fixed[0] || framing.canvas[1] !== fixed[1])) {
    // Cut at a convolutional layer, a layers-model usually runs at any size; where it does not (a fixed reshape
    // before the layer), it runs at its declared size.
    try {
      tf.tidy(() => runner.tap(tf.zeros([1, ...framing.canvas, 3]), [input.layer], { anySize: true }));
    } catch {
      anySize = false;
      framing = iconFraming({ iconSize: input.iconSize, receptiveField: receptive, fixedInput: fixed, anySize });
    }
  }
  const result = { framing, anySize, receptiveField: receptive, notices };
  framings.set(key, result);
  return result;
}

/** The framing's plain facts, for the main thread (transforms are functions and stay in the worker). */
export async function framingSummary(input: {
  model: string;
  layer: string;
  iconSize: number;
}): Promise<{ scale: number; canvas: [number, number]; anySize: boolean; receptiveField?: number }> {
  const { framing, anySize, receptiveField } = await layerFraming(input);
  return { scale: framing.scale, canvas: framing.canvas, anySize, receptiveField };
}

export async function renderIconBatch(input: IconBatchInput): Promise<IconBatchOutput> {
  const runner = await runnerUpTo(input.model, input.layer);
  const { settings } = input;
  const { framing, anySize, notices } = await layerFraming({ model: input.model, layer: input.layer, iconSize: settings.size });
  // This batch's own slow ops, not those of earlier tasks in this worker.
  bridgedKernelsUsed.clear();
  const param = imageParam({
    height: settings.size,
    width: settings.size,
    parameterization: settings.parameterization,
    decorrelate: settings.decorrelate,
    range: 'sigmoid',
  });
  try {
    const rendered = renderBest(
      {
        runner,
        objective: directionCosine(input.layer, input.directions, input.depth, settings.cosinePower),
        param,
        transforms: framing.transforms,
        finalTransforms: framing.finalTransforms,
        anySize,
        preprocess: input.preprocess,
        steps: settings.steps,
        learningRate: settings.learningRate,
        redirectedReluSteps: settings.redirectedReluSteps,
        starts: input.starts?.map((bytes) => (bytes ? param.fromImage(Float32Array.from(bytes, (v) => v / 255)) : undefined)),
      },
      settings.attempts,
      (attempt) => input.seeds.map((seed) => new Random(seed, attempt)),
    );
    const slow = [...bridgedKernelsUsed].map(
      (kernel) =>
        `icons of layer "${input.layer}": the ${kernel} op has no fast wasm kernel and ran through the cpu backend, which is slow; a native backend (tfjs-node) runs it at full speed.`,
    );
    return { pixels: Uint8Array.from(rendered.images, (v) => Math.round(v * 255)), objectives: rendered.objectives, notices: [...notices, ...slow] };
  } finally {
    param.dispose();
  }
}
