/**
 * How a model wants its input, declared rather than coded: size, value range or per-channel mean/std, channel
 * order and how images are fitted to the size. `readImage` decodes any image sharp reads (EXIF orientation
 * applied; grayscale, CMYK, alpha and 16-bit made 8-bit RGB) and `toInput` turns pixels into the model's input.
 */
import sharp from 'sharp';
import { z } from 'zod';
import { tf, type Tensor } from '../engine/tf.ts';

export const preprocessSchema = z
  .object({
    /** Input height and width in pixels; one number for a square. */
    size: z.union([z.number().int().positive(), z.tuple([z.number().int().positive(), z.number().int().positive()])]),
    /** Pixel values are scaled from 0..255 to this range, e.g. [-1, 1] (MobileNet) or [0, 1]. */
    range: z.tuple([z.number(), z.number()]).optional(),
    /** Or normalized per channel, in 0..255 units: (x − mean) / std, e.g. ImageNet [123.7, 116.3, 103.5] / [58.4, 57.1, 57.4]. */
    mean: z.tuple([z.number(), z.number(), z.number()]).optional(),
    std: z.tuple([z.number(), z.number(), z.number()]).optional(),
    channels: z.enum(['rgb', 'bgr']).default('rgb'),
    /** stretch: ignore the aspect ratio; crop: fill the size and cut the overflow; pad: fit inside, pad with black. */
    resize: z.enum(['stretch', 'crop', 'pad']).default('crop'),
  })
  .strict()
  .refine((p) => !(p.range && (p.mean || p.std)), { message: 'give either range or mean/std, not both' });

export type Preprocess = z.infer<typeof preprocessSchema>;

export function inputSize(preprocess: Preprocess): [number, number] {
  return typeof preprocess.size === 'number' ? [preprocess.size, preprocess.size] : preprocess.size;
}

/** Decodes an image file or buffer to 8-bit RGB at the model's size: height × width × 3 bytes. */
export async function readImage(source: string | Buffer, preprocess: Preprocess): Promise<Uint8Array> {
  const [height, width] = inputSize(preprocess);
  const fit = { stretch: 'fill', crop: 'cover', pad: 'contain' } as const;
  const { data } = await sharp(source, { failOn: 'error' })
    .rotate()
    .toColourspace('srgb')
    .removeAlpha()
    .resize(width, height, { fit: fit[preprocess.resize], background: { r: 0, g: 0, b: 0 } })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A batch of RGB images (each height × width × 3 bytes) as the model's input tensor [N, H, W, 3]. */
export function toInput(images: Uint8Array[], preprocess: Preprocess): Tensor {
  const [height, width] = inputSize(preprocess);
  return tf.tidy(() => {
    const pixels = new Float32Array(images.length * height * width * 3);
    images.forEach((image, index) => pixels.set(image, index * height * width * 3));
    let x: Tensor = tf.tensor4d(pixels, [images.length, height, width, 3]);
    if (preprocess.channels === 'bgr') x = tf.reverse(x, -1);
    const order = preprocess.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
    if (preprocess.range) {
      const [low, high] = preprocess.range;
      x = tf.add(tf.mul(x, (high - low) / 255), low);
    } else if (preprocess.mean || preprocess.std) {
      const mean = preprocess.mean ? order.map((i) => preprocess.mean![i]!) : [0, 0, 0];
      const std = preprocess.std ? order.map((i) => preprocess.std![i]!) : [1, 1, 1];
      x = tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std));
    }
    return x;
  });
}
