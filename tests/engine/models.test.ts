/** Loading, inspecting and tapping the fixture models; gradients agree between wasm and cpu; bad model folders. */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { loadModel } from '../../pipeline/models/load.ts';
import { ModelRunner } from '../../pipeline/models/runner.ts';
import { inspectModel } from '../../pipeline/models/inspect.ts';
import { fixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';
import { maxRelativeError } from '../helpers/compare.ts';

let models: { mobilenet: string; inception: string };

beforeAll(async () => {
  models = await fixtureModels();
  await useBackend('wasm');
});

const CASES = {
  mobilenet: { size: 64, layers: ['conv_pw_3_relu', 'conv_pw_5_relu'], logitsShape: [2, 1, 1, 10] },
  inception: { size: 32, layers: ['lrn1', 'mixed3a'], logitsShape: [2, 10] },
} as const;

describe('fixture models', () => {
  for (const [name, spec] of Object.entries(CASES)) {
    it(`${name}: taps several layers and the logits in one pass`, async () => {
      const runner = new ModelRunner(await loadModel(models[name as keyof typeof models]));
      const input = tf.tensor(seededValues(2 * spec.size * spec.size * 3, 1), [2, spec.size, spec.size, 3]);
      const taps = runner.tap(input, [...spec.layers, 'logits']);
      expect(Object.keys(taps)).toEqual([...spec.layers, 'logits']);
      expect(taps.logits!.shape).toEqual(spec.logitsShape);
      // The logits are pre-softmax: they need not sum to one.
      expect(Math.abs(tf.sum(tf.softmax(tf.reshape(taps.logits!, [2, 10]))).dataSync()[0]! - 2)).toBeLessThan(1e-4);
      expect(Math.abs(tf.sum(taps.logits!).dataSync()[0]! - 2)).toBeGreaterThan(1e-3);
    });

    it(`${name}: input gradients agree between wasm and cpu`, async () => {
      const folder = models[name as keyof typeof models];
      const values = seededValues(2 * spec.size * spec.size * 3, 2);
      const gradients: Float32Array[] = [];
      for (const backend of ['wasm', 'cpu'] as const) {
        await useBackend(backend);
        const runner = new ModelRunner(await loadModel(folder));
        const layer = spec.layers[1]!;
        gradients.push(
          tf.tidy(
            () =>
              runner
                .inputGradient(tf.tensor(values, [2, spec.size, spec.size, 3]), [layer, 'logits'], (taps) =>
                  tf.add(tf.mean(tf.square(taps[layer]!)), tf.sum(tf.gather(tf.reshape(taps.logits!, [2, 10]), [3], 1))),
                )
                .dataSync() as Float32Array,
          ),
        );
      }
      await useBackend('wasm');
      const [wasm, cpu] = gradients as [Float32Array, Float32Array];
      expect(cpu.some((value) => value !== 0)).toBe(true);
      expect(maxRelativeError(wasm, cpu)).toBeLessThan(1e-4);
    });
  }

  it('inspects a layers-model, marking the logits before the softmax', async () => {
    const text = inspectModel(await loadModel(models.mobilenet));
    expect(text).toMatch(/layers-model, input input_1\S* \[N, N, N, 3\]/);
    expect(text).toMatch(/conv_dw_1\s+DepthwiseConv2D\s+\[N, N, N, 16\]\s+144/);
    expect(text).toMatch(/conv_preds\s+Conv2D\s+\[N, 1, 1, 10\]\s+1290\s+← logits/);
    expect(text.trim().split('\n').at(-1)).toBe('logits: conv_preds');
  });

  it('inspects a graph-model, measuring node shapes with one pass', async () => {
    const text = inspectModel(await loadModel(models.inception));
    expect(text).toMatch(/mixed3a\s+ConcatV2\s+\[N, 16, 16, 32\]/);
    expect(text).toMatch(/logits\s+_FusedMatMul\s+\[N, 10\]\s+← logits/);
  });

  it('names the closest layers when a layer name is wrong', async () => {
    const runner = new ModelRunner(await loadModel(models.mobilenet));
    expect(() => runner.checkLayer('conv_pw_5_rleu')).toThrowError(/has no layer "conv_pw_5_rleu"; the closest are conv_pw_5_relu, /);
  });

  it('refuses an input of the wrong size, saying what the model takes', async () => {
    const runner = new ModelRunner(await loadModel(models.inception));
    expect(() => runner.tap(tf.zeros([1, 64, 64, 3]), ['logits'])).toThrowError(
      /takes input \[N, 32, 32, 3\] but was given \[N, 64, 64, 3\]; set the recipe's preprocess size to match\.$/,
    );
  });
});

describe('bad model folders', () => {
  const copy = (source: string) => {
    const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'atlas-model-')), 'model');
    cpSync(source, folder, { recursive: true });
    return folder;
  };

  it('a folder without model.json', async () => {
    await expect(loadModel(mkdtempSync(path.join(os.tmpdir(), 'atlas-empty-')))).rejects.toThrowError(
      /model\.json: not found; a TF\.js model folder holds model\.json/,
    );
  });

  it('a model.json that is not a model', async () => {
    const folder = copy(models.inception);
    writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ hello: 'world' }));
    await expect(loadModel(folder)).rejects.toThrowError(/model\.json: not a TF\.js model \(no modelTopology and weightsManifest\)/);
    writeFileSync(path.join(folder, 'model.json'), '{ "modelTopology": ');
    await expect(loadModel(folder)).rejects.toThrowError(/model\.json: not valid JSON/);
  });

  it('a missing weight file', async () => {
    const folder = copy(models.inception);
    rmSync(path.join(folder, 'group1-shard1of1.bin'));
    await expect(loadModel(folder)).rejects.toThrowError(/group1-shard1of1\.bin: weight file listed in model\.json is missing; copy it next to model\.json\.$/);
  });

  it('a truncated weight file', async () => {
    const folder = copy(models.mobilenet);
    const file = path.join(folder, 'group1-shard1of1');
    truncateSync(file, 1000);
    await expect(loadModel(folder)).rejects.toThrowError(
      /group1-shard1of1: holds 1000 bytes but the weights listed for it in model\.json need \d+; the file is truncated/,
    );
  });

  it('weight files with or without the .bin suffix', async () => {
    const folder = copy(models.mobilenet);
    cpSync(path.join(folder, 'group1-shard1of1'), path.join(folder, 'group1-shard1of1.bin'));
    rmSync(path.join(folder, 'group1-shard1of1'));
    await expect(loadModel(folder)).resolves.toMatchObject({ kind: 'layers' });
  });

  it('an op that TensorFlow.js does not support', async () => {
    const folder = copy(models.inception);
    const json = JSON.parse(readFileSync(path.join(folder, 'model.json'), 'utf8'));
    json.modelTopology.node.find((node: { name: string }) => node.name === 'lrn1').op = 'FancyNorm';
    writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
    await expect(loadModel(folder)).rejects.toThrowError(/uses the op FancyNorm, which TensorFlow\.js does not support/);
  });
});
