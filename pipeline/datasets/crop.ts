/**
 * Data-set example crops: the part of an image that an activation at layer position (y, x) looked at — its
 * receptive field — as a small PNG. Used by the `examples` icon mode (the crop of the sample nearest a cell's
 * mean) and the render stage's example sprites.
 *
 * Positions are in the layer's spatial grid of the image *as the model saw it* (preprocessed to the input
 * size), so crops are cut from the image read exactly as the activations stage reads it: synthetic images
 * drawn at 64 px and resized to the input size, files decoded with `readImage` (same fit and orientation).
 */
import path from 'node:path';
import sharp from 'sharp';
import { UserError } from '../errors.ts';
import { inputSize, readImage, type Preprocess } from '../models/preprocess.ts';
import type { Recipe } from '../recipes/schema.ts';
import { listFolder, listManifest } from './sources.ts';
import { drawImage, IMAGE_SIZE } from './synthetic/world.ts';

export interface RgbImage {
  /** height × width × 3 bytes, RGB, rows top to bottom. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Strides of the layer a default receptive field spans. */
export const FIELD_STRIDES = 4;

/**
 * The default side of the crop, in input pixels: FIELD_STRIDES strides of the layer (input / layer size),
 * at least a quarter of the input, at most all of it. A heuristic for the *effective* receptive field, which
 * is much smaller than the theoretical one of deep layers (InceptionV1 mixed4b: theoretical ≈ the whole image):
 * demo network 64 px input → 16 px at 16 × 16 (mixed3b), 32 px at 8 × 8, the whole image at 4 × 4; MobileNet
 * conv_pw_13 (7 × 7 of 224) → 128 px.
 */
export function defaultField(input: [height: number, width: number], layer: [height: number, width: number]): number {
  const side = Math.min(input[0], input[1]);
  const stride = Math.max(input[0] / layer[0], input[1] / layer[1]);
  return Math.round(Math.min(side, Math.max(FIELD_STRIDES * stride, side / 4)));
}

/**
 * The crop's box in the input image: a square of side `field` centred on the centre of the layer position's
 * stride cell, shifted back inside the image at its borders so that every crop is whole (no padding).
 */
export function cropBox(args: { input: [number, number]; layer: [number, number]; position: [y: number, x: number]; field?: number }) {
  const [height, width] = args.input;
  const [layerHeight, layerWidth] = args.layer;
  const [y, x] = args.position;
  if (!(y >= 0 && y < layerHeight && x >= 0 && x < layerWidth)) throw new Error(`position (${y}, ${x}) is outside the ${layerHeight}×${layerWidth} layer`);
  const side = Math.max(1, Math.min(height, width, Math.round(args.field ?? defaultField(args.input, args.layer))));
  const centreY = ((y + 0.5) * height) / layerHeight;
  const centreX = ((x + 0.5) * width) / layerWidth;
  const top = Math.min(height - side, Math.max(0, Math.round(centreY - side / 2)));
  const left = Math.min(width - side, Math.max(0, Math.round(centreX - side / 2)));
  return { left, top, width: side, height: side };
}

/** The receptive-field crop around layer position (y, x) of an image at the model's input size, as a `size` px PNG. */
export async function exampleCrop(args: {
  image: RgbImage;
  /** The layer's spatial size [height, width]. */
  layerSize: [number, number];
  position: [y: number, x: number];
  size: number;
  /** Side of the receptive field in input pixels (default: defaultField). */
  field?: number;
}): Promise<Buffer> {
  const { pixels, width, height } = args.image;
  const box = cropBox({ input: [height, width], layer: args.layerSize, position: args.position, ...(args.field ? { field: args.field } : {}) });
  return (
    sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 3 } })
      .extract(box)
      // Crops are usually enlarged (16–128 px of input to an 80 px icon): lanczos3 keeps edges crisp.
      .resize(args.size, args.size, { kernel: 'lanczos3' })
      .png()
      .toBuffer()
  );
}

/**
 * A reader of the recipe's data-set images by image index (the first number of a sample's origin), each at
 * the model's input size as the activations stage saw it.
 */
export function datasetImages(args: { data: Recipe['data']; preprocess: Preprocess; root: string }): (image: number) => Promise<RgbImage> {
  const [height, width] = inputSize(args.preprocess);
  if (args.data.synthetic) {
    const { seed, split } = args.data.synthetic;
    return async (image) => {
      const drawn = drawImage(seed, split, image).pixels;
      if (height === IMAGE_SIZE && width === IMAGE_SIZE) return { pixels: drawn, width, height };
      const data = await sharp(Buffer.from(drawn), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } })
        .resize(width, height, { fit: 'fill' })
        .raw()
        .toBuffer();
      return { pixels: data, width, height };
    };
  }
  // The same listing, in the same order and cut, as the activations stage's image ids.
  const folder = path.resolve(args.root, args.data.folder ?? path.dirname(args.data.manifest!));
  const listing = args.data.manifest ? listManifest(path.resolve(args.root, args.data.manifest), folder) : listFolder(folder);
  const entries = listing.entries.slice(0, args.data.count);
  return async (image) => {
    const entry = entries[image];
    if (!entry)
      throw new UserError(`${folder}: image ${image} of the data set is gone (${entries.length} images listed now); run the activations stage again.`);
    return { pixels: await readImage(entry.file, args.preprocess), width, height };
  };
}

/** The crop function the `examples` icon mode and the render stage's sprites take: origin → PNG. */
export function exampleCropper(args: {
  data: Recipe['data'];
  preprocess: Preprocess;
  root: string;
  layerSize: [number, number];
  size: number;
  field?: number;
}): (origin: [image: number, y: number, x: number]) => Promise<Buffer> {
  const read = datasetImages(args);
  return async ([image, y, x]) =>
    exampleCrop({ image: await read(image), layerSize: args.layerSize, position: [y, x], size: args.size, ...(args.field ? { field: args.field } : {}) });
}
