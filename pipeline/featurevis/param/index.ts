/**
 * How an image is represented while it is optimized (Lucid's `param`): Fourier coefficients or pixels, a
 * decorrelated colour space or plain RGB, and a sigmoid or a clip into [0, 1]. The trainable values are one
 * tensor whose first axis is the batch; each example starts from its own random stream, so an icon does not
 * depend on which batch it was in.
 */
import { tf, type Tensor } from '../../engine/tf.ts';
import type { Random } from '../../random.ts';
import { colorCorrelation, decorrelatedToRgb, toValidRange, type RangeMapping } from './color.ts';
import { forwardDft, inverseDft, irfft2, spectrumScale, type InverseDft } from './fourier.ts';

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
  /**
   * Values for one example that give back this image [H, W, 3] in [0, 1] (the inverse of toImage, up to the
   * clamp that keeps the sigmoid's inverse finite): a warm start from an icon already made.
   */
  fromImage(image: Float32Array): Float32Array;
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

  // Image → the values before the squash and the colour mapping, per pixel and channel ([h·w·3]).
  const unfinish = (image: Float32Array): Float64Array => {
    const inverse = options.decorrelate ? invert3(colorCorrelation()) : undefined;
    const out = new Float64Array(image.length);
    for (let i = 0; i < image.length; i += 3) {
      const squashed = [0, 1, 2].map((c) => unsquash(image[i + c]!, options.range));
      for (let c = 0; c < 3; c++)
        out[i + c] = inverse ? inverse[c]![0]! * squashed[0]! + inverse[c]![1]! * squashed[1]! + inverse[c]![2]! * squashed[2]! : squashed[c]!;
    }
    return out;
  };

  if (options.parameterization === 'pixels') {
    return {
      shape: [h, w, 3],
      initial: draw(h * w * 3),
      toImage: (values) => finish(values),
      fromImage: (image) => Float32Array.from(unfinish(image)),
      dispose: () => {},
    };
  }
  const columns = Math.floor(w / 2) + 1;
  const dft: InverseDft = inverseDft(h, w);
  // The same scale for the real and imaginary part of each coefficient.
  const perFrequency = spectrumScale(h, w);
  const scale = tf.tensor3d(
    Float32Array.from({ length: h * 2 * columns }, (_, i) => perFrequency[Math.floor(i / (2 * columns)) * columns + (i % columns)]!),
    [h, 2, columns],
  );
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
    fromImage: (image) => {
      const planes = unfinish(image);
      const values = new Float32Array(3 * h * 2 * columns);
      for (let c = 0; c < 3; c++) {
        // Times 4, undoing toImage's division; then the half spectrum, each coefficient divided by its scale.
        const plane = Float64Array.from({ length: h * w }, (_, i) => 4 * planes[i * 3 + c]!);
        const { re, im } = forwardDft(plane, h, w);
        for (let ky = 0; ky < h; ky++) {
          for (let kx = 0; kx < columns; kx++) {
            const s = perFrequency[ky * columns + kx]!;
            values[((c * h + ky) * 2 + 0) * columns + kx] = re[ky * columns + kx]! / s;
            values[((c * h + ky) * 2 + 1) * columns + kx] = im[ky * columns + kx]! / s;
          }
        }
      }
      return values;
    },
    dispose: () => {
      scale.dispose();
      tf.dispose([dft.alongX, dft.alongY, dft.alongXT, dft.alongYT]);
    },
  };
}

/** The value whose squash into [0, 1] is `v`, with v kept a quarter of a byte step inside (0, 1). */
function unsquash(v: number, mapping: RangeMapping): number {
  const clamped = Math.min(1 - 0.25 / 255, Math.max(0.25 / 255, v));
  return mapping === 'sigmoid' ? Math.log(clamped / (1 - clamped)) : clamped - 0.5;
}

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}
