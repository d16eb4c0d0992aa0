/**
 * The convolution unit's input gradient (fused forward, phase-decomposed transposed convolution with a filter
 * made once) equals TF.js's autodiff of the same unit written with unfused ops, on wasm and on the cpu backend,
 * for every activation it fuses, strides 1–3, odd and even filters, both paddings and depthwise units.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { ConvUnit, type ConvUnitSpec } from '../../pipeline/engine/gradients/conv-unit.ts';
import type { UnitActivation } from '../../pipeline/engine/gradients/activation.ts';
import { seededValues } from '../helpers/random.ts';
import { maxRelativeError } from '../helpers/compare.ts';

afterAll(async () => {
  await useBackend('wasm');
});

interface Case {
  kind: 'conv' | 'depthwise';
  size: [number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
  activation: UnitActivation;
  dilation?: number;
}

const cases: Case[] = [
  { kind: 'conv', size: [9, 9], filter: [3, 3, 4, 5], stride: 1, pad: 'same', activation: 'relu' },
  { kind: 'conv', size: [9, 10], filter: [3, 3, 4, 5], stride: 2, pad: 'same', activation: 'relu6' },
  { kind: 'conv', size: [11, 11], filter: [7, 7, 3, 6], stride: 2, pad: 'same', activation: 'leakyrelu' },
  { kind: 'conv', size: [12, 12], filter: [4, 4, 3, 4], stride: 2, pad: 'valid', activation: 'linear' },
  { kind: 'conv', size: [13, 11], filter: [5, 5, 2, 3], stride: 3, pad: 'same', activation: 'elu' },
  { kind: 'conv', size: [8, 8], filter: [1, 1, 6, 4], stride: 1, pad: 'valid', activation: 'sigmoid' },
  { kind: 'conv', size: [16, 16], filter: [1, 1, 4, 6], stride: 2, pad: 'same', activation: 'linear' },
  { kind: 'conv', size: [16, 16], filter: [3, 3, 4, 6], stride: 2, pad: 'same', activation: 'relu' },
  { kind: 'conv', size: [10, 10], filter: [1, 3, 4, 4], stride: 1, pad: 'same', activation: 'relu' },
  { kind: 'conv', size: [10, 10], filter: [3, 3, 4, 4], stride: 1, pad: 'same', activation: 'relu', dilation: 2 },
  { kind: 'depthwise', size: [9, 9], filter: [3, 3, 5, 1], stride: 1, pad: 'same', activation: 'relu6' },
  { kind: 'depthwise', size: [10, 9], filter: [3, 3, 5, 1], stride: 2, pad: 'same', activation: 'relu' },
  { kind: 'depthwise', size: [9, 9], filter: [3, 3, 4, 2], stride: 1, pad: 'valid', activation: 'leakyrelu' },
];

function specFor(c: Case, seed: number): ConvUnitSpec {
  const [kh, kw, cin, cout] = c.filter;
  const outChannels = c.kind === 'conv' ? cout : cin * cout;
  return {
    kind: c.kind,
    filter: tf.tensor4d(seededValues(kh * kw * cin * cout, seed), c.filter),
    bias: tf.tensor1d(seededValues(outChannels, seed + 1).map((v) => v * 0.3)),
    activation: c.activation,
    alpha: 0.1,
    strides: [c.stride, c.stride],
    pad: c.pad,
    dilations: [c.dilation ?? 1, c.dilation ?? 1],
  };
}

/** The filter with d − 1 zeros between taps. */
function dilate(filter: tf.Tensor, d: number): tf.Tensor {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const [h, w] = [(kh - 1) * d + 1, (kw - 1) * d + 1];
  const source = filter.dataSync();
  const out = new Float32Array(h * w * cin * cout);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++) out.set(source.subarray((y * kw + x) * cin * cout, (y * kw + x + 1) * cin * cout), (y * d * w + x * d) * cin * cout);
  return tf.tensor4d(out, [h, w, cin, cout]);
}

describe('convolution unit input gradient', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [index, c] of cases.entries()) {
      const label = `${c.kind} ${c.filter.join('×')} stride ${c.stride} ${c.pad} ${c.activation}${c.dilation ? ` dilation ${c.dilation}` : ''} (${backend})`;
      it(`matches autodiff of the unfused ops: ${label}`, async () => {
        await useBackend(backend);
        const unit = new ConvUnit(specFor(c, 10 + index * 7));
        const x = tf.tensor4d(seededValues(2 * c.size[0] * c.size[1] * c.filter[2], 3 + index), [2, ...c.size, c.filter[2]]);
        // A loss whose gradient differs at every output, so every tap of the transposed convolution is exercised.
        const weightsFor = (y: tf.Tensor) => tf.tensor(seededValues(y.size, 99 + index), y.shape);
        const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, weightsFor(y))) as tf.Scalar;
        const fastOut = unit.withInputGradient(x);
        const referenceOut = unit.unfused(x);
        expect(fastOut.shape).toEqual(referenceOut.shape);
        expect(maxRelativeError(fastOut.dataSync(), referenceOut.dataSync())).toBeLessThan(1e-4);
        const fast = tf.grad((input: tf.Tensor) => loss(unit.withInputGradient(input)))(x);
        // TF.js cannot differentiate a dilated convolution: its reference is the undilated one whose filter has
        // zeros between the taps, the same function.
        const referenceUnit = c.dilation ? new ConvUnit({ ...unit.spec, filter: dilate(unit.spec.filter, c.dilation), dilations: [1, 1] }) : unit;
        const reference = tf.grad((input: tf.Tensor) => loss(referenceUnit.unfused(input)))(x);
        expect(fast.shape).toEqual(x.shape);
        expect(maxRelativeError(fast.dataSync(), reference.dataSync())).toBeLessThan(1e-4);
        unit.dispose();
      });
    }
  }
});
