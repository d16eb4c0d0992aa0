/**
 * The fourteen classes of the synthetic world, drawn in an object's local coordinates (about −1..1). Classes
 * share scenes and parts so that an atlas of a network trained on them has structure worth seeing: sea
 * creatures and boats on water, fliers in the sky, plants on grass, vehicles and buildings by the street. The
 * whale and the shark are the confusable pair: grey bodies with tails in water, told apart by the shark's fin,
 * pointed snout and white belly, and the whale's blunt head and pale patches.
 */
import { Canvas, Transform, checks, dots, solid, speckle, stripes, type Paint, type RGB } from './raster.ts';
import type { Random } from '../../random.ts';
import type { Scene } from './scenes.ts';

export interface ClassSpec {
  name: string;
  /** The scene the object usually appears in, and the chance of another scene instead. */
  scene: Scene;
  elsewhere?: { scene: Scene; chance: number };
  draw(canvas: Canvas, t: Transform, r: Random): void;
}

/** A body paint with texture variation: plain, speckled, striped, dotted or checked. */
function texture(r: Random, base: RGB, other: RGB, allowed = ['plain', 'speckle', 'stripes', 'dots', 'checks']): Paint {
  const kind = r.pick(allowed);
  const period = r.range(0.04, 0.09);
  if (kind === 'speckle') return speckle(base, r.range(10, 30), r.int(0, 1e6));
  if (kind === 'stripes') return stripes(base, other, period, r.range(0, Math.PI));
  if (kind === 'dots') return dots(base, other, period, r.range(0.15, 0.3));
  if (kind === 'checks') return checks(base, other, period);
  return solid(base);
}

const grey = (r: Random, level: number) => r.jitter([level, level + 4, level + 10], 14);

