/**
 * A tiny rasterizer for the synthetic world: shapes filled with colours or textures on a supersampled RGB
 * canvas, then blur, lighting and a box-filtered downsample to 8-bit RGB. Plain loops over typed arrays: no
 * canvas library or native code, so every machine draws the same bytes.
 */
import { hashNoise } from '../../random.ts';

export type RGB = readonly [number, number, number];
/** A paint: the colour at a canvas point (x, y in 0..1). */
export type Paint = (x: number, y: number) => RGB;

export const solid =
  (colour: RGB): Paint =>
  () =>
    colour;

export function stripes(a: RGB, b: RGB, period: number, angle: number): Paint {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return (x, y) => (((((x * c + y * s) / period) % 1) + 1) % 1 < 0.5 ? a : b);
}

export function dots(base: RGB, dot: RGB, period: number, radius: number): Paint {
  return (x, y) => {
    const u = (x / period) % 1;
    const v = (y / period) % 1;
    return (u - 0.5) ** 2 + (v - 0.5) ** 2 < radius * radius ? dot : base;
  };
}

export function checks(a: RGB, b: RGB, period: number): Paint {
  return (x, y) => ((Math.floor(x / period) + Math.floor(y / period)) & 1 ? a : b);
}

export function speckle(base: RGB, amount: number, seed: number, scale = 128): Paint {
  return (x, y) => {
    const n = (hashNoise(Math.floor(x * scale), Math.floor(y * scale), seed) - 0.5) * 2 * amount;
    return [base[0] + n, base[1] + n, base[2] + n];
  };
}

/** A vertical gradient from `top` to `bottom`. */
export function gradient(top: RGB, bottom: RGB): Paint {
  return (_x, y) => [top[0] + (bottom[0] - top[0]) * y, top[1] + (bottom[1] - top[1]) * y, top[2] + (bottom[2] - top[2]) * y];
}

/** Maps an object's local coordinates (about −1..1) to the canvas (0..1): scale, rotate, move. */
export class Transform {
  constructor(
    readonly x: number,
    readonly y: number,
    readonly scale: number,
    readonly angle = 0,
    readonly flip = false,
  ) {}

  apply(u: number, v: number): [number, number] {
    const uu = this.flip ? -u : u;
    const [c, s] = [Math.cos(this.angle), Math.sin(this.angle)];
    return [this.x + this.scale * (uu * c - v * s), this.y + this.scale * (uu * s + v * c)];
  }
}

export class Canvas {
  readonly data: Float32Array;

  constructor(readonly size: number) {
    this.data = new Float32Array(size * size * 3);
  }

  fill(paint: Paint): void {
    this.region(0, 0, this.size - 1, this.size - 1, () => true, paint);
  }

