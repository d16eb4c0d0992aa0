/**
 * A real network on real photos: MobileNet v1 0.25 and 200 ImageNet photos from ../shared/realdata (test data
 * only, never part of the product). Skips, saying so, where that folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../pipeline/engine/pool.ts';
import { readImage, type Preprocess } from '../../pipeline/models/preprocess.ts';
import type { Batch } from '../../pipeline/models/tasks.ts';

const REALDATA = path.resolve('../shared/realdata');
const MODEL = path.join(REALDATA, 'mobilenet_v1_0.25_224');
const PHOTOS = path.join(REALDATA, 'imagenet-sample-200');
const present = existsSync(path.join(MODEL, 'model.json')) && existsSync(path.join(PHOTOS, 'labels.csv'));
if (!present) console.warn(`Real-model test skipped: ${REALDATA} (MobileNet v1 0.25 and 200 ImageNet photos) is not on this machine.`);

const TASKS = new URL('../../pipeline/models/tasks.ts', import.meta.url).href;
const PREPROCESS: Preprocess = { size: 224, range: [-1, 1], channels: 'rgb', resize: 'crop' };
const BATCH = 20;

describe.skipIf(!present)('MobileNet v1 0.25 on 200 ImageNet photos', () => {
  const pools: WorkerPool[] = [];
  afterAll(async () => Promise.all(pools.map((pool) => pool.close())));

  async function classify(backend: 'wasm' | 'cpu', batches: Batch[]): Promise<number[]> {
    const pool = WorkerPool.create({ size: 2, env: { ...process.env, ATLAS_BACKEND: backend } });
    pools.push(pool);
    const outputs = await pool.map<unknown, Record<string, Batch>>(
      TASKS,
      'forward',
      batches.map((batch) => ({ model: MODEL, layers: ['logits'], batch })),
    );
    return outputs.flatMap(({ logits }) => {
      const classes = logits!.values.length / logits!.shape[0]!;
      return Array.from({ length: logits!.shape[0]! }, (_, i) => argmax(logits!.values.subarray(i * classes, (i + 1) * classes)));
    });
  }

  it('agrees between wasm and cpu on ≥ 99 % of photos, with top-1 accuracy ≥ 50 %', async () => {
    const rows = readFileSync(path.join(PHOTOS, 'labels.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => /^(.+?\.JPEG),(n\d+),(\d+),/.exec(line)!)
      .map((match) => ({ file: match[1]!, label: Number(match[3]) }));
    expect(rows).toHaveLength(200);

    const pixels = await Promise.all(rows.map((row) => readImage(path.join(PHOTOS, row.file), PREPROCESS)));
    const batches: Batch[] = [];
    for (let start = 0; start < pixels.length; start += BATCH) {
      const slice = pixels.slice(start, start + BATCH);
      const values = new Float32Array(slice.length * 224 * 224 * 3);
      slice.forEach((image, i) => image.forEach((v, j) => (values[i * 224 * 224 * 3 + j] = v / 127.5 - 1)));
      batches.push({ values, shape: [slice.length, 224, 224, 3] });
    }

    const wasm = await classify('wasm', batches);
    const cpu = await classify('cpu', batches);
    const agreement = wasm.filter((label, i) => label === cpu[i]).length / rows.length;
    const accuracy = wasm.filter((label, i) => label === rows[i]!.label).length / rows.length;
    console.log(`real MobileNet: wasm/cpu top-1 agreement ${(agreement * 100).toFixed(1)} %, top-1 accuracy ${(accuracy * 100).toFixed(1)} %`);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
    expect(accuracy).toBeGreaterThanOrEqual(0.5);
  }, 300_000);
});

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
