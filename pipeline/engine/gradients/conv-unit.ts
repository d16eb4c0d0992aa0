/**
 * A convolution unit — convolution, bias and activation with fixed weights — whose gradient is taken with
 * respect to its input only, as feature visualization needs:
 *
 * - Forward, one fused kernel (wasm: one XNNPACK call with the bias and clamp inside).
 * - Backward, the activation's derivative read from the saved output, then one convolution with a filter made
 *   once per unit. Reusing the same filter tensor matters on wasm: XNNPACK packs a filter's weights when it first
 *   sees it, so the generic gradient kernels, which flip and transpose the filter into a new tensor every call,
 *   repack every step.
 * - A strided convolution's input gradient is a transposed convolution. Rather than spreading dy with zeros
 *   (s² times the work, most of it on zeros), the filter taps of each output phase (r_y, r_x) of the stride go
 *   into their own output channels: one stride-1 convolution gives all s² phases, and a transpose interleaves
 *   them. With i + pad = q·s + r: dx[i] = Σ_j dy[q − j] · W[j·s + r].
 *
 * Depthwise units keep the flipped filter the same way. Anything else (dilated strided convolutions, unequal
 * strides, channel multipliers above 1) runs unfused and is differentiated by TF.js's own gradients.
 * Checked against TF.js's autodiff of the unfused ops in tests/engine/conv-unit.test.ts.
 */
import { tf, type Tensor } from '../tf.ts';
import { strideGaps } from '../stride-gaps.ts';
import { activationGradient, type UnitActivation } from './activation.ts';

type Padding = [[number, number], [number, number], [number, number], [number, number]];

export interface ConvUnitSpec {
  kind: 'conv' | 'depthwise';
  /** [kh, kw, cin, cout] (depthwise: [kh, kw, c, multiplier]), batch norm already folded in. */
  filter: Tensor;
  bias?: Tensor;
  activation: UnitActivation;
  /** LeakyReLU's slope where activation is leakyrelu. */
  alpha?: number;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

const explicit = (top: number, bottom: number, left: number, right: number): Padding => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

export class ConvUnit {
  /** Built on the first gradient: the filter the input gradient convolves with, and how. */
  private backward?: { filter: Tensor; mode: 'phases' | 'depthwise' } | { mode: 'autodiff' };

  constructor(readonly spec: ConvUnitSpec) {}

  /**
   * The unit's output, one fused kernel. Called directly: tf.fused.* splits itself into unfused ops whenever a
   * gradient is being recorded, which is exactly when this runs inside withInputGradient.
   */
  forward(x: Tensor): Tensor {
    const s = this.spec;
    const inputs = { x, filter: s.filter, ...(s.bias ? { bias: s.bias } : {}) };
    const attrs = { strides: s.strides, pad: s.pad, dataFormat: 'NHWC', dilations: s.dilations, activation: s.activation, leakyreluAlpha: s.alpha ?? 0.2 };
    return tf.engine().runKernel(s.kind === 'conv' ? 'FusedConv2D' : 'FusedDepthwiseConv2D', inputs, attrs as never) as Tensor;
  }

  /** The same output, differentiable with respect to x only. */
  withInputGradient(x: Tensor): Tensor {
    // Kept: made inside the first gradient's tidy, it lives as long as the unit.
    if (!this.backward) {
      this.backward = this.prepareBackward();
      if ('filter' in this.backward) tf.keep(this.backward.filter);
    }
    if (this.backward.mode === 'autodiff') return this.unfused(x);
    const op = tf.customGrad((...args: unknown[]) => {
      const input = args[0] as Tensor;
      const save = args[1] as tf.GradSaveFunc;
      const y = this.forward(input);
      save([y]);
      return {
        value: y,
        gradFunc: (dy: Tensor, saved: Tensor[]) => this.inputGradient(activationGradient(this.spec.activation, saved[0]!, dy, this.spec.alpha), input.shape),
      };
    });
    return op(x);
  }

  /** The same output from unfused ops, differentiated by TF.js's own gradients: the reference. */
  unfused(x: Tensor): Tensor {
    const s = this.spec;
    const x4 = x as tf.Tensor4D;
    const filter = s.filter as tf.Tensor4D;
    const conv =
      s.kind === 'conv' ? tf.conv2d(x4, filter, s.strides, s.pad, 'NHWC', s.dilations) : tf.depthwiseConv2d(x4, filter, s.strides, s.pad, 'NHWC', s.dilations);
    const biased = s.bias ? tf.add(conv, s.bias) : conv;
    switch (s.activation) {
      case 'linear':
        return biased;
      case 'relu':
        return tf.relu(biased);
      case 'relu6':
        return tf.relu6(biased);
      case 'leakyrelu':
        return tf.leakyRelu(biased, s.alpha ?? 0.2);
      case 'elu':
        return tf.elu(biased);
      case 'sigmoid':
        return tf.sigmoid(biased);
    }
  }

  dispose(): void {
    if (this.backward && 'filter' in this.backward) this.backward.filter.dispose();
    this.backward = undefined;
  }

