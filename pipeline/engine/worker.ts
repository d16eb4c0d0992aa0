/** A worker of the pool: one TensorFlow.js engine, running task functions of modules sent to it. */
import { parentPort } from 'node:worker_threads';
import { initBackend } from './backend.ts';

type Task = (input: unknown) => Promise<unknown> | unknown;
const modules = new Map<string, Record<string, unknown>>();

try {
  const choice = await initBackend();
  parentPort!.postMessage({ ready: choice.reason });
} catch (error) {
  parentPort!.postMessage({ error: (error as Error).message });
}

parentPort!.on('message', async ({ id, module, task, input }: { id: number; module: string; task: string; input: unknown }) => {
  try {
    let exports = modules.get(module);
    if (!exports) {
      exports = (await import(module)) as Record<string, unknown>;
      modules.set(module, exports);
    }
    const run = exports[task];
    if (typeof run !== 'function') throw new Error(`${module} has no task "${task}"`);
    const output = await (run as Task)(input);
    parentPort!.postMessage({ id, ok: true, output }, transferables(output));
  } catch (error) {
    const { name = 'Error', message = String(error), stack } = error as Error;
    parentPort!.postMessage({ id, ok: false, name, message, stack });
  }
});

/** The buffers of typed arrays in a result, moved rather than copied back to the main thread. */
function transferables(value: unknown, found: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && !found.includes(value.buffer))
      found.push(value.buffer);
  } else if (Array.isArray(value)) for (const item of value) transferables(item, found);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) transferables(item, found);
  return found;
}
