/**
 * Model computations that the worker pool runs, one batch per call. Each worker loads a model folder once and
 * keeps it. Inputs and outputs are plain typed arrays with shapes, so they cross threads without copying.
 */
import { tf } from '../engine/tf.ts';
import { loadModel } from './load.ts';
import { ModelRunner } from './runner.ts';

export interface Batch {
  values: Float32Array;
  shape: number[];
}

const runners = new Map<string, Promise<ModelRunner>>();

/** The worker's runner for a model folder, loaded once per thread. */
export function runnerFor(folder: string): Promise<ModelRunner> {
  let runner = runners.get(folder);
  if (!runner) {
    runner = loadModel(folder).then((loaded) => new ModelRunner(loaded));
    runners.set(folder, runner);
  }
  return runner;
}

/** The named layers' outputs for a batch of inputs, from one forward pass. */
export async function forward(input: { model: string; layers: string[]; batch: Batch }): Promise<Record<string, Batch>> {
  const runner = await runnerFor(input.model);
  const taps = tf.tidy(() => runner.tap(tf.tensor(input.batch.values, input.batch.shape), input.layers));
  const result: Record<string, Batch> = {};
  for (const [name, tensor] of Object.entries(taps)) {
    result[name] = { values: (await tensor.data()) as Float32Array, shape: tensor.shape };
    tensor.dispose();
  }
  return result;
}

/**
 * The gradient with respect to the input of the mean squared activation of a layer (or of one channel of it):
 * the step that feature visualization repeats, and a fair measure of forward-plus-backward speed.
 */
export async function inputGradient(input: { model: string; layer: string; channel?: number; batch: Batch }): Promise<Batch> {
  const runner = await runnerFor(input.model);
  const gradient = tf.tidy(() =>
    runner.inputGradient(tf.tensor(input.batch.values, input.batch.shape), [input.layer], (taps) => {
      const activation = taps[input.layer]!;
      const selected = input.channel === undefined ? activation : tf.gather(activation, [input.channel], activation.rank - 1);
      return tf.mean(tf.square(selected)) as tf.Scalar;
    }),
  );
  const values = (await gradient.data()) as Float32Array;
  gradient.dispose();
  return { values, shape: input.batch.shape };
}
