/**
 * A pool of worker threads, each with its own TensorFlow.js engine, that runs tasks — exported async functions
 * of a module — on batches in parallel. The caller splits work into batches, so results never depend on the
 * number of workers. A task that throws rejects its job with that error; a worker that dies (an uncaught
 * error, process.exit, running out of memory) rejects its job and every queued one, naming the worker and the
 * cause, so nothing waits forever.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.ts';

export interface Job {
  /** URL of the module that exports the task (e.g. new URL('./tasks.ts', import.meta.url).href). */
  module: string;
  task: string;
  input: unknown;
  transfer?: ArrayBuffer[];
}

/** A task of a worker module, typed by the function it names; pool.call(task, input) runs it. */
export interface Task<Input, Output> {
  module: string;
  task: string;
  /** Carries the types only. */
  readonly signature?: (input: Input) => Output;
}

/** The task functions of a worker module, as Task handles. */
export type TasksOf<Module> = {
  [Name in keyof Module as Module[Name] extends (input: never) => unknown ? Name : never]: Module[Name] extends (input: infer Input) => infer Output
    ? Task<Input, Awaited<Output>>
    : never;
};

/**
 * The tasks of a worker module, checked by the compiler against its exports:
 * `const tasks = tasksOf<typeof import('./tasks.ts')>(new URL('./tasks.ts', import.meta.url))`, then
 * `pool.call(tasks.renderIconBatch, input)`. The module is loaded in the workers only.
 */
export function tasksOf<Module>(url: URL): TasksOf<Module> {
  return new Proxy({}, { get: (_, name) => ({ module: url.href, task: String(name) }) }) as TasksOf<Module>;
}

interface Pending {
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<string>;
  started: boolean;
  stopWaiting?: (error: Error) => void;
  busy?: Pending;
}

type Reply = { id: number; ok: true; output: unknown } | { id: number; ok: false; name: string; message: string; stack?: string };

/** ATLAS_WORKERS, else the number of cores. */
export function workerCount(env: Record<string, string | undefined> = process.env): number {
  const value = env.ATLAS_WORKERS?.trim();
  if (!value) return Math.max(1, os.availableParallelism());
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new UserError(`ATLAS_WORKERS must be a whole number of at least 1; it is "${value}".`);
  return count;
}

const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private failure?: Error;
  private nextId = 0;

  private constructor(size: number, env: Record<string, string | undefined>) {
    for (let index = 0; index < size; index++) this.slots.push(this.startWorker(index, env));
  }

  static create(options: { size?: number; env?: Record<string, string | undefined> } = {}): WorkerPool {
    const env = options.env ?? process.env;
    return new WorkerPool(options.size ?? workerCount(env), env);
  }

  get size(): number {
    return this.slots.length;
  }

  /** The backend line of each worker, once all have started. */
  backends(): Promise<string[]> {
    return Promise.all(this.slots.map((slot) => slot.ready));
  }

  /** Runs one task of a worker module (tasksOf) on `input`; `transfer` moves those buffers instead of copying them. */
  call<Input, Output>(task: Task<Input, Output>, input: Input, transfer?: ArrayBuffer[]): Promise<Output> {
    return this.run<Output>({ module: task.module, task: task.task, input, ...(transfer ? { transfer } : {}) });
  }

  run<Output>(job: Job): Promise<Output> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Output>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Runs `task` once per input, in parallel, and returns the outputs in input order. */
  map<Input, Output>(module: string, task: string, inputs: Input[], transfer?: (input: Input) => ArrayBuffer[]): Promise<Output[]> {
    return Promise.all(inputs.map((input) => this.run<Output>({ module, task, input, transfer: transfer?.(input) })));
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private startWorker(index: number, env: Record<string, string | undefined>): Slot {
    // Workers run this project's TypeScript through tsx (see worker-entry.mjs), as the CLI does.
    const worker = new Worker(WORKER_URL, { env: { ...env }, workerData: { index } });
    const slot: Slot = { index, worker, ready: Promise.resolve(''), started: false };
    slot.ready = new Promise<string>((resolve, reject) => {
      slot.stopWaiting = reject;
      worker.once('message', (message: { ready?: string; error?: string }) => {
        if (message.ready !== undefined) resolve(message.ready);
        else reject(new Error(message.error));
      });
    });
    slot.ready.then(
      () => {
        slot.started = true;
        worker.on('message', (reply: Reply) => this.settle(slot, reply));
        this.dispatch();
      },
      (error: Error) => {
        if (error !== this.failure) this.fail(slot, error.message);
      },
    );
    worker.on('error', (error) => this.fail(slot, `${error.name}: ${error.message}`));
    worker.on('exit', (code) => {
      if (code !== 0 || slot.busy) this.fail(slot, `exited with code ${code}`);
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy || !slot.started) continue;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      const { module, task, input, transfer } = pending.job;
      slot.worker.postMessage({ id: ++this.nextId, module, task, input }, transfer ?? []);
    }
  }

  private settle(slot: Slot, reply: Reply): void {
    const pending = slot.busy;
    slot.busy = undefined;
    if (!pending) return;
    if (reply.ok) pending.resolve(reply.output);
    else {
      const error = reply.name === 'UserError' ? new UserError(reply.message) : new Error(reply.message);
      if (reply.stack && reply.name !== 'UserError') error.stack = reply.stack;
      pending.reject(error);
    }
    this.dispatch();
  }

  /** A dead worker fails its job and everything queued: the pool cannot promise to finish them. */
  private fail(slot: Slot, cause: string): void {
    const what = slot.busy ? ` while running ${slot.busy.job.task}` : '';
    const error = this.failure ?? new Error(`worker ${slot.index + 1} of ${this.slots.length} died${what}: ${cause}`);
    this.failure = error;
    for (const each of this.slots) each.stopWaiting?.(error);
    slot.busy?.reject(error);
    slot.busy = undefined;
    for (const pending of this.queue.splice(0)) pending.reject(error);
    for (const other of this.slots) {
      if (other !== slot && other.busy) {
        other.busy.reject(error);
        other.busy = undefined;
      }
      void other.worker.terminate();
    }
  }
}
