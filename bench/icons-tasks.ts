/** Tasks the icons benchmark runs inside pool workers: the icon step's per-op profile and its FLOPs. */
import { tf } from '../pipeline/engine/tf.ts';
import { bridgedKernels } from '../pipeline/engine/wasm-kernels/cpu-bridge.ts';
import { layerFraming, renderIconBatch, type IconBatchInput } from '../pipeline/icons/tasks.ts';
import { runnerFor } from '../pipeline/models/tasks.ts';

export interface IconProfile {
  /** Wall milliseconds of the profiled run. */
  wall: number;
  /** Milliseconds per kernel (leaf kernels only: a kernel built from others counts once, as itself). */
  kernels: Record<string, number>;
  /** Kernels among them that ran through the cpu bridge. */
  bridged: string[];
  /** The canvas the model ran at. */
  canvas: [number, number];
}

/** One batch rendered under tf.profile, after a warm-up batch. */
export async function profileIcons(input: IconBatchInput): Promise<IconProfile> {
  await renderIconBatch({ ...input, settings: { ...input.settings, steps: 2 } });
  const started = performance.now();
  const info = await tf.profile(async () => {
    await renderIconBatch(input);
  });
  const wall = performance.now() - started;
  const backend = tf.getBackend();
  const kernels: Record<string, number> = {};
  for (const kernel of info.kernels) {
    // Scopes (customGrad's "forward", tidy's unnamed scopes) hold kernels that are also listed on their own.
    if (!tf.getKernel(kernel.name, backend)) continue;
    kernels[kernel.name] = (kernels[kernel.name] ?? 0) + (kernel.kernelTimeMs as number);
  }
  const { framing } = await layerFraming({ model: input.model, layer: input.layer, iconSize: input.settings.size });
  return { wall, kernels, bridged: Object.keys(kernels).filter((name) => bridgedKernels.has(name)), canvas: framing.canvas };
}

/**
 * FLOPs of one icon step of one image (2 per multiply-add): the forward convolutions and dense layers up to the
 * layer at the canvas the icon is optimized at, counted twice, as each one's input gradient costs as much again.
 */
export async function iconStepFlops(input: { model: string; layer: string; iconSize: number }): Promise<number> {
  const { framing, anySize } = await layerFraming(input);
  const full = await runnerFor(input.model);
  const model = full.loaded.model as tf.LayersModel;
  if (full.loaded.kind !== 'layers') return 0;
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(input.layer).output as tf.SymbolicTensor });
  const counted = cut.layers.filter((layer) => ['Conv2D', 'DepthwiseConv2D', 'Dense'].includes(layer.getClassName()));
  return tf.tidy(() => {
    const outputs = full.tap(
      tf.zeros([1, ...framing.canvas, 3]),
      counted.map((layer) => layer.name),
      { anySize },
    );
    let flops = 0;
    for (const layer of counted) {
      const kernel = layer.getWeights()[0]!.shape;
      const out = outputs[layer.name]!.shape;
      flops += 2 * (out.length === 4 ? out[1]! * out[2]! : 1) * kernel.reduce((a, b) => a * b, 1);
    }
    return 2 * flops;
  });
}
