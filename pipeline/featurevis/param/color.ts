/**
 * Colour: the optimized image lives in a decorrelated colour space, mapped to RGB by the square root of the
 * ImageNet colour covariance, so a step on one channel moves colours the way natural images vary (mostly in
 * brightness), not three channels independently. Then squashed into the valid range [0, 1].
 */
import { tf, type Tensor } from '../../engine/tf.ts';

/**
 * Square root of the ImageNet RGB covariance (from its eigendecomposition), as published with Lucid: columns
 * are the principal colour axes (luminance, then two opponent axes) scaled by the square root of their variance.
 */
const IMAGENET_COLOR_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

/** The matrix scaled so that its largest column has unit length: a unit step stays a unit step in RGB. */
export function colorCorrelation(): number[][] {
  const norms = [0, 1, 2].map((col) => Math.hypot(...IMAGENET_COLOR_SQRT.map((row) => row[col]!)));
  const largest = Math.max(...norms);
  return IMAGENET_COLOR_SQRT.map((row) => row.map((value) => value / largest));
}

/**
 * [B, H, W, 3] decorrelated values → RGB: rgb_i = Σ_axis matrix[i][axis] · value_axis at each pixel, as a 1×1
 * convolution (whose input gradient is fast on every backend).
 */
export function decorrelatedToRgb(t: Tensor): Tensor {
  const matrix = colorCorrelation(); // [rgb][axis]
  const filter = tf.tensor4d(
    [0, 1, 2].flatMap((axis) => [0, 1, 2].map((rgb) => matrix[rgb]![axis]!)),
    [1, 1, 3, 3], // [kh, kw, in = axis, out = rgb]
  );
  return tf.conv2d(t as tf.Tensor4D, filter, 1, 'valid');
}

export type RangeMapping = 'sigmoid' | 'clip';

/**
 * Into [0, 1]. sigmoid: smooth, never stuck; clip: values centred on 0.5, clipped (gradients pass only where
 * the value is inside the range, as a clip does).
 */
export function toValidRange(t: Tensor, mapping: RangeMapping): Tensor {
  return mapping === 'sigmoid' ? tf.sigmoid(t) : tf.clipByValue(tf.add(t, 0.5), 0, 1);
}
