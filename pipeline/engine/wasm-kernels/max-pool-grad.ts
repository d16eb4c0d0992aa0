/**
 * MaxPoolGrad for wasm, replacing its own (which took a sixth of a training step of the demo network): for each
 * output, the first largest input in its window (as the cpu kernel picks it) receives the output's gradient.
 *
 * Separable, as a k×k maximum is a maximum over rows of maxima along rows: a horizontal pass keeps, for every
 * input row and output column, the first largest value of its fw-wide span and where it is; a vertical pass
 * picks the first largest of fh of those. The first of the largest in (row, column) order is the same position
 * either way, so ties go where they went before, and a 3×3 window costs 3 + 3 comparisons instead of 9.
 * Plain loops over typed arrays in the wasm heap (no copies of the input).
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
  const x = wasm.typedArrayFromHeap(input).slice();
  const gradient = wasm.typedArrayFromHeap(dy);
  const dx = wasm.typedArrayFromHeap(output);
  dx.fill(0);

  // Horizontal pass: [B, inHeight, outWidth, C] largest values and their flat indices into x (−1: empty span).
  const rowBest = new Float32Array(batchSize * inHeight * outWidth * channels);
  const rowWhere = new Int32Array(rowBest.length).fill(-1);
  for (let b = 0; b < batchSize; b++) {
    for (let h = 0; h < inHeight; h++) {
      const inRow = (b * inHeight + h) * inWidth;
      for (let ow = 0; ow < outWidth; ow++) {
        const out = ((b * inHeight + h) * outWidth + ow) * channels;
        const w0 = ow * strideWidth - left;
        const first = Math.max(0, w0);
        const last = Math.min(inWidth, w0 + filterWidth);
        if (first >= last) continue;
        let base = (inRow + first) * channels;
        for (let c = 0; c < channels; c++) {
          rowBest[out + c] = x[base + c]!;
          rowWhere[out + c] = base + c;
        }
        for (let w = first + 1; w < last; w++) {
          base = (inRow + w) * channels;
          for (let c = 0; c < channels; c++) {
            const value = x[base + c]!;
            if (value > rowBest[out + c]!) {
              rowBest[out + c] = value;
              rowWhere[out + c] = base + c;
            }
          }
        }
      }
    }
  }

  // Vertical pass: the first largest of the window's rows receives the output's gradient.
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const first = Math.max(0, h0);
      const last = Math.min(inHeight, h0 + filterHeight);
      if (first >= last) continue;
      for (let ow = 0; ow < outWidth; ow++) {
        let row = ((b * inHeight + first) * outWidth + ow) * channels;
        if (rowWhere[row] === -1) continue;
        for (let c = 0; c < channels; c++) {
          best[c] = rowBest[row + c]!;
          where[c] = rowWhere[row + c]!;
        }
        for (let h = first + 1; h < last; h++) {
          row = ((b * inHeight + h) * outWidth + ow) * channels;
          for (let c = 0; c < channels; c++) {
            const value = rowBest[row + c]!;
            if (value > best[c]!) {
              best[c] = value;
              where[c] = rowWhere[row + c]!;
            }
          }
        }
        const out = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) dx[where[c]!] = dx[where[c]!]! + gradient[out + c]!;
      }
    }
  }
  return output;
}
