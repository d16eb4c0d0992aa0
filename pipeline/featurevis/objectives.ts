/**
 * What is maximized (Lucid's `objectives`): functions of the tapped layers giving one value per example, so a
 * batch of icons is optimized together yet each is judged alone. Objectives compose: `a.plus(b)`,
 * `a.times(0.5)`, `a.times(b)`, `sum(…)`, `weighted(…)`.
 */
import { tf, type Tensor } from '../engine/tf.ts';
import { UserError } from '../errors.ts';
import type { Taps } from '../models/runner.ts';

export class Objective {
  constructor(
    /** The layers it reads. */
    readonly layers: string[],
    /** Values [B], one per example, from the taps of one forward pass. */
    readonly value: (taps: Taps) => Tensor,
  ) {}

  plus(other: Objective | number): Objective {
    if (typeof other === 'number') return new Objective(this.layers, (taps) => tf.add(this.value(taps), other));
    return new Objective(union(this.layers, other.layers), (taps) => tf.add(this.value(taps), other.value(taps)));
  }

  minus(other: Objective): Objective {
    return this.plus(other.times(-1));
  }

  times(other: Objective | number): Objective {
    if (typeof other === 'number') return new Objective(this.layers, (taps) => tf.mul(this.value(taps), other));
    return new Objective(union(this.layers, other.layers), (taps) => tf.mul(this.value(taps), other.value(taps)));
  }
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

export function sum(...objectives: Objective[]): Objective {
  return objectives.reduce((total, each) => total.plus(each));
}

export function weighted(terms: [weight: number, objective: Objective][]): Objective {
  return sum(...terms.map(([weight, objective]) => objective.times(weight)));
}

/** The layer's activation [B, H, W, C]; a layer without height and width cannot be visualized spatially. */
function spatial(taps: Taps, layer: string): Tensor {
  const activation = taps[layer]!;
  if (activation.rank !== 4) {
    throw new UserError(`layer "${layer}" has no spatial extent (output shape [${activation.shape.join(', ')}]); choose a convolutional layer for icons.`);
  }
  return activation;
}

export type Position = 'centre' | { x: number; y: number };

/** The activation vectors [B, C] at one position (default: the centre, as the atlas's objective uses). */
function at(activation: Tensor, position: Position): Tensor {
  const [b, h, w, c] = activation.shape as [number, number, number, number];
  const { x, y } = position === 'centre' ? { x: Math.floor(w / 2), y: Math.floor(h / 2) } : position;
  return tf.reshape(tf.slice(activation, [0, y, x, 0], [b, 1, 1, c]), [b, c]);
}

/** The mean of one channel over all positions. */
export function channel(layer: string, index: number): Objective {
  return new Objective([layer], (taps) => {
    const activation = spatial(taps, layer);
    return tf.mean(tf.squeeze(tf.slice(activation, [0, 0, 0, index], [-1, -1, -1, 1]), [3]), [1, 2]);
  });
}

/** One channel at one position. */
export function neuron(layer: string, index: number, position: Position = 'centre'): Objective {
  return new Objective([layer], (taps) => tf.squeeze(tf.slice(at(spatial(taps, layer), position), [0, index], [-1, 1]), [1]));
}

/** Directions as a tensor [B, C]: one per example, or one for all. */
function directionTensor(directions: Float32Array, depth: number): Tensor {
  return tf.tensor2d(directions, [directions.length / depth, depth]);
}

/** dot(act, direction) at a position: how far the activation goes along the direction. */
export function direction(layer: string, directions: Float32Array, depth: number, position: Position = 'centre'): Objective {
  return new Objective([layer], (taps) => tf.sum(tf.mul(at(spatial(taps, layer), position), directionTensor(directions, depth)), 1));
}

/**
 * dot(act, dir) · cos(act, dir)^power, the activation atlas's objective: the cosine rewards pointing the same
 * way rather than merely being large. The cosine is floored at 0.1 so that an activation pointing away still
 * has a gradient towards the direction (and an even power cannot reward pointing backwards).
 */
export function directionCosine(layer: string, directions: Float32Array, depth: number, power: number, position: Position = 'centre'): Objective {
  return new Objective([layer], (taps) => {
    const vectors = at(spatial(taps, layer), position);
    const dirs = directionTensor(directions, depth);
    const dot = tf.sum(tf.mul(vectors, dirs), 1);
    if (power === 0) return dot;
    const norms = tf.mul(tf.norm(vectors, 2, 1), tf.norm(dirs, 2, 1));
    const cosine = tf.maximum(tf.div(dot, tf.add(norms, 1e-6)), 0.1);
    return tf.mul(dot, tf.pow(cosine, power));
  });
}

/**
 * Whitened directions: C⁻¹·d with C the activations' second-moment matrix (plus a small ridge), so that
 * directions along which all activations vary a lot count for less (Distill's optional whitening).
 */
export function whiten(directions: Float32Array, depth: number, secondMoment: Float32Array, ridge = 1e-2): Float32Array {
  const count = directions.length / depth;
  const trace = Array.from({ length: depth }, (_, i) => secondMoment[i * depth + i]!).reduce((a, b) => a + b, 0);
  const matrix = Float64Array.from(secondMoment);
  for (let i = 0; i < depth; i++) matrix[i * depth + i]! += (ridge * trace) / depth;
  const out = new Float32Array(directions.length);
  const factor = cholesky(matrix, depth);
  for (let k = 0; k < count; k++) out.set(choleskySolve(factor, depth, directions.subarray(k * depth, (k + 1) * depth)), k * depth);
  return out;
}

/** The second-moment matrix E[a·aᵀ] of activations [n, depth], for `whiten`. */
export function secondMoment(activations: Float32Array, depth: number): Float32Array {
  const n = activations.length / depth;
  const out = new Float64Array(depth * depth);
  for (let r = 0; r < n; r++) {
    const row = activations.subarray(r * depth, (r + 1) * depth);
    for (let i = 0; i < depth; i++) {
      const v = row[i]!;
      if (v === 0) continue;
      for (let j = 0; j < depth; j++) out[i * depth + j]! += v * row[j]!;
    }
  }
  return Float32Array.from(out, (v) => v / n);
}

function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j]!;
    }
  }
  return l;
}

function choleskySolve(l: Float64Array, n: number, b: Float32Array): Float32Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return Float32Array.from(x);
}