export const CLASSES: ClassSpec[] = [
  {
    name: 'whale',
    scene: 'water',
    draw(c, t, r) {
      const body = grey(r, 95);
      c.shape(t, [[0.8, 0], [1.35, -0.45], [1.25, 0], [1.35, 0.45]], solid(body)); // flukes
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
      c.shape(t, [[0.75, 0], [1.3, -0.55], [1.15, 0], [1.3, 0.35]], solid(body)); // tail
      c.shape(t, [[-0.1, -0.28], [0.25, -0.95], [0.35, -0.3]], solid(body)); // dorsal fin
      c.shape(t, [[-1.25, 0.02], [-0.5, -0.36], [0.85, -0.08], [0.85, 0.08], [-0.5, 0.34]], solid(body)); // pointed body
      c.shape(t, [[-1.1, 0.08], [-0.4, 0.32], [0.7, 0.07], [-0.4, 0.14]], solid(r.jitter([235, 235, 235], 10))); // white belly
      c.shape(t, [[-0.2, 0.25], [0.1, 0.7], [0.15, 0.25]], solid(body)); // pectoral fin
      c.ellipse(t, -0.85, -0.06, 0.045, 0.045, solid([20, 20, 25]));
      for (let k = 0; k < 3; k++) c.line(t, -0.55 + k * 0.1, -0.1, -0.6 + k * 0.1, 0.1, 0.025, solid(grey(r, 70))); // gills
    },
  },
  {
    name: 'fish',
    scene: 'water',
    draw(c, t, r) {
      const colour = r.jitter(r.pick([[240, 140, 40], [240, 200, 50], [220, 80, 90]] as RGB[]), 20);
      c.shape(t, [[0.5, 0], [1.1, -0.5], [1.1, 0.5]], solid(colour));
      c.ellipse(t, -0.1, 0, 0.75, 0.5, texture(r, colour, r.jitter([250, 250, 250], 10), ['plain', 'stripes', 'dots']));
      c.ellipse(t, -0.5, -0.1, 0.09, 0.09, solid([20, 20, 20]));
    },
  },
  {
    name: 'boat',
    scene: 'water',
    draw(c, t, r) {
      const hull = r.jitter(r.pick([[150, 60, 40], [240, 240, 240], [40, 60, 120]] as RGB[]), 20);
      c.shape(t, [[-1, 0.2], [1, 0.2], [0.7, 0.6], [-0.75, 0.6]], texture(r, hull, r.jitter([200, 200, 200], 20), ['plain', 'stripes']));
      c.line(t, 0, 0.2, 0, -1, 0.06, solid([90, 70, 50]));
      c.shape(t, [[0.05, -0.95], [0.8, 0.1], [0.05, 0.1]], solid(r.jitter([245, 240, 225], 10)));
      if (r.chance(0.6)) c.shape(t, [[-0.05, -0.7], [-0.6, 0.1], [-0.05, 0.1]], solid(r.jitter([220, 70, 60], 30)));
    },
  },
  {
    name: 'bird',
    scene: 'sky',
    elsewhere: { scene: 'water', chance: 0.2 },
    draw(c, t, r) {
      const colour = r.jitter(r.pick([[40, 40, 45], [120, 80, 50], [230, 230, 235]] as RGB[]), 20);
      const lift = r.range(-0.6, 0.2);
      c.shape(t, [[0, 0], [-1, lift - 0.2], [-0.9, lift], [0, 0.25], [0.9, lift], [1, lift - 0.2]], solid(colour));
      c.ellipse(t, 0, 0.12, 0.25, 0.18, solid(colour));
      c.shape(t, [[0, 0.1], [0.12, 0.45], [-0.12, 0.45]], solid(r.jitter([240, 170, 40], 20)));
    },
  },
  {
    name: 'kite',
    scene: 'sky',
    elsewhere: { scene: 'grass', chance: 0.15 },
    draw(c, t, r) {
      const a = r.jitter(r.pick([[220, 40, 40], [40, 90, 220], [250, 200, 30], [40, 170, 90]] as RGB[]), 20);
      const b = r.jitter([250, 250, 250], 10);
      c.shape(t, [[0, -1], [0.6, -0.25], [0, 0.55], [-0.6, -0.25]], texture(r, a, b, ['plain', 'stripes', 'checks']));
      const tail = solid([60, 50, 40]);
      let [u, v] = [0, 0.55];
      for (let k = 0; k < 4; k++) {
        const [nu, nv] = [u + r.range(-0.25, 0.25), v + 0.2];
        c.line(t, u, v, nu, nv, 0.03, tail);
        c.shape(t, [[nu - 0.08, nv - 0.05], [nu + 0.08, nv - 0.05], [nu, nv + 0.06]], solid(r.jitter(a, 30)));
        [u, v] = [nu, nv];
      }
    },
  },
  {
    name: 'airplane',
    scene: 'sky',
    draw(c, t, r) {
      const body = r.jitter([225, 228, 232], 15);
      const accent = r.jitter(r.pick([[200, 40, 40], [30, 70, 160]] as RGB[]), 20);
      c.shape(t, [[-0.2, -0.05], [0.25, -0.05], [0.05, -0.9], [-0.1, -0.9]], solid(body)); // wing
      c.shape(t, [[-0.2, 0.05], [0.25, 0.05], [0.05, 0.9], [-0.1, 0.9]], solid(body));
      c.ellipse(t, 0, 0, 1.0, 0.14, texture(r, body, accent, ['plain', 'stripes']));
      c.shape(t, [[0.75, -0.05], [1.0, -0.45], [1.05, -0.05]], solid(accent)); // tail fin
    },
  },
  {
    name: 'tree',
    scene: 'grass',
    draw(c, t, r) {
      c.shape(t, [[-0.12, 1], [0.12, 1], [0.1, 0], [-0.1, 0]], solid(r.jitter([100, 70, 40], 15)));
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
      const petal = r.jitter(r.pick([[240, 80, 150], [250, 230, 60], [180, 90, 230], [250, 250, 250]] as RGB[]), 20);
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
      c.shape(t, [[-0.2, 0.9], [0.2, 0.9], [0.15, 0], [-0.15, 0]], solid(r.jitter([235, 225, 205], 10)));
      const cap = r.jitter(r.pick([[200, 40, 30], [150, 100, 60]] as RGB[]), 20);
      c.shape(t, [[-0.8, 0.05], [-0.6, -0.45], [0, -0.7], [0.6, -0.45], [0.8, 0.05]], dots(cap, [245, 245, 240], r.range(0.05, 0.08), 0.25));
    },
  },
  {
    name: 'car',
    scene: 'street',
    draw(c, t, r) {
      const paint = r.jitter(r.pick([[200, 30, 30], [30, 80, 190], [240, 200, 40], [30, 30, 35], [235, 235, 235]] as RGB[]), 20);
      c.shape(t, [[-1, 0.35], [-1, 0], [-0.5, -0.05], [-0.3, -0.45], [0.4, -0.45], [0.6, -0.05], [1, 0], [1, 0.35]], texture(r, paint, [250, 250, 250], ['plain', 'stripes']));
      c.shape(t, [[-0.22, -0.38], [0.05, -0.38], [0.05, -0.08], [-0.4, -0.08]], solid([170, 200, 225]));
      c.shape(t, [[0.12, -0.38], [0.35, -0.38], [0.5, -0.08], [0.12, -0.08]], solid([170, 200, 225]));
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
      const wall = r.jitter(r.pick([[230, 210, 170], [200, 110, 80], [240, 240, 235]] as RGB[]), 15);
      c.shape(t, [[-0.7, 0.9], [0.7, 0.9], [0.7, -0.1], [-0.7, -0.1]], texture(r, wall, r.jitter([150, 90, 60], 20), ['plain', 'checks', 'stripes']));
      c.shape(t, [[-0.9, -0.05], [0, -0.85], [0.9, -0.05]], solid(r.jitter([140, 50, 40], 20)));
      c.shape(t, [[-0.15, 0.9], [0.15, 0.9], [0.15, 0.4], [-0.15, 0.4]], solid([90, 60, 40]));
      for (const u of [-0.45, 0.45]) c.shape(t, [[u - 0.15, 0.1], [u + 0.15, 0.1], [u + 0.15, 0.35], [u - 0.15, 0.35]], solid([160, 200, 230]));
    },
  },
  {
    name: 'snake',
    scene: 'sand',
    elsewhere: { scene: 'grass', chance: 0.2 },
    draw(c, t, r) {
      const a = r.jitter(r.pick([[60, 130, 50], [200, 150, 40], [120, 80, 40]] as RGB[]), 20);
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
      c.shape(t, [[-0.18, 1], [0.18, 1], [0.18, -0.85], [-0.18, -0.85]], paint);
      c.ellipse(t, 0, -0.85, 0.18, 0.12, paint);
      const armHeight = r.range(-0.2, 0.3);
      c.shape(t, [[0.15, armHeight], [0.6, armHeight], [0.6, armHeight - 0.6], [0.42, armHeight - 0.6], [0.42, armHeight - 0.15], [0.15, armHeight - 0.15]], paint);
      if (r.chance(0.7)) c.shape(t, [[-0.15, armHeight + 0.2], [-0.55, armHeight + 0.2], [-0.55, armHeight - 0.3], [-0.38, armHeight - 0.3], [-0.38, armHeight + 0.05], [-0.15, armHeight + 0.05]], paint);
    },
  },
];
