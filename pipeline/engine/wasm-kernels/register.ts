/** Completes the wasm backend: fast gradient kernels built from wasm's own, and a cpu bridge for the rest. */
import { tf } from '../tf.ts';
import { conv2dBackpropFilter, conv2dBackpropInput, depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './conv-backprop.ts';
import { bridgeFromCpu } from './cpu-bridge.ts';
import { maxPoolGrad } from './max-pool-grad.ts';

const COMPOSED: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilter as tf.KernelFunc,
  Conv2DBackpropInput: conv2dBackpropInput as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as tf.KernelFunc,
  MaxPoolGrad: maxPoolGrad as tf.KernelFunc,
};

/** Ops that make or need complex or string tensors, which wasm cannot store. */
const UNBRIDGEABLE = new Set(['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT', 'RFFT', 'IRFFT', 'StaticRegexReplace', 'Draw']);

let registered = false;

/** Registers once per thread; returns the names of the kernels added. */
export function registerWasmKernels(): string[] {
  if (registered) return [];
  registered = true;
  const added: string[] = [];
  for (const [kernelName, kernelFunc] of Object.entries(COMPOSED)) {
    // Replaces wasm's own Conv2DBackpropInput and MaxPoolGrad, many times slower than these.
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    added.push(kernelName);
  }
  for (const { kernelName } of tf.getKernelsForBackend('cpu')) {
    if (!tf.getKernel(kernelName, 'wasm') && !UNBRIDGEABLE.has(kernelName)) {
      tf.registerKernel(bridgeFromCpu(kernelName));
      added.push(kernelName);
    }
  }
  return added;
}