  /** dL/dx from dL/d(pre-activation) dz [B, OH, OW, cout]. */
  private inputGradient(dz: Tensor, inputShape: number[]): Tensor {
    const s = this.spec;
    const backward = this.backward as { filter: Tensor; mode: 'phases' | 'depthwise' };
    const [batch, height, width, channels] = inputShape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      inputShape as [number, number, number, number],
      s.filter.shape as [number, number, number, number],
      s.strides,
      s.dilations,
      s.pad,
      undefined,
      s.kind === 'depthwise',
    );
    const { top, left } = info.padInfo;
    const [outH, outW] = [dz.shape[1]!, dz.shape[2]!];
    if (backward.mode === 'phases' && s.strides[0] > 1) {
      const [stride] = s.strides;
      const [tapsH, tapsW] = backward.filter.shape as [number, number];
      // Rows q of the phase images needed to cover input rows 0 … H − 1 (i + top = q·s + r).
      const bottom = Math.max(0, Math.ceil((height + top) / stride) - outH);
      const right = Math.max(0, Math.ceil((width + left) / stride) - outW);
      const z = tf.conv2d(dz as tf.Tensor4D, backward.filter as tf.Tensor4D, 1, explicit(tapsH - 1, bottom, tapsW - 1, right) as never);
      // Interleave the phases: [b, q, q', (r_y, r_x, c)] → [b, q·s + r_y, q'·s + r_x, c], as DepthToSpace would
      // (a rank-4 transpose, which wasm runs several times faster than its DepthToSpace).
      const [, rows, columns] = z.shape as [number, number, number, number];
      const phases = tf.transpose(tf.reshape(z, [batch * rows, columns, stride, stride * channels]), [0, 2, 1, 3]);
      const image = tf.reshape(phases, [batch, rows * stride, columns * stride, channels]);
      return tf.slice(image, [0, top, left, 0], [batch, height, width, channels]);
    }
    // Stride 1 (any dilation), or a strided depthwise unit with dy spread out by the stride: a stride-1
    // correlation with the flipped filter, padded so that it gives exactly the input's H × W.
    const [strideH, strideW] = s.strides;
    let spread = dz;
    if (strideH > 1 || strideW > 1) {
      const six = tf.reshape(dz, [batch, outH, 1, outW, 1, channels]);
      const padded = tf.pad(six, strideGaps(strideH, strideW));
      spread = tf.reshape(padded, [batch, outH * strideH, outW * strideW, channels]);
    }
    const spanH = (info.filterHeight - 1) * info.dilationHeight;
    const spanW = (info.filterWidth - 1) * info.dilationWidth;
    const padTop = spanH - top;
    const padLeft = spanW - left;
    const padding = explicit(padTop, Math.max(0, height + spanH - padTop - spread.shape[1]!), padLeft, Math.max(0, width + spanW - padLeft - spread.shape[2]!));
    const filter = backward.filter as tf.Tensor4D;
    const full =
      backward.mode === 'phases'
        ? tf.conv2d(spread as tf.Tensor4D, filter, 1, padding as never, 'NHWC', s.dilations)
        : tf.depthwiseConv2d(spread as tf.Tensor4D, filter, 1, padding as never, 'NHWC', s.dilations);
    // Usually already the input's size ('same' padding, stride 1): a slice would copy it for nothing.
    return full.shape[1] === height && full.shape[2] === width ? full : tf.slice(full, [0, 0, 0, 0], [batch, height, width, channels]);
  }

  private prepareBackward(): NonNullable<ConvUnit['backward']> {
    const s = this.spec;
    const [kh, kw, cin, cout] = s.filter.shape as [number, number, number, number];
    const [strideH, strideW] = s.strides;
    const dilated = s.dilations[0] !== 1 || s.dilations[1] !== 1;
    // Stride 1: the phase filter is the flipped, transposed filter, which a dilated convolution can use as is.
    if (s.kind === 'conv' && strideH === strideW && (!dilated || strideH === 1)) {
      return { mode: 'phases', filter: phaseFilter(s.filter.dataSync() as Float32Array, [kh, kw, cin, cout], strideH) };
    }
    if (s.kind === 'depthwise' && cout === 1 && (!dilated || (strideH === 1 && strideW === 1))) {
      return { mode: 'depthwise', filter: tf.tidy(() => tf.reverse(s.filter, [0, 1])) };
    }
    return { mode: 'autodiff' };
  }
}

/**
 * The stride-1 filter [⌈kh/s⌉, ⌈kw/s⌉, cout, s²·cin] whose output channel (r_y·s + r_x)·cin + c holds phase
 * (r_y, r_x) of the transposed convolution: F[ty, tx, o, ·] = W[(J−1−ty)·s + r_y, (J−1−tx)·s + r_x, c, o], zero
 * where the tap falls outside the filter.
 */
export function phaseFilter(w: Float32Array, [kh, kw, cin, cout]: [number, number, number, number], stride: number): Tensor {
  const tapsH = Math.ceil(kh / stride);
  const tapsW = Math.ceil(kw / stride);
  const phases = stride * stride;
  const out = new Float32Array(tapsH * tapsW * cout * phases * cin);
  for (let ty = 0; ty < tapsH; ty++) {
    for (let tx = 0; tx < tapsW; tx++) {
      for (let ry = 0; ry < stride; ry++) {
        const y = (tapsH - 1 - ty) * stride + ry;
        if (y >= kh) continue;
        for (let rx = 0; rx < stride; rx++) {
          const x = (tapsW - 1 - tx) * stride + rx;
          if (x >= kw) continue;
          const phase = ry * stride + rx;
          for (let c = 0; c < cin; c++) {
            for (let o = 0; o < cout; o++) {
              out[((ty * tapsW + tx) * cout + o) * phases * cin + phase * cin + c] = w[((y * kw + x) * cin + c) * cout + o]!;
            }
          }
        }
      }
    }
  }
  return tf.tensor4d(out, [tapsH, tapsW, cout, phases * cin]);
}
