/** The classes of water and sky: whale, shark, fish, boat, bird, kite, airplane (classes.ts orders them). */
import type { ClassSpec } from './classes.ts';
import { grey, texture } from './paints.ts';
import { checks, dots, solid, speckle, stripes, type RGB } from './raster.ts';

export const WATER_AND_SKY: ClassSpec[] = [
  {
    name: 'whale',
    scene: 'water',
    draw(c, t, r) {
      const body = grey(r, 95);
      c.shape(
        t,
        [
          [0.8, 0],
          [1.35, -0.45],
          [1.25, 0],
          [1.35, 0.45],
        ],
        solid(body),
      ); // flukes
      c.ellipse(t, -0.05, 0, 1.0, 0.42, texture(r, body, grey(r, 120), ['plain', 'speckle']));
      c.ellipse(t, -0.55, 0.05, 0.5, 0.36, solid(body)); // blunt head
      for (let i = r.int(2, 5); i > 0; i--) c.ellipse(t, r.range(-0.8, 0.5), r.range(-0.25, 0.2), r.range(0.05, 0.1), r.range(0.04, 0.08), solid(grey(r, 165)));
      c.ellipse(t, -0.75, -0.05, 0.05, 0.05, solid([25, 25, 30]));
      c.line(t, -0.95, 0.18, -0.55, 0.22, 0.04, solid(grey(r, 60))); // mouth line
    },
  },
  {
    name: 'shark',
    scene: 'water',
    draw(c, t, r) {
      const body = grey(r, 110);
      c.shape(
        t,
        [
          [0.75, 0],
          [1.3, -0.55],
          [1.15, 0],
          [1.3, 0.35],
        ],
        solid(body),
      ); // tail
      c.shape(
        t,
        [
          [-0.1, -0.28],
          [0.25, -0.95],
          [0.35, -0.3],
        ],
        solid(body),
      ); // dorsal fin
      c.shape(
        t,
        [
          [-1.25, 0.02],
          [-0.5, -0.36],
          [0.85, -0.08],
          [0.85, 0.08],
          [-0.5, 0.34],
        ],
        solid(body),
      ); // pointed body
      c.shape(
        t,
        [
          [-1.1, 0.08],
          [-0.4, 0.32],
          [0.7, 0.07],
          [-0.4, 0.14],
        ],
        solid(r.jitter([235, 235, 235], 10)),
      ); // white belly
      c.shape(
        t,
        [
          [-0.2, 0.25],
          [0.1, 0.7],
          [0.15, 0.25],
        ],
        solid(body),
      ); // pectoral fin
      c.ellipse(t, -0.85, -0.06, 0.045, 0.045, solid([20, 20, 25]));
      for (let k = 0; k < 3; k++) c.line(t, -0.55 + k * 0.1, -0.1, -0.6 + k * 0.1, 0.1, 0.025, solid(grey(r, 70))); // gills
    },
  },
  {
    name: 'fish',
    scene: 'water',
    draw(c, t, r) {
      const colour = r.jitter(
        r.pick([
          [240, 140, 40],
          [240, 200, 50],
          [220, 80, 90],
        ] as RGB[]),
        20,
      );
      c.shape(
        t,
        [
          [0.5, 0],
          [1.1, -0.5],
          [1.1, 0.5],
        ],
        solid(colour),
      );
      c.ellipse(t, -0.1, 0, 0.75, 0.5, texture(r, colour, r.jitter([250, 250, 250], 10), ['plain', 'stripes', 'dots']));
      c.ellipse(t, -0.5, -0.1, 0.09, 0.09, solid([20, 20, 20]));
    },
  },
  {
    name: 'boat',
    scene: 'water',
    draw(c, t, r) {
      const hull = r.jitter(
        r.pick([
          [150, 60, 40],
          [240, 240, 240],
          [40, 60, 120],
        ] as RGB[]),
        20,
      );
      c.shape(
        t,
        [
          [-1, 0.2],
          [1, 0.2],
          [0.7, 0.6],
          [-0.75, 0.6],
        ],
        texture(r, hull, r.jitter([200, 200, 200], 20), ['plain', 'stripes']),
      );
      c.line(t, 0, 0.2, 0, -1, 0.06, solid([90, 70, 50]));
      c.shape(
        t,
        [
          [0.05, -0.95],
          [0.8, 0.1],
          [0.05, 0.1],
        ],
        solid(r.jitter([245, 240, 225], 10)),
      );
      if (r.chance(0.6))
        c.shape(
          t,
          [
            [-0.05, -0.7],
            [-0.6, 0.1],
            [-0.05, 0.1],
          ],
          solid(r.jitter([220, 70, 60], 30)),
        );
    },
  },
  {
    name: 'bird',
    scene: 'sky',
    elsewhere: { scene: 'water', chance: 0.2 },
    draw(c, t, r) {
      const colour = r.jitter(
        r.pick([
          [40, 40, 45],
          [120, 80, 50],
          [230, 230, 235],
        ] as RGB[]),
        20,
      );
      const lift = r.range(-0.6, 0.2);
      c.shape(
        t,
        [
          [0, 0],
          [-1, lift - 0.2],
          [-0.9, lift],
          [0, 0.25],
          [0.9, lift],
          [1, lift - 0.2],
        ],
        solid(colour),
      );
      c.ellipse(t, 0, 0.12, 0.25, 0.18, solid(colour));
      c.shape(
        t,
        [
          [0, 0.1],
          [0.12, 0.45],
          [-0.12, 0.45],
        ],
        solid(r.jitter([240, 170, 40], 20)),
      );
    },
  },
  {
    name: 'kite',
    scene: 'sky',
    elsewhere: { scene: 'grass', chance: 0.15 },
    draw(c, t, r) {
      const a = r.jitter(
        r.pick([
          [220, 40, 40],
          [40, 90, 220],
          [250, 200, 30],
          [40, 170, 90],
        ] as RGB[]),
        20,
      );
      const b = r.jitter([250, 250, 250], 10);
      c.shape(
        t,
        [
          [0, -1],
          [0.6, -0.25],
          [0, 0.55],
          [-0.6, -0.25],
        ],
        texture(r, a, b, ['plain', 'stripes', 'checks']),
      );
      const tail = solid([60, 50, 40]);
      let [u, v] = [0, 0.55];
      for (let k = 0; k < 4; k++) {
        const [nu, nv] = [u + r.range(-0.25, 0.25), v + 0.2];
        c.line(t, u, v, nu, nv, 0.03, tail);
        c.shape(
          t,
          [
            [nu - 0.08, nv - 0.05],
            [nu + 0.08, nv - 0.05],
            [nu, nv + 0.06],
          ],
          solid(r.jitter(a, 30)),
        );
        [u, v] = [nu, nv];
      }
    },
  },
  {
    name: 'airplane',
    scene: 'sky',
    draw(c, t, r) {
      const body = r.jitter([225, 228, 232], 15);
      const accent = r.jitter(
        r.pick([
          [200, 40, 40],
          [30, 70, 160],
        ] as RGB[]),
        20,
      );
      c.shape(
        t,
        [
          [-0.2, -0.05],
          [0.25, -0.05],
          [0.05, -0.9],
          [-0.1, -0.9],
        ],
        solid(body),
      ); // wing
      c.shape(
        t,
        [
          [-0.2, 0.05],
          [0.25, 0.05],
          [0.05, 0.9],
          [-0.1, 0.9],
        ],
        solid(body),
      );
      c.ellipse(t, 0, 0, 1.0, 0.14, texture(r, body, accent, ['plain', 'stripes']));
      c.shape(
        t,
        [
          [0.75, -0.05],
          [1.0, -0.45],
          [1.05, -0.05],
        ],
        solid(accent),
      ); // tail fin
    },
  },
];
