/** Backgrounds: five kinds of place, each with its own colours, texture and clutter. */
import { Canvas, Transform, gradient, solid, speckle, type RGB } from './raster.ts';
import type { Random } from '../../random.ts';

export const SCENES = ['water', 'sky', 'grass', 'street', 'sand'] as const;
export type Scene = (typeof SCENES)[number];

export function drawScene(canvas: Canvas, scene: Scene, r: Random): void {
  const seed = r.int(0, 1e9);
  switch (scene) {
    case 'water': {
      canvas.fill(gradient(r.jitter([70, 130, 190], 25), r.jitter([20, 60, 120], 20)));
      for (let i = r.int(3, 8); i > 0; i--) {
        const t = new Transform(r.next(), r.next(), r.range(0.05, 0.15));
        canvas.line(t, -1, 0, 1, r.range(-0.2, 0.2), 0.15, solid(r.jitter([150, 195, 230], 20)));
      }
      break;
    }
    case 'sky': {
      canvas.fill(gradient(r.jitter([110, 170, 235], 20), r.jitter([200, 225, 245], 15)));
      for (let i = r.int(0, 3); i > 0; i--) {
        const t = new Transform(r.next(), r.range(0, 0.8), r.range(0.06, 0.14));
        const white = r.jitter([245, 245, 250], 8);
        for (let k = 0; k < 3; k++) canvas.ellipse(t, (k - 1) * 0.9, r.range(-0.2, 0.2), 0.9, 0.6, solid(white));
      }
      break;
    }
    case 'grass': {
      canvas.fill(speckle(r.jitter([80, 150, 60], 25), 18, seed));
      for (let i = r.int(6, 14); i > 0; i--) {
        const t = new Transform(r.next(), r.next(), r.range(0.03, 0.06), r.range(-0.4, 0.4));
        canvas.line(t, 0, 1, 0, -1, 0.3, solid(r.jitter([50, 110, 40], 20)));
      }
      break;
    }
    case 'street': {
      canvas.fill(speckle(r.jitter([110, 110, 115], 20), 12, seed));
      const y = r.range(0.55, 0.8);
      canvas.polygon(
        [
          [0, y],
          [1, y],
          [1, 1],
          [0, 1],
        ],
        speckle(r.jitter([60, 60, 65], 10), 10, seed + 1),
      );
      for (let x = r.range(0, 0.2); x < 1; x += 0.25)
        canvas.polygon(
          [
            [x, y + 0.09],
            [x + 0.12, y + 0.09],
            [x + 0.12, y + 0.11],
            [x, y + 0.11],
          ],
          solid([235, 220, 90]),
        );
      break;
    }
    case 'sand': {
      canvas.fill(speckle(r.jitter([215, 190, 130], 20), 20, seed));
      for (let i = r.int(2, 6); i > 0; i--) {
        const t = new Transform(r.next(), r.next(), r.range(0.015, 0.04));
        canvas.ellipse(t, 0, 0, 1, 0.8, solid(r.jitter([150, 140, 130], 25)));
      }
      break;
    }
  }
}

/** Scene-coloured clutter: small shapes that belong to no class. */
export function drawClutter(canvas: Canvas, r: Random, count: number): void {
  const colours: RGB[] = [
    [90, 70, 50],
    [200, 200, 190],
    [60, 90, 60],
    [150, 60, 60],
    [230, 200, 80],
  ];
  for (let i = 0; i < count; i++) {
    const t = new Transform(r.next(), r.next(), r.range(0.02, 0.05), r.range(0, Math.PI));
    const paint = solid(r.jitter(r.pick(colours), 30));
    if (r.chance(0.5)) canvas.ellipse(t, 0, 0, 1, r.range(0.4, 1), paint);
    else
      canvas.shape(
        t,
        [
          [-1, -1],
          [1, -0.6],
          [0.4, 1],
        ],
        paint,
      );
  }
}
