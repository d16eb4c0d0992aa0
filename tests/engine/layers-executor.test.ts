/** Folding batch norm into convolutions changes no output: the executor matches the model's own apply(). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { loadModel } from '../../pipeline/models/load.ts';
import { ModelRunner } from '../../pipeline/models/runner.ts';
import { fixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';

const REAL = path.resolve('../shared/realdata/mobilenet_v1_0.25_224');

beforeAll(async () => {
  await useBackend('wasm');
});

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]! / tf.max(tf.abs(expected)).dataSync()[0]!);
}

async function compare(folder: string, size: number, layers: string[]) {
  const loaded = await loadModel(folder);
  if (loaded.kind !== 'layers') throw new Error('expected a layers-model');
  const runner = new ModelRunner(loaded);
  const input = tf.tensor(seededValues(2 * size * size * 3, 5), [2, size, size, 3]);
  const reference = tf.model({ inputs: loaded.model.inputs, outputs: layers.map((name) => loaded.model.getLayer(name).output as tf.SymbolicTensor) });
  const expected = reference.predict(input) as tf.Tensor[];
  for (const forGradient of [false, true]) {
    const taps = runner.tap(input, layers, { forGradient });
    layers.forEach((name, i) => expect(relativeError(taps[name]!, expected[i]!), `${name}, forGradient ${forGradient}`).toBeLessThan(1e-4));
  }
}

describe('layers executor', () => {
  it('matches apply() on the MobileNet-shaped fixture, folded chains included', async () => {
    const { mobilenet } = await fixtureModels();
    await compare(mobilenet, 64, ['conv1_relu', 'conv_dw_2_relu', 'conv_pw_5_relu', 'conv_preds', 'reshape_2']);
  });

  it('keeps a tapped batch-norm output rather than folding it away', async () => {
    const { mobilenet } = await fixtureModels();
    await compare(mobilenet, 64, ['conv_dw_3_bn', 'conv_pw_3', 'conv_pw_5_relu']);
  });

  it.skipIf(!existsSync(path.join(REAL, 'model.json')))('matches apply() on the real MobileNet v1 0.25 (skipped without ../shared/realdata)', async () => {
    await compare(REAL, 224, ['conv_pw_3_relu', 'conv_pw_13_relu', 'conv_preds']);
  });
});
