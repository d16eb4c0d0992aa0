/**
 * Transforms applied before every step (Lucid's `transform`): small functions over a Geometry, composed in a
 * list, so the optimized image must keep its meaning when padded, shifted, scaled and turned. Each example
 * draws its own parameters from its own stream; `applyTransforms` samples once, bilinearly and differentiably.
 */
import type { Tensor } from '../engine/tf.ts';
import type { Random } from '../random.ts';
import { aboutCentre, bilinearSample, compose, identityGeometry, translation, type Affine, type Geometry } from './geometry.ts';

export type Transform = (geometry: Geometry, randoms: Random[]) => Geometry;

const perExample = (geometry: Geometry, size: [number, number], inner: (index: number) => Affine): Geometry => ({
  ...geometry,
  size,
  maps: geometry.maps.map((map, index) => compose(map, inner(index))),
});

/** Grows the canvas by `n` on each side; what lies outside the image reads the fill value. */
export const pad =
  (n: number): Transform =>
  (g) =>
    perExample(g, [g.size[0] + 2 * n, g.size[1] + 2 * n], () => translation(-n, -n));

/** A random crop `d` pixels smaller, at a random whole-pixel offset in [0, d] on each axis. */
export const jitter =
  (d: number): Transform =>
  (g, randoms) =>
    perExample(g, [g.size[0] - d, g.size[1] - d], (i) => translation(randoms[i]!.int(0, d), randoms[i]!.int(0, d)));

/** Zooms the content about the canvas centre by a factor picked from `scales`; the canvas keeps its size. */
export const randomScale =
  (scales: number[]): Transform =>
  (g, randoms) =>
    perExample(g, g.size, (i) => aboutCentre(g.size[1] / 2, g.size[0] / 2, randoms[i]!.pick(scales), 0));

/** Turns the content about the canvas centre by an angle (degrees) picked from `degrees`. */
export const randomRotate =
  (degrees: number[]): Transform =>
  (g, randoms) =>
    perExample(g, g.size, (i) => aboutCentre(g.size[1] / 2, g.size[0] / 2, 1, (randoms[i]!.pick(degrees) * Math.PI) / 180));

/** The centred `height` × `width` part of the canvas; a larger size pads instead. */
export const centreCrop =
  (height: number, width = height): Transform =>
  (g) =>
    perExample(g, [height, width], () => translation(Math.floor((g.size[1] - width) / 2), Math.floor((g.size[0] - height) / 2)));

/**
 * Resamples the canvas to `factor` times its size (content and canvas together): below 1, each canvas pixel
 * covers 1/factor image pixels, as when an icon is shown to a layer at the scale of its receptive field.
 */
export const zoom =
  (factor: number): Transform =>
  (g) =>
    perExample(g, [Math.round(g.size[0] * factor), Math.round(g.size[1] * factor)], () => [1 / factor, 0, 0, 0, 1 / factor, 0]);

export function applyTransforms(images: Tensor, transforms: Transform[], randoms: Random[], fill: number): Tensor {
  const [batch, h, w] = images.shape as [number, number, number, number];
  const geometry = transforms.reduce((g, transform) => transform(g, randoms), identityGeometry(batch, h, w));
  return bilinearSample(images, geometry, fill);
}

/** Numbers from `low` to `high` in steps of `step`. */
const span = (low: number, high: number, step: number) => Array.from({ length: Math.round((high - low) / step) + 1 }, (_, i) => low + i * step);

/** The standard transforms' sizes for an icon: Distill's 80-px values (pad 16, jitter 8, jitter 4) scaled. */
function standardSizes(iconSize: number): { pad: number; jitters: [number, number] } {
  const unit = iconSize / 80;
  return { pad: Math.round(16 * unit), jitters: [Math.max(1, Math.round(8 * unit)), Math.max(1, Math.round(4 * unit))] };
}

/**
 * The activation-atlas transforms, scaled to the icon size (Distill's are for 80 px: pad 16, jitter 8, scale
 * ±5 %, rotate ±20°, jitter 4), then cropped or padded to the model's input where that size is fixed.
 */
export function standardTransforms(iconSize: number, modelInput?: [number, number]): Transform[] {
  const { pad: padding, jitters } = standardSizes(iconSize);
  const transforms = [
    pad(padding),
    jitter(jitters[0]),
    randomScale(span(0.95, 1.05, 0.01)),
    randomRotate([...span(-20, 20, 1), ...span(-5, 5, 1), 0, 0, 0, 0]),
    jitter(jitters[1]),
  ];
  if (modelInput) transforms.push(centreCrop(modelInput[0], modelInput[1]));
  return transforms;
}

/**
 * The same framing without randomness, for judging final images: the icon centred on a canvas of the size the
 * standard transforms give (or the model's fixed input), so its objective is read at the same position.
 */
export function standardFraming(iconSize: number, modelInput?: [number, number]): Transform[] {
  const { pad: padding, jitters } = standardSizes(iconSize);
  const canvas = iconSize + 2 * padding - jitters[0] - jitters[1];
  return [centreCrop(...(modelInput ?? [canvas, canvas]))];
}

export interface IconFraming {
  /** Applied before every step: the standard transforms, then the zoom and the fit to the model's input. */
  transforms: Transform[];
  /** For judging final images: the same framing without randomness. */
  finalTransforms: Transform[];
  /** Model-input pixels per icon pixel: 1, or less where the layer's receptive field is smaller than the icon. */
  scale: number;
  /** Height and width of the model input the icon is optimized at. */
  canvas: [number, number];
}

/**
 * How an icon meets the model. The icon is shown at the scale of the layer's receptive field at the centre
 * position where that is smaller than the icon (so an early layer's icon fills its frame instead of being a
 * centred blob on grey), else pixel for pixel as Distill did. The model runs on the transformed canvas itself
 * where it accepts any input size up to the layer (`anySize`), capped at its fixed input size if it has one;
 * otherwise the canvas is padded or cropped to that fixed size.
 */
export function iconFraming(options: { iconSize: number; receptiveField?: number; fixedInput?: [number, number]; anySize: boolean }): IconFraming {
  const { iconSize, receptiveField, fixedInput, anySize } = options;
  const scale = receptiveField !== undefined && receptiveField < iconSize ? receptiveField / iconSize : 1;
  const { pad: padding, jitters } = standardSizes(iconSize);
  const framed = iconSize + 2 * padding - jitters[0] - jitters[1];
  const zoomed = Math.round(framed * scale);
  const canvas: [number, number] = !fixedInput ? [zoomed, zoomed] : anySize ? [Math.min(zoomed, fixedInput[0]), Math.min(zoomed, fixedInput[1])] : fixedInput;
  const fit = (from: number) => [...(scale < 1 ? [zoom(scale)] : []), ...(canvas[0] !== from || canvas[1] !== from ? [centreCrop(...canvas)] : [])];
  return {
    transforms: [...standardTransforms(iconSize), ...fit(zoomed)],
    finalTransforms: [centreCrop(framed), ...fit(zoomed)],
    scale,
    canvas,
  };
}
