/**
 * Kernels that the cpu backend has and wasm lacks (Einsum, UnsortedSegmentSum, …), run on wasm tensors by
 * copying their data through a private cpu backend. Slow, but complete: a model that uses such an op still
 * runs on wasm, and the heavy kernels get fast versions of their own (conv-backprop.ts).
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf, type TensorInfo } from '../tf.ts';

type WasmBackend = {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.backend_util.TypedArray;
};

let cpu: MathBackendCPU | undefined;

/** Every kernel this thread bridged, and those that have run: slow paths a build reports once. */
export const bridgedKernels = new Set<string>();
export const bridgedKernelsUsed = new Set<string>();

export function bridgeFromCpu(kernelName: string): tf.KernelConfig {
  const cpuKernel = tf.getKernel(kernelName, 'cpu')!;
  bridgedKernels.add(kernelName);
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackend;
      bridgedKernelsUsed.add(kernelName);
      cpu ??= new MathBackendCPU();
      const cpuInputs: Record<string, TensorInfo> = {};
      for (const [name, input] of Object.entries(inputs)) {
        if (!input) continue;
        if (input.dtype === 'complex64' || input.dtype === 'string') {
          throw new Error(`The ${kernelName} op needs ${input.dtype} tensors, which the wasm backend cannot hold; run with ATLAS_BACKEND=cpu.`);
        }
        cpuInputs[name] = { dataId: cpu.write(wasm.readSync(input.dataId), input.shape, input.dtype), shape: input.shape, dtype: input.dtype };
      }
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
      const outputs = (Array.isArray(result) ? result : [result]).map((output) => {
        if (output.dtype === 'complex64' || output.dtype === 'string') {
          throw new Error(`The ${kernelName} op makes ${output.dtype} tensors, which the wasm backend cannot hold; run with ATLAS_BACKEND=cpu.`);
        }
        const copy = wasm.makeOutput(output.shape, output.dtype);
        wasm.typedArrayFromHeap(copy).set(cpu!.readSync(output.dataId) as tf.backend_util.TypedArray);
        cpu!.disposeData(output.dataId, true);
        return copy;
      });
      for (const input of Object.values(cpuInputs)) cpu.disposeData(input.dataId, true);
      return Array.isArray(result) ? outputs : outputs[0]!;
    },
  };
}
