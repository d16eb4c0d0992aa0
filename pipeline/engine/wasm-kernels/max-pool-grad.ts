/**
 * MaxPoolGrad for wasm, replacing its own (which took a sixth of a training step of the demo network): for each
 * output, the first largest input in its window (as the cpu kernel picks it) receives the output's gradient.
 * One pass over typed arrays in the wasm heap, no copies.
 */
import { tf, type TensorInfo } from '../tf.ts';

type WasmBackend = {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
};

export function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'same' | 'valid' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const wasm = backend as unknown as WasmBackend;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // The output first: allocating it can grow the wasm heap, which detaches views taken before.
  const output = wasm.makeOutput(input.shape, 'float32');
  const x = wasm.typedArrayFromHeap(input);
  const gradient = wasm.typedArrayFromHeap(dy);
  const dx = wasm.typedArrayFromHeap(output);
  dx.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        let first = true;
        for (let fh = 0; fh < filterHeight; fh++) {
          const h = h0 + fh;
          if (h < 0 || h >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const w = w0 + fw;
            if (w < 0 || w >= inWidth) continue;
            const base = ((b * inHeight + h) * inWidth + w) * channels;
            if (first) {
              // The window's first position starts every channel's running maximum.
              for (let c = 0; c < channels; c++) {
                best[c] = x[base + c]!;
                where[c] = base + c;
              }
              first = false;
              continue;
            }
            for (let c = 0; c < channels; c++) {
              const value = x[base + c]!;
              if (value > best[c]!) {
                best[c] = value;
                where[c] = base + c;
              }
            }
          }
        }
        if (first) continue;
        const out = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) dx[where[c]!] = dx[where[c]!]! + gradient[out + c]!;
      }
    }
  }
  return output;
}
