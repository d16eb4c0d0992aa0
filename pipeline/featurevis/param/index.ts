/**
 * How an image is represented while it is optimized (Lucid's `param`): Fourier coefficients or pixels, a
 * decorrelated colour space or plain RGB, and a sigmoid or a clip into [0, 1]. The trainable values are one
 * tensor whose first axis is the batch; each example starts from its own random stream, so an icon does not
 * depend on which batch it was in.
 */
import { tf, type Tensor } from '../../engine/tf.ts';
import type { Random } from '../../datasets/synthetic/random.ts';
import { decorrelatedToRgb, toValidRange, type RangeMapping } from './color.ts';
import { inverseDft, irfft2, spectrumScale, type InverseDft } from './fourier.ts';

export interface ImageParamOptions {
  height: number;
  width: number;
  parameterization: 'fourier' | 'pixels';
  decorrelate: boolean;
  range: RangeMapping;
  /** Standard deviation of the random start. */
  initialScale?: number;
}

export interface ImageParam {
  /** The trainable values, [B, …]. */
  readonly shape: number[];
  /** Random starting values for one example, from its own stream. */
  initial(random: Random): Float32Array;
  /** The images [B, H, W, 3] in [0, 1] for the given values. */
  toImage(values: Tensor): Tensor;
  dispose(): void;
}

/** A standard normal draw (Box–Muller), from a seeded stream. */
export function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

export function imageParam(options: ImageParamOptions): ImageParam {
  const { height: h, width: w } = options;
  const initialScale = options.initialScale ?? 0.01;
  const finish = (t: Tensor) => toValidRange(options.decorrelate ? decorrelatedToRgb(t) : t, options.range);
  const draw = (count: number) => (random: Random) => Float32Array.from({ length: count }, () => normal(random) * initialScale);

  if (options.parameterization === 'pixels') {
    return { shape: [h, w, 3], initial: draw(h * w * 3), toImage: (values) => finish(values), dispose: () => {} };
  }
  const columns = Math.floor(w / 2) + 1;
  const dft: InverseDft = inverseDft(h, w);
  // The same scale for the real and imaginary part of each coefficient.
  const perFrequency = spectrumScale(h, w);
  const scale = tf.tensor3d(Float32Array.from({ length: h * 2 * columns }, (_, i) => perFrequency[Math.floor(i / (2 * columns)) * columns + (i % columns)]!), [h, 2, columns]);
  return {
    // Per example: [channel, ky, real | imag, kx].
    shape: [3, h, 2, columns],
    initial: draw(3 * h * 2 * columns),
    toImage: (values) => {
      const b = values.shape[0]!;
      const scaled = tf.reshape(tf.mul(values, scale), [b * 3, h, 2, columns]);
      const planes = irfft2(scaled, dft); // [b·3, h, w]
      // Divided by 4 as Lucid does: keeps the starting image's values small, near grey after the squash.
      const image = tf.div(tf.transpose(tf.reshape(planes, [b, 3, h, w]), [0, 2, 3, 1]), 4);
      return finish(image);
    },
    dispose: () => {
      scale.dispose();
      tf.dispose([dft.alongX, dft.alongY, dft.alongXT, dft.alongYT]);
    },
  };
}
