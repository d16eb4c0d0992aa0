/**
 * The one place the project imports TensorFlow.js from. `@tensorflow/tfjs` brings the ops, their gradients,
 * layers and the graph-model converter with the cpu backend; the wasm backend registers itself on import.
 * Native backends (tfjs-node, tfjs-node-gpu) are optional and loaded by backend.ts when present.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// Production mode: no development warnings (such as the cpu backend's advice to install tfjs-node, printed once
// per worker thread) and no debug checks.
tf.enableProdMode();

export { tf };
export type { Tensor, Rank, TensorInfo, NamedTensorMap, LayersModel, GraphModel } from '@tensorflow/tfjs';
