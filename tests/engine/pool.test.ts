/** The worker pool: same results for 1 and N workers; errors and dead workers reported, never a hang. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool, workerCount } from '../../pipeline/engine/pool.ts';
import type { Batch } from '../../pipeline/models/tasks.ts';
import { fixtureModels } from '../fixtures/models.ts';
import { seededValues } from '../helpers/random.ts';

const TASKS = new URL('../../pipeline/models/tasks.ts', import.meta.url).href;
const MISBEHAVE = new URL('../fixtures/tasks/misbehave.ts', import.meta.url).href;

let models: { mobilenet: string; inception: string };
beforeAll(async () => {
  models = await fixtureModels();
});

const bytes = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

function batches(count: number, size: number): Batch[] {
  return Array.from({ length: count }, (_, i) => ({ values: seededValues(4 * size * size * 3, 10 + i), shape: [4, size, size, 3] }));
}

describe('worker pool', () => {
  const pools: WorkerPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
  });
  const pool = (size: number) => {
    const created = WorkerPool.create({ size, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
    pools.push(created);
    return created;
  };

  it('starts one wasm engine per worker', async () => {
    expect(await pool(2).backends()).toEqual(['backend: wasm, set by ATLAS_BACKEND', 'backend: wasm, set by ATLAS_BACKEND']);
  });

  it('gives byte-identical forward passes and gradients with 1 and 2 workers', async () => {
    const inputs = batches(4, 32).map((batch) => ({ model: models.inception, layers: ['mixed3a', 'logits'], batch }));
    const gradientInputs = batches(3, 64).map((batch) => ({ model: models.mobilenet, layer: 'conv_pw_5_relu', channel: 7, batch }));
    const run = async (workers: number) => {
      const p = pool(workers);
      const forward = await p.map<(typeof inputs)[number], Record<string, Batch>>(TASKS, 'forward', inputs);
      const gradients = await p.map<(typeof gradientInputs)[number], Batch>(TASKS, 'inputGradient', gradientInputs);
      return { forward, gradients };
    };
    const one = await run(1);
    const two = await run(2);
    expect(one.forward.map((r) => r.logits!.shape)).toEqual([
      [4, 10],
      [4, 10],
      [4, 10],
      [4, 10],
    ]);
    for (let i = 0; i < 4; i++) {
      expect(bytes(two.forward[i]!.mixed3a!.values).equals(bytes(one.forward[i]!.mixed3a!.values))).toBe(true);
      expect(bytes(two.forward[i]!.logits!.values).equals(bytes(one.forward[i]!.logits!.values))).toBe(true);
    }
    for (let i = 0; i < 3; i++) {
      expect(bytes(two.gradients[i]!.values).equals(bytes(one.gradients[i]!.values))).toBe(true);
      expect(one.gradients[i]!.values.some((v) => v !== 0)).toBe(true);
    }
  });

  it('rejects a job whose task throws, and goes on working', async () => {
    const p = pool(2);
    await expect(p.run({ module: MISBEHAVE, task: 'throwError', input: {} })).rejects.toThrowError('the task failed on purpose');
    await expect(p.run({ module: MISBEHAVE, task: 'echo', input: { value: 21 } })).resolves.toMatchObject({ value: 42 });
  });

  it('reports a worker that exits, failing its job and the queued ones', async () => {
    const p = pool(2);
    await p.backends();
    const dying = p.run({ module: MISBEHAVE, task: 'exitWorker', input: {} });
    // Slow, harmless jobs: one runs on the other worker, the rest wait in the queue. All must fail, none hang.
    const others = [1, 2, 3].map((value) =>
      p.run({ module: MISBEHAVE, task: 'wait', input: { ms: 3000 + value } }).then(
        () => 'finished',
        (error: Error) => error.message,
      ),
    );
    await expect(dying).rejects.toThrowError(/^worker \d of 2 died while running exitWorker: exited with code 3$/);
    for (const outcome of await Promise.all(others)) expect(outcome).toMatch(/^worker \d of 2 died while running exitWorker/);
  });

  it('reports an uncaught error inside a worker', async () => {
    await expect(pool(1).run({ module: MISBEHAVE, task: 'uncaught', input: {} })).rejects.toThrowError(
      'worker 1 of 1 died while running uncaught: Error: an uncaught error in the worker',
    );
  });

  it('reads ATLAS_WORKERS', () => {
    expect(workerCount({ ATLAS_WORKERS: '3' })).toBe(3);
    expect(workerCount({})).toBeGreaterThanOrEqual(1);
    expect(() => workerCount({ ATLAS_WORKERS: 'lots' })).toThrowError('ATLAS_WORKERS must be a whole number of at least 1; it is "lots".');
  });
});
