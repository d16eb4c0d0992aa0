/**
 * The demo network: a small Inception-style classifier for the synthetic world's 64×64 images, with the block
 * names of InceptionV1 (conv2d0–2, mixed3a, mixed3b, mixed4a, mixed4b, mixed5a) so atlases can be made of
 * several meaningful layers. No dropout: the synthetic world gives fresh images every step, so it cannot be
 * memorized. Each convolution is followed by batch normalization and a ReLU (folded into one
 * convolution at inference by the layers executor). The logits are their own layer, before the softmax.
 */
import { tf } from '../engine/tf.ts';

type Sym = tf.SymbolicTensor;

/** Branch widths: 1×1; 3×3 bottleneck → 3×3; 5×5 bottleneck → 5×5; pool → 1×1. */
const BLOCKS: Record<string, [number, number, number, number, number, number]> = {
  mixed3a: [32, 24, 48, 8, 16, 16],
  mixed3b: [48, 32, 64, 8, 24, 24],
  mixed4a: [64, 32, 80, 12, 32, 32],
  mixed4b: [64, 40, 96, 12, 32, 32],
  mixed5a: [96, 48, 128, 16, 48, 48],
};

export function buildDemoNetwork(classes: number, seed: number): tf.LayersModel {
  let next = seed;
  const unit = (x: Sym, filters: number, kernelSize: number, name: string, strides = 1): Sym => {
    const conv = tf.layers
      .conv2d({
        filters,
        kernelSize,
        strides,
        padding: 'same',
        useBias: false,
        name: `${name}_conv`,
        kernelInitializer: tf.initializers.heNormal({ seed: next++ }),
      })
      .apply(x) as Sym;
    const bn = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.95 }).apply(conv) as Sym;
    return tf.layers.reLU({ name }).apply(bn) as Sym;
  };
  const pool = (x: Sym, name: string) => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name }).apply(x) as Sym;
  const mixed = (x: Sym, name: string) => {
    const [a, bReduce, b, cReduce, c, d] = BLOCKS[name]!;
    const pooled = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${name}_pool` }).apply(x) as Sym;
    return tf.layers
      .concatenate({ name })
      .apply([
        unit(x, a, 1, `${name}_1x1`),
        unit(unit(x, bReduce, 1, `${name}_3x3_bottleneck`), b, 3, `${name}_3x3`),
        unit(unit(x, cReduce, 1, `${name}_5x5_bottleneck`), c, 5, `${name}_5x5`),
        unit(pooled, d, 1, `${name}_pool_reduce`),
      ]) as Sym;
  };

  const input = tf.input({ shape: [64, 64, 3], name: 'input' });
  // A strided first convolution and an early pooling keep the costly 3×3 convolutions at 16×16 and below.
  let x = pool(unit(input, 32, 3, 'conv2d0', 2), 'maxpool0'); // 32×32, then 16×16
  x = unit(unit(x, 32, 1, 'conv2d1'), 64, 3, 'conv2d2');
  x = mixed(mixed(x, 'mixed3a'), 'mixed3b');
  x = pool(x, 'maxpool4'); // 8×8
  x = mixed(mixed(x, 'mixed4a'), 'mixed4b');
  x = pool(x, 'maxpool5'); // 4×4
  x = mixed(x, 'mixed5a');
  x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const logits = tf.layers.dense({ units: classes, name: 'logits', kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }) }).apply(x) as Sym;
  const probabilities = tf.layers.activation({ activation: 'softmax', name: 'softmax' }).apply(logits) as Sym;
  return tf.model({ inputs: input, outputs: probabilities, name: 'atlas_demo' });
}
