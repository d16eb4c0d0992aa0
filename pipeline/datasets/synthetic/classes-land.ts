/** The classes of grass and street: tree, flower, mushroom, car, house, snake, cactus (classes.ts orders them). */
import type { ClassSpec } from './classes.ts';
import { texture } from './paints.ts';
import { checks, dots, solid, speckle, stripes, type RGB } from './raster.ts';

export const LAND: ClassSpec[] = [
  {
    name: 'tree',
    scene: 'grass',
    draw(c, t, r) {
      c.shape(
        t,
        [
          [-0.12, 1],
          [0.12, 1],
          [0.1, 0],
          [-0.1, 0],
        ],
        solid(r.jitter([100, 70, 40], 15)),
      );
      const leaves = r.jitter([40, 120, 40], 25);
      const paint = texture(r, leaves, r.jitter([30, 90, 30], 15), ['plain', 'speckle', 'dots']);
      for (let k = 0; k < 4; k++) c.ellipse(t, r.range(-0.35, 0.35), r.range(-0.7, -0.2), r.range(0.35, 0.5), r.range(0.3, 0.45), paint);
    },
  },
  {
    name: 'flower',
    scene: 'grass',
    draw(c, t, r) {
      c.line(t, 0, 0.1, 0, 1, 0.08, solid([50, 120, 40]));
      const petal = r.jitter(
        r.pick([
          [240, 80, 150],
          [250, 230, 60],
          [180, 90, 230],
          [250, 250, 250],
        ] as RGB[]),
        20,
      );
      const n = r.int(5, 8);
      for (let k = 0; k < n; k++) {
        const a = (k / n) * Math.PI * 2;
        c.ellipse(t, 0.38 * Math.cos(a), -0.25 + 0.38 * Math.sin(a), 0.28, 0.15, solid(petal), a);
      }
      c.ellipse(t, 0, -0.25, 0.2, 0.2, solid(r.jitter([230, 170, 30], 20)));
    },
  },
  {
    name: 'mushroom',
    scene: 'grass',
    draw(c, t, r) {
      c.shape(
        t,
        [
          [-0.2, 0.9],
          [0.2, 0.9],
          [0.15, 0],
          [-0.15, 0],
        ],
        solid(r.jitter([235, 225, 205], 10)),
      );
      const cap = r.jitter(
        r.pick([
          [200, 40, 30],
          [150, 100, 60],
        ] as RGB[]),
        20,
      );
      c.shape(
        t,
        [
          [-0.8, 0.05],
          [-0.6, -0.45],
          [0, -0.7],
          [0.6, -0.45],
          [0.8, 0.05],
        ],
        dots(cap, [245, 245, 240], r.range(0.05, 0.08), 0.25),
      );
    },
  },
  {
    name: 'car',
    scene: 'street',
    draw(c, t, r) {
      const paint = r.jitter(
        r.pick([
          [200, 30, 30],
          [30, 80, 190],
          [240, 200, 40],
          [30, 30, 35],
          [235, 235, 235],
        ] as RGB[]),
        20,
      );
      c.shape(
        t,
        [
          [-1, 0.35],
          [-1, 0],
          [-0.5, -0.05],
          [-0.3, -0.45],
          [0.4, -0.45],
          [0.6, -0.05],
          [1, 0],
          [1, 0.35],
        ],
        texture(r, paint, [250, 250, 250], ['plain', 'stripes']),
      );
      c.shape(
        t,
        [
          [-0.22, -0.38],
          [0.05, -0.38],
          [0.05, -0.08],
          [-0.4, -0.08],
        ],
        solid([170, 200, 225]),
      );
      c.shape(
        t,
        [
          [0.12, -0.38],
          [0.35, -0.38],
          [0.5, -0.08],
          [0.12, -0.08],
        ],
        solid([170, 200, 225]),
      );
      for (const u of [-0.55, 0.55]) {
        c.ellipse(t, u, 0.35, 0.24, 0.24, solid([25, 25, 25]));
        c.ellipse(t, u, 0.35, 0.1, 0.1, solid([170, 170, 175]));
      }
    },
  },
  {
    name: 'house',
    scene: 'street',
    elsewhere: { scene: 'grass', chance: 0.3 },
    draw(c, t, r) {
      const wall = r.jitter(
        r.pick([
          [230, 210, 170],
          [200, 110, 80],
          [240, 240, 235],
        ] as RGB[]),
        15,
      );
      c.shape(
        t,
        [
          [-0.7, 0.9],
          [0.7, 0.9],
          [0.7, -0.1],
          [-0.7, -0.1],
        ],
        texture(r, wall, r.jitter([150, 90, 60], 20), ['plain', 'checks', 'stripes']),
      );
      c.shape(
        t,
        [
          [-0.9, -0.05],
          [0, -0.85],
          [0.9, -0.05],
        ],
        solid(r.jitter([140, 50, 40], 20)),
      );
      c.shape(
        t,
        [
          [-0.15, 0.9],
          [0.15, 0.9],
          [0.15, 0.4],
          [-0.15, 0.4],
        ],
        solid([90, 60, 40]),
      );
      for (const u of [-0.45, 0.45])
        c.shape(
          t,
          [
            [u - 0.15, 0.1],
            [u + 0.15, 0.1],
            [u + 0.15, 0.35],
            [u - 0.15, 0.35],
          ],
          solid([160, 200, 230]),
        );
    },
  },
  {
    name: 'snake',
    scene: 'sand',
    elsewhere: { scene: 'grass', chance: 0.2 },
    draw(c, t, r) {
      const a = r.jitter(
        r.pick([
          [60, 130, 50],
          [200, 150, 40],
          [120, 80, 40],
        ] as RGB[]),
        20,
      );
      const b = r.jitter([30, 30, 30], 10);
      const paint = texture(r, a, b, ['stripes', 'dots', 'checks', 'plain']);
      const phase = r.range(0, Math.PI * 2);
      const width = r.range(0.16, 0.24);
      let previous: [number, number] | undefined;
      for (let k = 0; k <= 16; k++) {
        const u = -1.1 + (k / 16) * 2.2;
        const v = 0.35 * Math.sin(phase + u * 3.2);
        if (previous) c.line(t, previous[0], previous[1], u, v, width, paint);
        previous = [u, v];
      }
      c.ellipse(t, 1.15, previous![1], 0.18, 0.14, solid(a));
    },
  },
  {
    name: 'cactus',
    scene: 'sand',
    draw(c, t, r) {
      const green = r.jitter([60, 140, 70], 20);
      const paint = texture(r, green, r.jitter([40, 100, 50], 10), ['plain', 'stripes']);
      c.shape(
        t,
        [
          [-0.18, 1],
          [0.18, 1],
          [0.18, -0.85],
          [-0.18, -0.85],
        ],
        paint,
      );
      c.ellipse(t, 0, -0.85, 0.18, 0.12, paint);
      const armHeight = r.range(-0.2, 0.3);
      c.shape(
        t,
        [
          [0.15, armHeight],
          [0.6, armHeight],
          [0.6, armHeight - 0.6],
          [0.42, armHeight - 0.6],
          [0.42, armHeight - 0.15],
          [0.15, armHeight - 0.15],
        ],
        paint,
      );
      if (r.chance(0.7))
        c.shape(
          t,
          [
            [-0.15, armHeight + 0.2],
            [-0.55, armHeight + 0.2],
            [-0.55, armHeight - 0.3],
            [-0.38, armHeight - 0.3],
            [-0.38, armHeight + 0.05],
            [-0.15, armHeight + 0.05],
          ],
          paint,
        );
    },
  },
];
