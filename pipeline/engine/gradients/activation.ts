/**
 * Activation derivatives read from an activation's output y rather than its input, so a fused convolution
 * (conv + bias + activation in one kernel) needs to keep only y. Also holds the redirected-ReLU switch that
 * feature visualization turns on for its first steps (featurevis/redirected-relu.ts), so fused units redirect
 * the same way the standalone Relu and Relu6 gradients do.
 */
import { tf, type Tensor } from '../tf.ts';

/** The activations a convolution unit can fuse (the ones wasm's FusedConv2D runs). */
export type UnitActivation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid';

let redirecting = false;

export function setRedirecting(on: boolean): void {
  redirecting = on;
}

export function isRedirecting(): boolean {
  return redirecting;
}

/** 1 for examples whose ordinary gradient is zero everywhere, else 0; shaped to broadcast over the example. */
export function stuckExamples(plain: Tensor): Tensor {
  const batch = plain.shape[0] ?? 1;
  const magnitude = tf.sum(tf.abs(tf.reshape(plain, [batch, -1])), 1);
  return tf.reshape(tf.cast(tf.equal(magnitude, 0), 'float32'), [batch, ...plain.shape.slice(1).map(() => 1)]);
}

/** The plain gradient, except for examples where it is zero everywhere: those take the redirected one. */
export function chooseRedirected(plain: Tensor, redirected: () => Tensor): Tensor {
  if (plain.rank < 2) return plain; // no batch axis to judge by
  const stuck = stuckExamples(plain);
  return tf.add(tf.mul(plain, tf.sub(1, stuck)), tf.mul(redirected(), stuck));
}

/**
 * dL/d(pre-activation) from dL/dy and y. `alpha` is LeakyReLU's slope. While redirecting, ReLU and ReLU6 also
 * pass the gradient where the unit is saturated but the objective pushes it back into range, for examples whose
 * plain gradient is zero (Lucid's redirected ReLU).
 */
export function activationGradient(activation: UnitActivation, y: Tensor, dy: Tensor, alpha = 0.2): Tensor {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu': {
      const plain = tf.mul(dy, tf.step(y));
      if (!redirecting) return plain;
      // Blocked only where the unit is off and the objective wants it lower still.
      return chooseRedirected(plain, () => tf.mul(dy, tf.cast(tf.logicalNot(tf.logicalAnd(tf.lessEqual(y, 0), tf.less(dy, 0))), 'float32')));
    }
    case 'relu6': {
      // step(y)·step(6 − y): inside (0, 6) only.
      const plain = tf.mul(dy, tf.mul(tf.step(y), tf.step(tf.sub(6, y))));
      if (!redirecting) return plain;
      const blocked = tf.logicalOr(tf.logicalAnd(tf.lessEqual(y, 0), tf.less(dy, 0)), tf.logicalAnd(tf.greaterEqual(y, 6), tf.greater(dy, 0)));
      return chooseRedirected(plain, () => tf.mul(dy, tf.cast(tf.logicalNot(blocked), 'float32')));
    }
    case 'leakyrelu':
      // 1 where y > 0, alpha elsewhere (y and x have the same sign for a positive slope).
      return tf.mul(dy, tf.add(alpha, tf.mul(1 - alpha, tf.step(y))));
    case 'elu':
      // 1 where y > 0, else e^x = y + 1.
      return tf.mul(dy, tf.add(tf.minimum(y, 0), 1));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
  }
}
