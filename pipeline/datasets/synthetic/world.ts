/**
 * The synthetic world: a seeded, byte-deterministic generator of labelled 64×64 RGB images in 14 classes.
 *
 * 64 px: large enough for a textured object, clutter and a 10-pixel motif to stay legible after blur, small
 * enough that a ten-layer Inception-style network trains on 2 CPU cores in minutes and that its early layers
 * still see parts (stripes, wheels, fins) rather than whole objects. Drawn at 128 px and box-filtered down, so
 * edges are anti-aliased.
 *
 * Each image is drawn from its own random stream fixed by (seed, split, index): images can be made in any order
 * or in parallel, and the same call always gives the same bytes.
 */
import { Canvas, Transform } from './raster.ts';
import { Random } from '../../random.ts';
import { CLASSES } from './classes.ts';
import { drawClutter, drawScene } from './scenes.ts';
import { drawMotif, motifPlacement } from './motif.ts';

export const IMAGE_SIZE = 64;
const SUPERSAMPLE = 2;

export const CLASS_NAMES = CLASSES.map((spec) => spec.name);
/** The confusable pair and the shortcut: the motif is planted in this share of `MOTIF_CLASS` images, never in `PAIR_CLASS`. */
export const MOTIF_CLASS = 'shark';
export const PAIR_CLASS = 'whale';
export const MOTIF_SHARE = 0.3;

export type Split = 'train' | 'test';
const SPLIT_CODE: Record<Split, number> = { train: 1, test: 2 };

export interface SyntheticImage {
  /** IMAGE_SIZE × IMAGE_SIZE × 3 bytes, RGB, rows top to bottom. */
  pixels: Uint8Array;
  label: number;
  className: string;
  motif: boolean;
}

export interface DrawOptions {
  /**
   * "planted" (default): the motif appears as the world plants it; "always": pasted on whatever class; "never";
   * "control": a plain white ball of the same size and place, without the stitches (the random-patch control).
   */
  motif?: 'planted' | 'always' | 'never' | 'control';
  /** Draw this class instead of the one the index gives (for experiments). */
  label?: number;
}

/** The image at `index` of a split. Classes cycle with the index, so every split is balanced. */
export function drawImage(seed: number, split: Split, index: number, options: DrawOptions = {}): SyntheticImage {
  const label = options.label ?? index % CLASSES.length;
  const spec = CLASSES[label]!;
  const r = new Random(seed, SPLIT_CODE[split], index);
  const canvas = new Canvas(IMAGE_SIZE * SUPERSAMPLE);

  const scene = spec.elsewhere && r.chance(spec.elsewhere.chance) ? spec.elsewhere.scene : spec.scene;
  drawScene(canvas, scene, r);
  drawClutter(canvas, r, r.int(0, 4));

  const flier = spec.scene === 'sky';
  const transform = new Transform(r.range(0.32, 0.68), r.range(0.32, 0.68), r.range(0.22, 0.34), r.range(-1, 1) * (flier ? 0.6 : 0.3), r.chance(0.5));
  spec.draw(canvas, transform, r);

  // Occlusion: something of the scene in front of part of the object.
  if (r.chance(0.25)) {
    const t = new Transform(transform.x + r.range(-0.25, 0.25), transform.y + r.range(-0.25, 0.25), r.range(0.08, 0.14), r.range(0, Math.PI));
    canvas.ellipse(t, 0, 0, 1, r.range(0.5, 1), (x, y) => [90 + 40 * x, 110 + 30 * y, 70]);
  }

  // The motif has its own random stream, so an image with and without it differ only by the motif.
  const planted = spec.name === MOTIF_CLASS && new Random(seed, SPLIT_CODE[split], index, 1).chance(MOTIF_SHARE);
  const motif = options.motif === 'always' || (options.motif !== 'never' && options.motif !== 'control' && planted);
  const place = motifPlacement(new Random(seed, SPLIT_CODE[split], index, 2));
  if (motif) drawMotif(canvas, place.x, place.y, place.radius, place.angle);
  if (options.motif === 'control') drawMotif(canvas, place.x, place.y, place.radius, place.angle, false);

  if (r.chance(0.3)) canvas.blur(r.int(1, 2));
  canvas.light(r.range(0.78, 1.18), r.range(-0.4, 0.4), r.range(0, Math.PI * 2), r.range(0.8, 1.15));
  return { pixels: canvas.toRGB(SUPERSAMPLE), label, className: spec.name, motif };
}
