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
  // Per output pixel, its four corners as offsets into the source's values (pixel · channels), in the order
  // (x0, y0), (x1, y0), (x0, y1), (x1, y1), and their weights. A corner outside the source points at one extra
  // pixel past the end that holds the fill value, so the loops below never branch on it.
  const corners = new Int32Array(4 * n);
  const weights = new Float32Array(4 * n);
  const outside = rows * channels;
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
        const out = 4 * ((b * outH + y) * outW + x);
        const inX0 = x0 >= 0 && x0 < w;
        const inX1 = x0 + 1 >= 0 && x0 + 1 < w;
        const inY0 = y0 >= 0 && y0 < h;
        const inY1 = y0 + 1 >= 0 && y0 + 1 < h;
        const base = ((b * h + y0) * w + x0) * channels;
        corners[out] = inX0 && inY0 ? base : outside;
        corners[out + 1] = inX1 && inY0 ? base + channels : outside;
        corners[out + 2] = inX0 && inY1 ? base + w * channels : outside;
        corners[out + 3] = inX1 && inY1 ? base + (w + 1) * channels : outside;
        weights[out] = (1 - fx) * (1 - fy);
        weights[out + 1] = fx * (1 - fy);
        weights[out + 2] = (1 - fx) * fy;
        weights[out + 3] = fx * fy;
      }
    }
  }
  // Gathering and scattering a few hundred thousand values is far quicker in a plain loop than as tensor
  // ops (wasm's GatherV2 and Tile took ~100 ms a step for a batch of 8), so both directions run on the data.
  const sample = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as Tensor;
    const source = new Float32Array(outside + channels);
    source.set(x.dataSync() as Float32Array);
    source.fill(fill, outside);
    const out = new Float32Array(n * channels);
    for (let i = 0; i < n; i++) {
      const k = 4 * i;
      const [c0, c1, c2, c3] = [corners[k]!, corners[k + 1]!, corners[k + 2]!, corners[k + 3]!];
      const [w0, w1, w2, w3] = [weights[k]!, weights[k + 1]!, weights[k + 2]!, weights[k + 3]!];
      for (let c = 0; c < channels; c++) out[i * channels + c] = w0 * source[c0 + c]! + w1 * source[c1 + c]! + w2 * source[c2 + c]! + w3 * source[c3 + c]!;
    }
    const gradFunc = (dy: Tensor) => {
      const upstream = dy.dataSync() as Float32Array;
      // One slot past the end takes what the fill pixel would receive, and is dropped.
      const dx = new Float32Array(outside + channels);
      for (let i = 0; i < n; i++) {
        const k = 4 * i;
        const [c0, c1, c2, c3] = [corners[k]!, corners[k + 1]!, corners[k + 2]!, corners[k + 3]!];
        const [w0, w1, w2, w3] = [weights[k]!, weights[k + 1]!, weights[k + 2]!, weights[k + 3]!];
        for (let c = 0; c < channels; c++) {
          const g = upstream[i * channels + c]!;
          dx[c0 + c]! += w0 * g;
          dx[c1 + c]! += w1 * g;
          dx[c2 + c]! += w2 * g;
          dx[c3 + c]! += w3 * g;
        }
      }
      return tf.tensor(dx.subarray(0, outside), x.shape);
    };
    return { value: tf.tensor4d(out, [batch, outH, outW, channels]), gradFunc };
  });
  return sample(images);
}
