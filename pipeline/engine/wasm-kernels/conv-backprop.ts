/**
 * The convolution gradients that the wasm backend lacks, each built from wasm's own XNNPACK convolutions:
 *
 * - Conv2DBackpropFilter: dW[kh,kw,c,o] = Σ_b,y,x xpad[b, y·s+kh, x·s+kw, c] · dy[b,y,x,o]. Read x as a batch of
 *   C images of B channels ([C,H,W,B]) and dy as OH×OW filters from B to O channels ([OH,OW,B,O]): that is a
 *   plain convolution with dilation s, whose [C,KH,KW,O] output, transposed, is dW.
 * - DepthwiseConv2dNativeBackpropFilter: the same, channel by channel, as one depthwise convolution over the
 *   B·C channels of the batch laid side by side, then a sum over the batch.
 * - DepthwiseConv2dNativeBackpropInput: dy spread out by the stride (zeros between rows and columns), padded,
 *   and convolved depthwise with the spatially flipped filter.
 * - Conv2DBackpropInput (which wasm has, but as a slow loop): the same with a full convolution.
 *
 * Each is checked against the cpu backend in tests/engine/wasm-kernels.test.ts.
 */
import { tf, type TensorInfo } from '../tf.ts';
import { strideGaps } from '../stride-gaps.ts';
import { KernelComposer } from './compose.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

