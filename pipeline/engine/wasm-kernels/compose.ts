/**
 * Runs registered wasm kernels from inside another kernel, disposing every intermediate result, so that new
 * kernels can be built from the fast ones wasm already has (XNNPACK convolutions, transposes, sums).
 */
import { tf, type TensorInfo } from '../tf.ts';

type Backend = Parameters<tf.KernelFunc>[0]['backend'] & { disposeData(dataId: object): boolean };

export class KernelComposer {
  private readonly intermediates: TensorInfo[] = [];

  constructor(private readonly backend: Backend) {}

  /** Runs `kernelName` on the wasm backend; its output is freed by `finish` unless it is the result. */
  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`The wasm backend has no ${kernelName} kernel to build on.`);
    const output = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
    this.intermediates.push(output);
    return output;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (size.every((length, axis) => length === x.shape[axis]) && begin.every((start) => start === 0)) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** Frees every intermediate except `result`, which the caller hands back to TF.js. */
  finish(result: TensorInfo): TensorInfo {
    for (const info of this.intermediates) {
      // By identity: a reshape shares its source's data and holds a reference of its own.
      if (info !== result) this.backend.disposeData(info.dataId);
    }
    return result;
  }
}
