/** Seeded randomness: every stream is fixed by its seeds, so images, layouts and icons draw the same on every machine. */
export class Random {
  private state: number;

  constructor(...seeds: number[]) {
    let h = 0x811c9dc5;
    for (const seed of seeds) {
      h = Math.imul(h ^ (seed >>> 0), 0x01000193) >>> 0;
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    }
    this.state = h || 1;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  range(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  int(low: number, high: number): number {
    return Math.floor(this.range(low, high + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A colour near `base` (0..255 RGB), each channel moved by up to ±`spread`. */
  jitter(base: readonly [number, number, number], spread: number): [number, number, number] {
    return base.map((c) => Math.min(255, Math.max(0, c + this.range(-spread, spread)))) as [number, number, number];
  }
}

/** A smooth hash of integer coordinates, for position-fixed texture noise in [0, 1). */
export function hashNoise(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 374761393) + Math.imul(y | 0, 668265263) + Math.imul(seed | 0, 2147483647);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
