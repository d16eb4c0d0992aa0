/** The kernels added to wasm agree with the cpu backend's to a relative error under 1e-4. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { registerWasmKernels } from '../../pipeline/engine/wasm-kernels/register.ts';
import { seededValues } from '../helpers/random.ts';
import { maxRelativeError } from '../helpers/compare.ts';

beforeAll(async () => {
  registerWasmKernels();
  await tf.setBackend('wasm');
});

/** Runs a kernel on one backend with the given input values; returns its output values and shape. */
async function runOn(backend: string, kernel: string, inputs: Record<string, { values: Float32Array; shape: number[] }>, attrs: object) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([name, { values, shape }]) => [name, tf.tensor(values, shape)]));
    const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

async function forwardShape(kernel: 'Conv2D' | 'DepthwiseConv2dNative', xShape: number[], filterShape: number[], attrs: object) {
  await tf.setBackend('cpu');
  return tf.tidy(() => (tf.engine().runKernel(kernel, { x: tf.zeros(xShape), filter: tf.zeros(filterShape) }, attrs as tf.NamedAttrMap) as tf.Tensor).shape);
}

async function expectParity(kernel: string, inputs: Record<string, { values: Float32Array; shape: number[] }>, attrs: object) {
  const cpu = await runOn('cpu', kernel, inputs, attrs);
  const wasm = await runOn('wasm', kernel, inputs, attrs);
  expect(wasm.shape).toEqual(cpu.shape);
  expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
}

const random = (shape: number[], seed: number) => ({
  values: seededValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ),
  shape,
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const CONV_CASES: { x: number[]; filter: number[]; strides: [number, number]; pad: Pad }[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 5], strides: [1, 1], pad: 'same' },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 5], strides: [2, 2], pad: 'same' },
  { x: [1, 8, 7, 4], filter: [5, 5, 4, 2], strides: [2, 1], pad: 'valid' },
  { x: [3, 10, 10, 2], filter: [1, 1, 2, 6], strides: [1, 1], pad: 'valid' },
  { x: [2, 11, 11, 3], filter: [2, 3, 3, 4], strides: [3, 2], pad: 'same' },
  {
    x: [1, 7, 7, 3],
    filter: [3, 3, 3, 2],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

describe('convolution gradients on wasm', () => {
  for (const [index, { x, filter, strides, pad }] of CONV_CASES.entries()) {
    const label = `x ${x}, filter ${filter}, strides ${strides}, pad ${JSON.stringify(pad)}`;
    it(`Conv2DBackpropFilter matches cpu: ${label}`, async () => {
      const dyShape = await forwardShape('Conv2D', x, filter, { strides, pad, dilations: [1, 1], dataFormat: 'NHWC' });
      await expectParity(
        'Conv2DBackpropFilter',
        { x: random(x, index), dy: random(dyShape, 100 + index) },
        { strides, pad, dataFormat: 'NHWC', filterShape: filter },
      );
    });
    it(`Conv2DBackpropInput matches cpu: ${label}`, async () => {
      const dyShape = await forwardShape('Conv2D', x, filter, { strides, pad, dilations: [1, 1], dataFormat: 'NHWC' });
      await expectParity(
        'Conv2DBackpropInput',
        { dy: random(dyShape, 200 + index), filter: random(filter, 300 + index) },
        { strides, pad, dataFormat: 'NHWC', inputShape: x },
      );
    });
  }
});

const DEPTHWISE_CASES: { x: number[]; filter: number[]; strides: [number, number]; dilations: [number, number]; pad: 'same' | 'valid' }[] = [
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 10, 8, 3], filter: [3, 3, 3, 2], strides: [2, 2], dilations: [1, 1], pad: 'valid' },
  { x: [1, 9, 11, 3], filter: [5, 3, 3, 1], strides: [1, 2], dilations: [1, 1], pad: 'same' },
  { x: [3, 7, 7, 5], filter: [1, 1, 5, 3], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
];

/**
 * TF.js's cpu kernels ignore dilation in these gradients, so dilated cases are checked against the cpu result
 * for the equivalent undilated filter: the dilated one with (d − 1) zeros between its taps.
 */
function expandFilter(values: Float32Array, shape: number[], d: number): { values: Float32Array; shape: number[] } {
  const [kh, kw, c, m] = shape as [number, number, number, number];
  const [eh, ew] = [(kh - 1) * d + 1, (kw - 1) * d + 1];
  const out = new Float32Array(eh * ew * c * m);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) for (let k = 0; k < c * m; k++) out[(i * d * ew + j * d) * c * m + k] = values[(i * kw + j) * c * m + k]!;
  return { values: out, shape: [eh, ew, c, m] };
}

