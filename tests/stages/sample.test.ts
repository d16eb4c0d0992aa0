/** Sampling activations and their attributions h · ∂logit/∂h for a batch, checked by finite differences. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { loadModel } from '../../pipeline/models/load.ts';
import { ModelRunner } from '../../pipeline/models/runner.ts';
import { sampleBatch } from '../../pipeline/stages/activations/sample.ts';
import { fixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';

let runner: ModelRunner;
beforeAll(async () => {
  await useBackend('wasm');
  runner = new ModelRunner(await loadModel((await fixtureModels()).mobilenet));
});

const options = { layers: ['conv_pw_3_relu', 'conv_pw_5_relu'], positionsPerImage: 2, seed: 4, topK: 3, declared: [7, 2], classCount: 10 };

describe('sampling a batch', () => {
  it('samples seeded positions and keeps the top attributions and the declared classes', () => {
    const input = tf.tensor(seededValues(3 * 64 * 64 * 3, 9), [3, 64, 64, 3]);
    const result = sampleBatch(runner, input, [10, 11, 12], options);
    const again = sampleBatch(runner, input, [10, 11, 12], options);
    expect(result.predictions).toHaveLength(3);
    const layer = result.layers.conv_pw_5_relu!;
    expect(layer.depth).toBe(128);
    expect(layer.activations).toHaveLength(6 * 128);
    expect(Array.from(layer.origins.filter((_, i) => i % 3 === 0))).toEqual([10, 10, 11, 11, 12, 12]);
    expect(Buffer.from(again.layers.conv_pw_5_relu!.origins.buffer).equals(Buffer.from(layer.origins.buffer))).toBe(true);
    for (let n = 0; n < 6; n++) {
      const values = layer.topValues.subarray(n * 3, n * 3 + 3);
      expect(values[0]).toBeGreaterThanOrEqual(values[1]!);
      expect(values[1]).toBeGreaterThanOrEqual(values[2]!);
    }
  });

  it('gives the same attributions by differences as by gradients', () => {
    const input = tf.tensor(seededValues(4 * 64 * 64 * 3, 21), [4, 64, 64, 3]);
    const all = { ...options, positionsPerImage: 2, declared: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    const difference = sampleBatch(runner, input, [0, 1, 2, 3], all).layers.conv_pw_3_relu!.declared;
    const gradient = sampleBatch(runner, input, [0, 1, 2, 3], { ...all, method: 'gradient' }).layers.conv_pw_3_relu!.declared;
    const scale = Math.max(...Array.from(gradient, Math.abs));
    let worst = 0;
    gradient.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - difference[i]!) / scale)));
    expect(worst).toBeLessThan(1e-2);
  });

  it('gives attributions that match a finite-difference change of the logit', () => {
    const input = tf.tensor(seededValues(1 * 64 * 64 * 3, 3), [1, 64, 64, 3]);
    const layerName = 'conv_pw_5_relu';
    const result = sampleBatch(runner, input, [0], { ...options, positionsPerImage: 1, declared: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], method: 'gradient' });
    const samples = result.layers[layerName]!;
    const [, y, x] = samples.origins;
    const epsilon = 1e-3;
    const change = tf.tidy(() => {
      const h = runner.tap(input, [layerName])[layerName]!;
      const mask = tf.buffer(h.shape);
      for (let c = 0; c < h.shape[3]!; c++) mask.set(epsilon, 0, y!, x!, c);
      const scaled = tf.mul(h, tf.add(1, mask.toTensor()));
      const before = tf.reshape(runner.logitsFrom(layerName, h), [-1]);
      const after = tf.reshape(runner.logitsFrom(layerName, scaled), [-1]);
      return Array.from(tf.div(tf.sub(after, before), epsilon).dataSync());
    });
    const attributions = Array.from(samples.declared);
    const scale = Math.max(...attributions.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    attributions.forEach((value, c) => expect(Math.abs(value - change[c]!) / scale, `class ${c}`).toBeLessThan(0.02));
  });
});
