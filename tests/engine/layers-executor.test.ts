/** Folding batch norm into convolutions changes no output: the executor matches the model's own apply(). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { loadModel } from '../../pipeline/models/load.ts';
import { ModelRunner } from '../../pipeline/models/runner.ts';
import { fixtureModels, type FixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';
import { maxRelativeError } from '../helpers/compare.ts';

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

  it('matches apply() on the Darknet-shaped fixture (conv → batch norm → LeakyReLU folded into one unit)', async () => {
    const { darknet } = await fixtureModels();
    await compare(darknet, 48, ['conv1_leaky', 'pool2', 'conv5_leaky', 'conv6_bn', 'softmax']);
  });

  it('matches apply() on the ResNet-shaped fixture (strided convolutions, projections, residual adds)', async () => {
    const { resnet } = await fixtureModels();
    await compare(resnet, 48, ['stem_pool', 'stage2_block1_out', 'stage3_block2_out', 'fc']);
  });

  it.skipIf(!existsSync(path.join(REAL, 'model.json')))('matches apply() on the real MobileNet v1 0.25 (skipped without ../shared/realdata)', async () => {
    await compare(REAL, 224, ['conv_pw_3_relu', 'conv_pw_13_relu', 'conv_preds']);
  });
});

describe('input gradients through the executor', () => {
  // The fast units (fused forward, input-only gradient) against the same units unfused under TF.js's own
  // gradients, through whole networks: batch norm folded, ReLU, ReLU6 and LeakyReLU, strided and depthwise
  // convolutions, max pools, concatenations and residual adds. On the cpu backend the fused and unfused forward
  // passes round alike, so the gradients agree to 1e-4. On wasm the fused kernel rounds differently (~1e-6), which
  // can move a pre-activation within 1e-6 of zero across a ReLU's kink and reroute one position's gradient: there
  // the whole gradient is compared (relative L2) and each unit is held to 1e-4 in conv-unit.test.ts.
  const subjects: [string, keyof FixtureModels, string][] = [
    ['Darknet-shaped', 'darknet', 'conv6_leaky'],
    ['ResNet-shaped', 'resnet', 'stage3_block2_out'],
    ['MobileNet-shaped', 'mobilenet', 'conv_pw_5_relu'],
    ['Inception-shaped, dense', 'inceptionDense', 'mixed3b'],
  ];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [label, key, layer] of subjects) {
      it(`are the same fast and unfused: ${label}, ${layer} (${backend})`, async () => {
        await useBackend(backend);
        try {
          const size = backend === 'cpu' ? 32 : 64;
          const runner = new ModelRunner(await loadModel((await fixtureModels())[key]));
          const input = tf.tensor(seededValues(2 * size * size * 3, 21), [2, size, size, 3]);
          const gradient = () =>
            runner
              .inputGradient(input, [layer], (taps) => {
                const activation = taps[layer]!;
                return tf.sum(tf.mul(activation, tf.tensor(seededValues(activation.size, 22), activation.shape))) as tf.Scalar;
              })
              .dataSync() as Float32Array;
          const fast = gradient();
          process.env.ATLAS_GRADIENTS = 'reference';
          const reference = gradient();
          delete process.env.ATLAS_GRADIENTS;
          expect(Math.max(...reference.map(Math.abs))).toBeGreaterThan(0);
          if (backend === 'cpu') expect(maxRelativeError(fast, reference)).toBeLessThan(1e-4);
          else expect(relativeL2(fast, reference)).toBeLessThan(1e-2);
        } finally {
          delete process.env.ATLAS_GRADIENTS;
          await useBackend('wasm');
        }
      });
    }
  }
});

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    difference += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return Math.sqrt(difference / norm);
}