function assertNhwc(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports NHWC data only; convert the model to channels-last.`);
  }
}

function explicit(top: number, bottom: number, left: number, right: number): ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

export function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | ExplicitPadding;
    dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  assertNhwc(dataFormat, 'Conv2DBackpropFilter');
  const info = tf.backend_util.computeConv2DInfo(x.shape as never, filterShape, strides, 1, pad, dimRoundingMode);
  const [kh, kw, channels, outChannels] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const k = new KernelComposer(backend as never);

  const images = k.transpose(x, [3, 1, 2, 0]); // [C, H, W, B]
  const filters = k.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, O]
  const full = k.run(
    'Conv2D',
    { x: images, filter: filters },
    { strides: [1, 1], pad: explicit(top, bottom, left, right), dilations: [info.strideHeight, info.strideWidth], dataFormat: 'NHWC' },
  ); // [C, ≥KH, ≥KW, O]
  const cropped = k.slice(full, [0, 0, 0, 0], [channels, kh, kw, outChannels]);
  return k.finish(k.transpose(cropped, [1, 2, 0, 3]));
}

export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    dilations?: number | [number, number];
    pad: 'same' | 'valid' | number | ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  const info = tf.backend_util.computeConv2DInfo(x.shape as never, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const [kh, kw, channels, multiplier] = filterShape;
  const [batch, height, width] = x.shape as [number, number, number, number];
  const [, outHeight, outWidth] = dy.shape as [number, number, number, number];
  const { top, bottom, left, right } = info.padInfo;
  const k = new KernelComposer(backend as never);

  // The batch's channels side by side: [1, H, W, B·C].
  const images = k.reshape(k.transpose(x, [1, 2, 0, 3]), [1, height, width, batch * channels]);
  // dy as one OH×OW filter per (b, c), with the channel multiplier as the depthwise multiplier: [OH, OW, B·C, M].
  const filters = k.reshape(k.transpose(k.reshape(dy, [batch, outHeight, outWidth, channels, multiplier]), [1, 2, 0, 3, 4]), [
    outHeight,
    outWidth,
    batch * channels,
    multiplier,
  ]);
  const full = k.run(
    'DepthwiseConv2dNative',
    { x: images, filter: filters },
    {
      strides: [info.dilationHeight, info.dilationWidth],
      pad: explicit(top, bottom, left, right),
      dilations: [info.strideHeight, info.strideWidth],
    },
  ); // [1, H', W', B·C·M]
  const [, fullHeight, fullWidth] = full.shape as [number, number, number, number];
  const perImage = k.reshape(full, [fullHeight, fullWidth, batch, channels * multiplier]);
  const summed = k.run('Sum', { x: perImage }, { axis: [2], keepDims: false }); // [H', W', C·M]
  const cropped = k.slice(summed, [0, 0, 0], [kh, kw, channels * multiplier]);
  return k.finish(k.reshape(cropped, [kh, kw, channels, multiplier]));
}

/**
 * A transposed convolution's input: dy spread out by the stride (stride − 1 zeros after each row and column),
 * with the padding that makes a stride-1 correlation with the flipped filter give exactly the input's H × W.
 */
function spreadForTransposedConv(
  k: KernelComposer,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  inputHeight: number,
  inputWidth: number,
): { spread: TensorInfo; padding: ExplicitPadding } {
  const [batch, outHeight, outWidth, channels] = dy.shape as [number, number, number, number];
  const [strideH, strideW] = [info.strideHeight, info.strideWidth];
  let spread = dy;
  if (strideH > 1 || strideW > 1) {
    const six = k.reshape(dy, [batch, outHeight, 1, outWidth, 1, channels]);
    const padded = k.run(
      'PadV2',
      { x: six },
      {
        paddings: strideGaps(strideH, strideW),
        constantValue: 0,
      },
    );
    spread = k.reshape(padded, [batch, outHeight * strideH, outWidth * strideW, channels]);
  }
  const spanH = (info.filterHeight - 1) * info.dilationHeight;
  const spanW = (info.filterWidth - 1) * info.dilationWidth;
  const top = spanH - info.padInfo.top;
  const left = spanW - info.padInfo.left;
  if (top < 0 || left < 0) throw new Error('Convolution gradients on wasm: padding larger than the filter is not supported.');
  const bottom = Math.max(0, inputHeight + spanH - top - outHeight * strideH);
  const right = Math.max(0, inputWidth + spanW - left - outWidth * strideW);
  return { spread, padding: explicit(top, bottom, left, right) };
}

/**
 * Conv2DBackpropInput: wasm has one, but as a plain loop; as an XNNPACK convolution of dy (spread by the stride)
 * with the filter flipped in space and transposed to [KH, KW, O, C], it runs many times faster.
 */
export function conv2dBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | ExplicitPadding;
    dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  assertNhwc(dataFormat, 'Conv2DBackpropInput');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as never, strides, 1, pad, dimRoundingMode);
  const [batch, height, width, channels] = inputShape;
  const k = new KernelComposer(backend as never);
  const { spread, padding } = spreadForTransposedConv(k, dy, info, height, width);
  const flipped = k.transpose(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
  const full = k.run('Conv2D', { x: spread, filter: flipped }, { strides: [1, 1], pad: padding, dilations: [1, 1], dataFormat: 'NHWC' });
  return k.finish(k.slice(full, [0, 0, 0, 0], [batch, height, width, channels]));
}

export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: number | [number, number];
    dilations?: number | [number, number];
    pad: 'same' | 'valid' | number | ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  const [kh, kw, channels, multiplier] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as never, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const [batch, height, width] = inputShape;
  const k = new KernelComposer(backend as never);
  const { spread, padding } = spreadForTransposedConv(k, dy, info, height, width);
  const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
  const dilations2 = [info.dilationHeight, info.dilationWidth];
  const [spreadBatch, spreadHeight, spreadWidth] = spread.shape as [number, number, number, number];

  let sum: TensorInfo | undefined;
  for (let m = 0; m < multiplier; m++) {
    // For multiplier 1 (MobileNet and most models) this is one depthwise convolution.
    const dyPart =
      multiplier === 1
        ? spread
        : k.reshape(
            k.slice(
              k.reshape(spread, [spreadBatch, spreadHeight, spreadWidth, channels, multiplier]),
              [0, 0, 0, 0, m],
              [spreadBatch, spreadHeight, spreadWidth, channels, 1],
            ),
            [spreadBatch, spreadHeight, spreadWidth, channels],
          );
    const filterPart = multiplier === 1 ? flipped : k.slice(flipped, [0, 0, 0, m], [kh, kw, channels, 1]);
    const part = k.run('DepthwiseConv2dNative', { x: dyPart, filter: filterPart }, { strides: [1, 1], pad: padding, dilations: dilations2 });
    sum = sum ? k.run('Add', { a: sum, b: part }) : part;
  }
  return k.finish(k.slice(sum!, [0, 0, 0, 0], [batch, height, width, channels]));
}
