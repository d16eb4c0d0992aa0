/**
 * The paddings that spread a strided convolution's output gradient back over the input grid: reshaped to
 * [batch, outH, 1, outW, 1, channels], each value gets stride − 1 zeros after it along both spatial axes.
 */
export function strideGaps(strideH: number, strideW: number): [number, number][] {
  return [
    [0, 0],
    [0, 0],
    [0, strideH - 1],
    [0, 0],
    [0, strideW - 1],
    [0, 0],
  ];
}
