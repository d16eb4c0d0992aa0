/** Tasks the engine benchmark runs inside pool workers. */
import { tf } from '../pipeline/engine/tf.ts';

/**
 * The convolution ceiling: GFLOP/s of one large 3×3 convolution (batch 16, 56×56, 128 → 128 channels, the shape
 * of Inception's and MobileNet's middle layers) on this worker's backend; median of `repeats` runs after a warm-up.
 */
export async function convolutionCeiling(input: { repeats: number; batch: number }): Promise<number> {
  const [batch, size, channels] = [input.batch, 56, 128];
  const x = tf.randomNormal([batch, size, size, channels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, channels, channels], 0, 0.05, 'float32', 2) as tf.Tensor4D;
  const flops = 2 * 9 * channels * channels * size * size * batch;
  const times: number[] = [];
  for (let run = 0; run <= input.repeats; run++) {
    const start = performance.now();
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
    if (run > 0) times.push((performance.now() - start) / 1000);
  }
  x.dispose();
  w.dispose();
  times.sort((a, b) => a - b);
  return flops / times[Math.floor(times.length / 2)]! / 1e9;
}
