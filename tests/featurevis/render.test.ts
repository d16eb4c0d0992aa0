/**
 * The optimization loop on the fixture models (a layers-model with ReLU6 and an open input size; a graph-model
 * with fused convolutions and a fixed 32-pixel input): optimized images score far above random ones under the
 * same transforms, and different directions give different images.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { loadModel } from '../../pipeline/models/load.ts';
import { ModelRunner } from '../../pipeline/models/runner.ts';
import { Random } from '../../pipeline/random.ts';
import { imageParam } from '../../pipeline/featurevis/param/index.ts';
import { directionCosine } from '../../pipeline/featurevis/objectives.ts';
import { objectiveOf, renderBest, renderVis } from '../../pipeline/featurevis/render.ts';
import { jitter, pad, standardFraming, standardTransforms } from '../../pipeline/featurevis/transforms.ts';
import { fixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';

let models: { mobilenet: string; inception: string };
beforeAll(async () => {
  await useBackend('wasm');
  models = await fixtureModels();
});

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0) / values.length;

/** Directions like a cell's mean activation: non-negative, a few channels strong (not made from noise images). */
function someDirections(count: number, depth: number): Float32Array {
  return Float32Array.from(seededValues(count * depth, 31), (v, i) => (i % 5 === count % 5 ? 1 : 0.2) * Math.abs(v));
}

const cases = [
  {
    name: 'MobileNet-shaped layers-model (ReLU6, any input size)',
    model: () => models.mobilenet,
    layer: 'conv_pw_3_relu',
    depth: 64,
    size: 32,
    input: 64,
    fixed: undefined,
    wholePixel: true,
  },
  {
    name: 'Inception-shaped graph-model (fused conv, fixed 32-px input)',
    model: () => models.inception,
    layer: 'mixed3a',
    depth: 32,
    size: 24,
    input: 32,
    fixed: [32, 32] as [number, number],
    wholePixel: false,
  },
];

describe('feature visualization', () => {
  for (const c of cases) {
    it(`raises the objective ≥ 5× over random images, with a different image per direction: ${c.name}`, async () => {
      const runner = new ModelRunner(await loadModel(c.model()));
      const preprocess = { size: c.input, range: [-1, 1] as [number, number], channels: 'rgb' as const, resize: 'crop' as const };
      const depth = runner.summary.layers.find((l) => l.name === c.layer)?.shape?.at(-1) ?? c.depth;
      const directions = someDirections(3, depth);
      const objective = directionCosine(c.layer, directions, depth, 2);
      const param = imageParam({ height: c.size, width: c.size, parameterization: 'fourier', decorrelate: true, range: 'sigmoid' });
      // The MobileNet fixture's random filters respond to pixel-level detail that bilinear resampling (random
      // scale and rotation) blurs away, so it is judged under whole-pixel moves only; the graph fixture under all.
      const transforms = c.wholePixel ? [pad(6), jitter(3), jitter(2)] : standardTransforms(c.size, c.fixed);
      const finalTransforms = standardFraming(c.size, c.fixed);
      const randoms = (attempt: number) => [0, 1, 2].map((i) => new Random(5, i, attempt));
      const rendered = renderBest({ runner, objective, param, transforms, finalTransforms, preprocess, steps: 64 }, 2, randoms);

      // Score both the optimized and random images under the same random transforms, averaged over draws.
      const score = (images: Float32Array) =>
        mean(
          [0, 1, 2, 3].map((draw) =>
            tf.tidy(() =>
              mean(
                objectiveOf(
                  { runner, objective, randoms: [0, 1, 2].map((i) => new Random(77, i, draw)), preprocess },
                  tf.tensor4d(images, [3, c.size, c.size, 3]),
                  transforms,
                ).dataSync(),
              ),
            ),
          ),
        );
      const noise = Float32Array.from(seededValues(3 * c.size * c.size * 3, 99), (v) => (v + 1) / 2);
      const start = renderVis({ runner, objective, param, randoms: randoms(0), transforms, finalTransforms, preprocess, steps: 0 });
      const optimized = score(rendered.images);
      const random = Math.max(Math.abs(score(noise)), Math.abs(score(start.images)));
      expect(optimized, `optimized ${optimized}, random ${random}`).toBeGreaterThan(5 * random);

      // Each direction gets its own image: mean absolute pixel difference well above zero.
      const perImage = c.size * c.size * 3;
      const image = (i: number) => rendered.images.subarray(i * perImage, (i + 1) * perImage);
      for (const [a, b] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ] as const) {
        expect(mean(image(a).map((v, k) => Math.abs(v - image(b)[k]!)))).toBeGreaterThan(0.03);
      }
      param.dispose();
    });
  }
});
