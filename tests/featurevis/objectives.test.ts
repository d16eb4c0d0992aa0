/** Objectives give one value per example and compose; whitening solves C·w = d; redirected ReLU unsticks. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../pipeline/engine/tf.ts';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { channel, direction, directionCosine, neuron, secondMoment, sum, weighted, whiten } from '../../pipeline/featurevis/objectives.ts';
import { withRedirectedRelu } from '../../pipeline/featurevis/redirected-relu.ts';
import { isUserError } from '../../pipeline/errors.ts';
import { seededValues } from '../helpers/random.ts';

// Two examples of a 3×3 layer with 2 channels: value = 100·example + 10·position + channel.
let taps: { a: tf.Tensor };
beforeAll(async () => {
  await useBackend('wasm');
  const values = Array.from({ length: 2 * 9 * 2 }, (_, i) => 100 * Math.floor(i / 18) + 10 * Math.floor((i % 18) / 2) + (i % 2));
  taps = { a: tf.tensor4d(values, [2, 3, 3, 2]) };
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());
/** Rows of a gradient with −0 read as 0. */
const grid = (t: tf.Tensor) => (t.arraySync() as number[][]).map((row) => row.map((v) => v + 0));

describe('objectives', () => {
  it('read one value per example: neuron at the centre, channel mean, direction dot product', () => {
    expect(values(neuron('a', 1).value(taps))).toEqual([41, 141]);
    expect(values(neuron('a', 0, { x: 2, y: 0 }).value(taps))).toEqual([20, 120]);
    expect(values(channel('a', 0).value(taps))).toEqual([40, 140]);
    expect(values(direction('a', Float32Array.from([1, 2, 0, 1]), 2).value(taps))).toEqual([40 + 82, 141]);
  });

  it('compose with plus, times, sum and weighted sums', () => {
    const n = neuron('a', 0);
    const c = channel('a', 1);
    expect(values(n.plus(c).value(taps))).toEqual([81, 281]);
    expect(values(n.minus(c).value(taps))).toEqual([-1, -1]);
    expect(values(n.times(2).plus(1).value(taps))).toEqual([81, 281]);
    expect(values(n.times(c).value(taps))).toEqual([40 * 41, 140 * 141]);
    expect(values(sum(n, c, n).value(taps))).toEqual([121, 421]);
    expect(
      values(
        weighted([
          [0.5, n],
          [2, c],
        ]).value(taps),
      ),
    ).toEqual([20 + 82, 70 + 282]);
    expect(n.plus(neuron('b', 0)).layers).toEqual(['a', 'b']);
  });

  it('weights the dot product by the cosine to a power, floored at 0.1', () => {
    const dirs = Float32Array.from([1, 0, -1, 0]);
    const [same, opposite] = values(directionCosine('a', dirs, 2, 2).value(taps));
    const v0 = [40, 41];
    const cosine = 40 / Math.hypot(...v0);
    expect(same).toBeCloseTo(40 * cosine ** 2, 2);
    expect(opposite).toBeCloseTo(-140 * 0.1 ** 2, 3);
  });

  it('says which layer has no spatial extent', () => {
    const flat = { f: tf.zeros([2, 10]) };
    try {
      neuron('f', 0).value(flat);
      expect.unreachable();
    } catch (error) {
      expect(isUserError(error)).toBe(true);
      expect((error as Error).message).toMatch(/layer "f" has no spatial extent/);
    }
  });

  it("whitens directions: C·w = d for the activations' second moment", () => {
    const depth = 6;
    const activations = seededValues(200 * depth, 3).map((v, i) => v * (1 + (i % depth)));
    const moment = secondMoment(activations, depth);
    const d = seededValues(2 * depth, 4);
    const w = whiten(d, depth, moment, 0);
    for (let k = 0; k < 2; k++) {
      for (let i = 0; i < depth; i++) {
        let s = 0;
        for (let j = 0; j < depth; j++) s += moment[i * depth + j]! * w[k * depth + j]!;
        expect(s).toBeCloseTo(d[k * depth + i]!, 3);
      }
    }
  });
});

describe('redirected ReLU', () => {
  const rows = [
    [-1, -2, -3],
    [-1, 2, -3],
  ];
  const objective = (t: tf.Tensor) => tf.sum(tf.relu(t)) as tf.Scalar;

  it('passes the gradient where the ordinary one is zero for the whole example, only upwards', () => {
    const x = tf.tensor2d(rows);
    expect(grid(tf.grad(objective)(x))).toEqual([
      [0, 0, 0],
      [0, 1, 0],
    ]);
    expect(grid(withRedirectedRelu(() => tf.grad(objective)(x)))).toEqual([
      [1, 1, 1], // stuck example: redirected
      [0, 1, 0], // example with a live unit: unchanged
    ]);
    // Wanting a switched-off unit lower still is blocked.
    expect(grid(withRedirectedRelu(() => tf.grad((t: tf.Tensor) => tf.neg(objective(t)) as tf.Scalar)(x)))[0]).toEqual([0, 0, 0]);
  });

  it('does the same for ReLU6, and lets a unit above 6 be pushed down', () => {
    const y = tf.tensor2d([[-1, 7]]);
    const up = grid(withRedirectedRelu(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)) as tf.Scalar)(y)));
    expect(up).toEqual([[1, 0]]);
    const down = grid(withRedirectedRelu(() => tf.grad((t: tf.Tensor) => tf.neg(tf.sum(tf.relu6(t))) as tf.Scalar)(y)));
    expect(down).toEqual([[0, -1]]);
    expect(grid(tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)) as tf.Scalar)(y))).toEqual([[0, 0]]);
  });
});
