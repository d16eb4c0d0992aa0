/**
 * Chooses the TensorFlow.js backend: tfjs-node-gpu → tfjs-node → wasm → cpu, taking the first that is
 * installed and works (a GPU build that finds no GPU falls through), or the one named by ATLAS_BACKEND.
 * Native backends are not dependencies of this project (their install downloads libtensorflow); a GPU user
 * adds one with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (see the README).
 */
import { createRequire } from 'node:module';
import { tf } from './tf.ts';
import { registerWasmKernels } from './wasm-kernels/register.ts';
import { registerGradients } from './gradients/register.ts';
import { UserError } from '../errors.ts';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  /** What was asked for: "auto" or one of BACKEND_NAMES. */
  requested: 'auto' | BackendName;
  name: BackendName;
  /** One line for logs: what was chosen and why. */
  reason: string;
}

const PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const require = createRequire(import.meta.url);
let current: BackendChoice | undefined;

/** Sets up the backend once per thread; later calls return the first choice. */
export async function initBackend(env: Record<string, string | undefined> = process.env): Promise<BackendChoice> {
  if (current) return current;
  registerGradients();
  const requested = parseRequest(env.ATLAS_BACKEND);
  const order: BackendName[] = requested === 'auto' ? [...BACKEND_NAMES] : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    const problem = await tryBackend(name);
    if (!problem) {
      const why = requested === 'auto' ? (skipped.length ? `the best available (${skipped.join('; ')})` : 'the best available') : 'set by ATLAS_BACKEND';
      current = { requested, name, reason: `backend: ${name}, ${why}` };
      return current;
    }
    skipped.push(`${name}: ${problem}`);
  }
  throw new UserError(`ATLAS_BACKEND=${requested} cannot be used: ${skipped.join('; ')}; unset ATLAS_BACKEND or see the README's GPU section.`);
}

function parseRequest(value: string | undefined): 'auto' | BackendName {
  const text = (value ?? 'auto').trim().toLowerCase();
  if (text === '' || text === 'auto') return 'auto';
  if ((BACKEND_NAMES as readonly string[]).includes(text)) return text as BackendName;
  throw new UserError(`ATLAS_BACKEND must be one of auto, ${BACKEND_NAMES.join(', ')}; it is "${value}".`);
}

/** Undefined when the backend is ready; otherwise a short reason it is not. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  if (name === 'tensorflow' || name === 'tensorflow-gpu') return tryNative(name);
  if (name === 'wasm') registerWasmKernels();
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok ? undefined : 'failed to initialize';
  } catch (error) {
    return `failed to initialize (${(error as Error).message})`;
  }
}

async function tryNative(name: 'tensorflow' | 'tensorflow-gpu'): Promise<string | undefined> {
  const packageName = PACKAGES[name];
  try {
    require.resolve(packageName);
  } catch {
    return `${packageName} is not installed (npm install ${packageName}@4.22.0)`;
  }
  try {
    // The package registers a "tensorflow" backend on the shared tfjs-core instance.
    require(packageName);
    const ok = await tf.setBackend('tensorflow');
    if (!ok) return `${packageName} failed to initialize`;
    if (name === 'tensorflow-gpu') {
      const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
      if (usingGpu === false) return `${packageName} found no usable GPU (check the CUDA 11.2 and cuDNN 8.1 libraries)`;
    }
    return undefined;
  } catch (error) {
    return `${packageName} failed to load (${(error as Error).message.split('\n')[0]})`;
  }
}

/** The backend for tests that need a particular one: cpu is the reference, wasm the CPU fast path. */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  registerGradients();
  if (name === 'wasm') registerWasmKernels();
  await tf.setBackend(name);
  await tf.ready();
}
