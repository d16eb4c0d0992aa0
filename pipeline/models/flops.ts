/**
 * Floating-point operations of one forward pass of a layers-model on one image (2 per multiply-add, counting
 * convolutions, depthwise convolutions and dense layers, which dominate), for reporting achieved GFLOP/s.
 */
import { tf } from '../engine/tf.ts';
import type { ModelRunner } from './runner.ts';

export function forwardFlops(runner: ModelRunner, height: number, width: number): number | undefined {
  if (runner.loaded.kind !== 'layers') return undefined;
  const model = runner.loaded.model;
  const counted = model.layers.filter((layer) => ['Conv2D', 'DepthwiseConv2D', 'Dense'].includes(layer.getClassName()));
  if (!counted.length) return 0;
  return tf.tidy(() => {
    const outputs = runner.tap(
      tf.zeros([1, height, width, 3]),
      counted.map((layer) => layer.name),
    );
    let flops = 0;
    for (const layer of counted) {
      const kernel = layer.getWeights()[0]!.shape;
      const out = outputs[layer.name]!.shape;
      const positions = out.length === 4 ? out[1]! * out[2]! : 1;
      // Conv2D kernel [kh, kw, cin, cout]; DepthwiseConv2D [kh, kw, c, multiplier]; Dense [in, out].
      flops += 2 * positions * kernel.reduce((a, b) => a * b, 1);
    }
    return flops;
  });
}
