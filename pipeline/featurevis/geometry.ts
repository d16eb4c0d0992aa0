/**
 * Where each pixel of a transformed batch reads from: per example, an affine map from canvas coordinates to the
 * source image's coordinates (continuous: pixel i spans [i, i + 1)). Transforms compose maps, and one bilinear
 * sampling pass applies them all, with each example's own random parameters.
 */
import { tf, type Tensor } from '../engine/tf.ts';

/** x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = [number, number, number, number, number, number];

export interface Geometry {
  /** Height and width of the image being sampled. */
  source: [number, number];
  /** Height and width of the canvas produced so far. */
  size: [number, number];
  /** One map per example, canvas → source. */
  maps: Affine[];
}

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function identityGeometry(batch: number, height: number, width: number): Geometry {
  return { source: [height, width], size: [height, width], maps: Array.from({ length: batch }, () => [...IDENTITY]) };
}

/** The map that first applies `inner` (new canvas → old canvas), then `outer` (old canvas → source). */
export function compose(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [ta, tb, tc, td, te, tf_] = inner;
  return [a * ta + b * td, a * tb + b * te, a * tc + b * tf_ + c, d * ta + e * td, d * tb + e * te, d * tc + e * tf_ + f];
}

export const translation = (dx: number, dy: number): Affine => [1, 0, dx, 0, 1, dy];

/** Scale by `s` and rotate by `radians` about the point (cx, cy), as a map from new to old coordinates. */
export function aboutCentre(cx: number, cy: number, s: number, radians: number): Affine {
  // Inverse of "rotate by θ and scale by s": rotate by −θ and divide by s.
  const cos = Math.cos(radians) / s;
  const sin = Math.sin(radians) / s;
  return [cos, sin, cx - cos * cx - sin * cy, -sin, cos, cy + sin * cx - cos * cy];
}

/**
 * Bilinear sampling of `images` [B, h, w, C] through `geometry`; outside the source reads `fill`.
 * Differentiable with respect to the images: the gradient scatters each output's gradient back to its four
 * source pixels with the same weights.
 */
export function bilinearSample(images: Tensor, geometry: Geometry, fill: number): Tensor {
  const [batch, h, w, channels] = images.shape as [number, number, number, number];
  const [outH, outW] = geometry.size;
  const n = batch * outH * outW;
  const rows = batch * h * w;
  const indices = new Int32Array(4 * n);
  const weights = new Float32Array(4 * n);
  for (let b = 0; b < batch; b++) {
    const [a, bb, c, d, e, f] = geometry.maps[b]!;
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        // Pixel centres: sample the source at its continuous coordinate minus half a pixel.
        const sx = a * (x + 0.5) + bb * (y + 0.5) + c - 0.5;
        const sy = d * (x + 0.5) + e * (y + 0.5) + f - 0.5;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const out = (b * outH + y) * outW + x;
        const inX0 = x0 >= 0 && x0 < w;
        const inX1 = x0 + 1 >= 0 && x0 + 1 < w;
        const inY0 = y0 >= 0 && y0 < h;
        const inY1 = y0 + 1 >= 0 && y0 + 1 < h;
        const row0 = (b * h + y0) * w + x0;
        // Corners in the order (x0, y0), (x1, y0), (x0, y1), (x1, y1); row `rows` holds the fill value.
        indices[out] = inX0 && inY0 ? row0 : rows;
        indices[n + out] = inX1 && inY0 ? row0 + 1 : rows;
        indices[2 * n + out] = inX0 && inY1 ? row0 + w : rows;
        indices[3 * n + out] = inX1 && inY1 ? row0 + w + 1 : rows;
        weights[out] = (1 - fx) * (1 - fy);
        weights[n + out] = fx * (1 - fy);
        weights[2 * n + out] = (1 - fx) * fy;
        weights[3 * n + out] = fx * fy;
      }
    }
  }
  // Gathering and scattering a few hundred thousand values is far quicker in a plain loop than as tensor
  // ops (wasm's GatherV2 and Tile took ~100 ms a step for a batch of 8), so both directions run on the data.
  const sample = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as Tensor;
    const source = x.dataSync() as Float32Array;
    const out = new Float32Array(n * channels);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < n; i++) {
        const row = indices[k * n + i]!;
        const weight = weights[k * n + i]!;
        if (weight === 0) continue;
        for (let c = 0; c < channels; c++) out[i * channels + c]! += weight * (row === rows ? fill : source[row * channels + c]!);
      }
    }
    const gradFunc = (dy: Tensor) => {
      const upstream = dy.dataSync() as Float32Array;
      const dx = new Float32Array(rows * channels);
      for (let k = 0; k < 4; k++) {
        for (let i = 0; i < n; i++) {
          const row = indices[k * n + i]!;
          const weight = weights[k * n + i]!;
          if (row === rows || weight === 0) continue;
          for (let c = 0; c < channels; c++) dx[row * channels + c]! += weight * upstream[i * channels + c]!;
        }
      }
      return tf.tensor(dx, x.shape);
    };
    return { value: tf.tensor4d(out, [batch, outH, outW, channels]), gradFunc };
  });
  return sample(images);
}
