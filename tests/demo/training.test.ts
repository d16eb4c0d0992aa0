/** Training is reproducible: the same weights whatever the number of workers, and the same again next time. */
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../pipeline/engine/backend.ts';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { trainDemo } from '../../pipeline/demo/training.ts';

const pools: WorkerPool[] = [];
afterAll(async () => Promise.all(pools.map((pool) => pool.close())));

async function weightsAfterTraining(workers: number): Promise<Buffer> {
  await useBackend('wasm');
  const pool = WorkerPool.create({ size: workers, env: { ...process.env, ATLAS_BACKEND: 'wasm' } });
  pools.push(pool);
  const model = await trainDemo({ seed: 99, steps: 2, pool, calibrationImages: 128 });
  const bytes = Buffer.concat(model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer.slice(0))));
  model.dispose();
  return bytes;
}

describe('demo training', () => {
  it('gives byte-identical weights with 1 and 2 workers, run after run', async () => {
    const one = await weightsAfterTraining(1);
    const two = await weightsAfterTraining(2);
    const again = await weightsAfterTraining(2);
    expect(one.length).toBeGreaterThan(1_000_000);
    expect(two.equals(one)).toBe(true);
    expect(again.equals(two)).toBe(true);
  }, 120_000);
});
