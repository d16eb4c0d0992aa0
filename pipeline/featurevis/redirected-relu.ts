/**
 * Lucid's "redirected ReLU": early in an optimization, a unit whose ReLU is off passes no gradient, so an
 * objective that needs it to turn on is stuck at a random start. For the first steps the gradient is redirected
 * through such ReLUs — but only for examples where the ordinary gradient is entirely zero, and only in the
 * direction that would raise the input towards switching on (or, for ReLU6, lower it from above 6).
 *
 * TF.js looks gradients up by kernel name, so this replaces the Relu and Relu6 gradients once per thread with
 * versions that behave exactly as TF.js's own unless `withRedirectedRelu` is running. That reaches every
 * standalone Relu/Relu6 op (graph-models whose ReLUs are separate nodes, layers the executor runs unfused).
 * The layers executor's fused convolution units read the same switch (engine/gradients/activation.ts). A ReLU
 * fused into a graph-model's _FusedConv2D differentiates inside that op's own gradient and keeps the plain ReLU
 * gradient there.
 *
 * Sign convention: the upstream gradient is that of the objective being maximized (render.ts ascends).
 */
import { tf, type Tensor } from '../engine/tf.ts';
import { chooseRedirected, setRedirecting } from '../engine/gradients/activation.ts';

let registered = false;
let active = false;

export function withRedirectedRelu<T>(run: () => T): T {
  registerRedirectableRelu();
  setRedirecting(true);
  active = true;
  try {
    return run();
  } finally {
    active = false;
    setRedirecting(false);
  }
}

function registerRedirectableRelu(): void {
  if (registered) return;
  registered = true;
  // registerGradient warns when it replaces one; the replacement is intended.
  const warn = console.warn;
  console.warn = () => {};
  try {
    registerRedirectable(
      'Relu',
      (x) => tf.step(x),
      // Blocked only where the unit is off and the objective wants it lower still.
      (x, grad) => tf.logicalAnd(tf.less(x, 0), tf.less(grad, 0)),
    );
    registerRedirectable(
      'Relu6',
      (x) => tf.mul(tf.lessEqual(x, 6), tf.step(x)),
      (x, grad) => tf.logicalOr(tf.logicalAnd(tf.less(x, 0), tf.less(grad, 0)), tf.logicalAnd(tf.greater(x, 6), tf.greater(grad, 0))),
    );
  } finally {
    console.warn = warn;
  }
}

/**
 * A gradient that is the kernel's own (dy where `passes`) unless redirecting, when it also lets dy through where
 * the unit is saturated but the objective pushes it back into range (everywhere but `blocked`).
 */
function registerRedirectable(kernelName: string, passes: (x: Tensor) => Tensor, blocked: (x: Tensor, grad: Tensor) => Tensor): void {
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const x = (saved as Tensor[])[0]!;
      const grad = dy as Tensor;
      return {
        x: () => {
          const plain = tf.mul(grad, tf.cast(passes(x), 'float32'));
          if (!active) return plain;
          return chooseRedirected(plain, () => tf.mul(grad, tf.cast(tf.logicalNot(blocked(x, grad)), 'float32')));
        },
      };
    },
  });
}