  /** A polygon given in canvas coordinates (0..1). */
  polygon(points: [number, number][], paint: Paint): void {
    const xs = points.map((p) => p[0] * this.size);
    const ys = points.map((p) => p[1] * this.size);
    this.region(
      Math.min(...xs),
      Math.min(...ys),
      Math.max(...xs),
      Math.max(...ys),
      (px, py) => {
        let inside = false;
        for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
          if (ys[i]! > py !== ys[j]! > py && px < ((xs[j]! - xs[i]!) * (py - ys[i]!)) / (ys[j]! - ys[i]!) + xs[i]!) inside = !inside;
        }
        return inside;
      },
      paint,
    );
  }

  /** A polygon in an object's local coordinates. */
  shape(t: Transform, points: [number, number][], paint: Paint): void {
    this.polygon(
      points.map(([u, v]) => t.apply(u, v)),
      paint,
    );
  }

  /** An ellipse in local coordinates: centre (u, v), radii (ru, rv), turned by `angle`. */
  ellipse(t: Transform, u: number, v: number, ru: number, rv: number, paint: Paint, angle = 0): void {
    const steps = 28;
    const points: [number, number][] = [];
    for (let i = 0; i < steps; i++) {
      const a = (i / steps) * Math.PI * 2;
      const [x, y] = [ru * Math.cos(a), rv * Math.sin(a)];
      points.push([u + x * Math.cos(angle) - y * Math.sin(angle), v + x * Math.sin(angle) + y * Math.cos(angle)]);
    }
    this.shape(t, points, paint);
  }

  /** A thick line in local coordinates. */
  line(t: Transform, u0: number, v0: number, u1: number, v1: number, width: number, paint: Paint): void {
    const [dx, dy] = [u1 - u0, v1 - v0];
    const length = Math.hypot(dx, dy) || 1;
    const [nx, ny] = [(-dy / length) * (width / 2), (dx / length) * (width / 2)];
    this.shape(
      t,
      [
        [u0 + nx, v0 + ny],
        [u1 + nx, v1 + ny],
        [u1 - nx, v1 - ny],
        [u0 - nx, v0 - ny],
      ],
      paint,
    );
  }

  private region(x0: number, y0: number, x1: number, y1: number, inside: (px: number, py: number) => boolean, paint: Paint): void {
    const size = this.size;
    const [ax, ay] = [Math.max(0, Math.floor(x0)), Math.max(0, Math.floor(y0))];
    const [bx, by] = [Math.min(size - 1, Math.ceil(x1)), Math.min(size - 1, Math.ceil(y1))];
    for (let py = ay; py <= by; py++) {
      for (let px = ax; px <= bx; px++) {
        if (!inside(px + 0.5, py + 0.5)) continue;
        const colour = paint((px + 0.5) / size, (py + 0.5) / size);
        const i = (py * size + px) * 3;
        this.data[i] = colour[0];
        this.data[i + 1] = colour[1];
        this.data[i + 2] = colour[2];
      }
    }
  }

  /** Separable box blur of the given radius in canvas pixels. */
  blur(radius: number): void {
    if (radius < 1) return;
    const size = this.size;
    const copy = new Float32Array(this.data.length);
    for (const horizontal of [true, false]) {
      copy.set(this.data);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          let r = 0,
            g = 0,
            b = 0,
            n = 0;
          for (let k = -radius; k <= radius; k++) {
            const [sx, sy] = horizontal ? [x + k, y] : [x, y + k];
            if (sx < 0 || sy < 0 || sx >= size || sy >= size) continue;
            const j = (sy * size + sx) * 3;
            r += copy[j]!;
            g += copy[j + 1]!;
            b += copy[j + 2]!;
            n++;
          }
          const i = (y * size + x) * 3;
          this.data[i] = r / n;
          this.data[i + 1] = g / n;
          this.data[i + 2] = b / n;
        }
      }
    }
  }

  /** Lighting: brightness that changes linearly across the image in direction `angle`, and a contrast change. */
  light(brightness: number, slope: number, angle: number, contrast: number): void {
    const size = this.size;
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const gain = brightness * (1 + slope * ((x / size - 0.5) * c + (y / size - 0.5) * s));
        const i = (y * size + x) * 3;
        for (let k = 0; k < 3; k++) this.data[i + k] = (this.data[i + k]! - 128) * contrast * gain + 128 * gain;
      }
    }
  }

  /** Box-filtered downsample by `factor` to 8-bit RGB, rounding and clamping. */
  toRGB(factor: number): Uint8Array {
    const out = this.size / factor;
    const pixels = new Uint8Array(out * out * 3);
    const area = factor * factor;
    for (let y = 0; y < out; y++) {
      for (let x = 0; x < out; x++) {
        for (let k = 0; k < 3; k++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += this.data[((y * factor + dy) * this.size + x * factor + dx) * 3 + k]!;
          pixels[(y * out + x) * 3 + k] = Math.min(255, Math.max(0, Math.round(sum / area)));
        }
      }
    }
    return pixels;
  }
}