function takeDilatedTaps(values: Float32Array, expandedShape: number[], shape: number[], d: number): Float32Array {
  const [, ew, c, m] = expandedShape as [number, number, number, number];
  const [kh, kw] = shape as [number, number];
  const out = new Float32Array(kh * kw * c * m);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) for (let k = 0; k < c * m; k++) out[(i * kw + j) * c * m + k] = values[(i * d * ew + j * d) * c * m + k]!;
  return out;
}

describe('dilated depthwise convolution gradients on wasm', () => {
  const x = [2, 12, 12, 2];
  const filter = [3, 3, 2, 1];
  const d = 2;
  for (const pad of ['same', 'valid'] as const) {
    it(`match the undilated equivalent on cpu (pad ${pad})`, async () => {
      const w = random(filter, 7);
      const expanded = expandFilter(w.values, filter, d);
      const dyShape = await forwardShape('DepthwiseConv2dNative', x, filter, { strides: [1, 1], pad, dilations: [d, d] });
      const dy = random(dyShape, 8);
      const xs = random(x, 9);

      const cpuInput = await runOn(
        'cpu',
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter: expanded },
        { strides: [1, 1], dilations: [1, 1], pad, inputShape: x },
      );
      const wasmInput = await runOn(
        'wasm',
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter: w },
        { strides: [1, 1], dilations: [d, d], pad, inputShape: x },
      );
      expect(maxRelativeError(wasmInput.values, cpuInput.values)).toBeLessThan(1e-4);

      const cpuFilter = await runOn(
        'cpu',
        'DepthwiseConv2dNativeBackpropFilter',
        { x: xs, dy },
        { strides: [1, 1], dilations: [1, 1], pad, filterShape: expanded.shape },
      );
      const wasmFilter = await runOn(
        'wasm',
        'DepthwiseConv2dNativeBackpropFilter',
        { x: xs, dy },
        { strides: [1, 1], dilations: [d, d], pad, filterShape: filter },
      );
      expect(maxRelativeError(wasmFilter.values, takeDilatedTaps(cpuFilter.values, expanded.shape, filter, d))).toBeLessThan(1e-4);
    });
  }
});

describe('depthwise convolution gradients on wasm', () => {
  for (const [index, { x, filter, strides, dilations, pad }] of DEPTHWISE_CASES.entries()) {
    const label = `x ${x}, filter ${filter}, strides ${strides}, dilations ${dilations}, pad ${pad}`;
    it(`DepthwiseConv2dNativeBackpropFilter matches cpu: ${label}`, async () => {
      const dyShape = await forwardShape('DepthwiseConv2dNative', x, filter, { strides, pad, dilations });
      await expectParity(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: random(x, index), dy: random(dyShape, 50 + index) },
        { strides, dilations, pad, filterShape: filter },
      );
    });
    it(`DepthwiseConv2dNativeBackpropInput matches cpu: ${label}`, async () => {
      const dyShape = await forwardShape('DepthwiseConv2dNative', x, filter, { strides, pad, dilations });
      await expectParity(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: random(dyShape, 70 + index), filter: random(filter, 90 + index) },
        { strides, dilations, pad, inputShape: x },
      );
    });
  }
});

describe('gradients through fused ops on wasm', () => {
  const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid'] as const;
  for (const activation of activations) {
    it(`match cpu for conv, depthwise and matMul with ${activation}`, async () => {
      const x = random([2, 8, 8, 3], 1);
      const filter = random([3, 3, 3, 4], 2);
      const depthwise = random([3, 3, 3, 2], 3);
      const dense = random([192, 5], 4);
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        results[backend] = tf.tidy(() => {
          const xs = tf.tensor(x.values, x.shape);
          const grads = tf.grads((input: tf.Tensor, f: tf.Tensor, d: tf.Tensor, m: tf.Tensor) => {
            const options = { activation, leakyreluAlpha: 0.2 } as const;
            const a = tf.fused.conv2d({ x: input as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.fill([4], 0.1), ...options });
            const b = tf.fused.depthwiseConv2d({
              x: input as tf.Tensor4D,
              filter: d as tf.Tensor4D,
              strides: 2,
              pad: 'same',
              bias: tf.fill([6], -0.1),
              ...options,
            });
            const c = tf.fused.matMul({ a: tf.reshape(input, [2, 192]), b: m as tf.Tensor2D, bias: tf.fill([5], 0.2), ...options });
            return tf.addN([tf.sum(tf.square(a)), tf.sum(tf.mul(b, b)), tf.sum(tf.sin(c))]);
          })([xs, tf.tensor(filter.values, filter.shape), tf.tensor(depthwise.values, depthwise.shape), tf.tensor(dense.values, dense.shape)]);
          return grads.map((g) => g.dataSync() as Float32Array);
        });
      }
      for (let i = 0; i < 4; i++) expect(maxRelativeError(results.wasm![i]!, results.cpu![i]!)).toBeLessThan(1e-4);
    });
  }
});
