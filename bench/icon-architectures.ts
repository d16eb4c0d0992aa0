/**
 * The networks bench:icons measures (the demo's, the real MobileNet where ../shared/realdata has it, and fixtures
 * shaped like Darknet, Inception and ResNet), the icon batches it runs on them, and its contact sheets.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { iconSettings } from '../pipeline/icons/settings.ts';
import type { IconBatchInput } from '../pipeline/icons/tasks.ts';
import { Random } from '../pipeline/random.ts';
import { recipeSchema } from '../pipeline/recipes/schema.ts';
import { fixtureModels } from '../tests/fixtures/models.ts';

export const BATCH = 16;
export const STEPS = 16;
export const SIZE = 64;

export interface Architecture {
  name: string;
  folder: string;
  layer: string;
  depth: number;
  range: [number, number];
}

const fixtures = await fixtureModels();
const realMobileNet = path.resolve('../shared/realdata/mobilenet_v1_0.25_224');
export const architectures: Architecture[] = [
  { name: 'demo network (mixed4b)', folder: path.resolve('content/models/demo'), layer: 'mixed4b', depth: 224, range: [0, 1] },
  ...(existsSync(path.join(realMobileNet, 'model.json'))
    ? [{ name: 'MobileNet v1 0.25, real (conv_pw_13_relu)', folder: realMobileNet, layer: 'conv_pw_13_relu', depth: 256, range: [-1, 1] as [number, number] }]
    : []),
  { name: 'Darknet-shaped (conv6, 512 ch.)', folder: fixtures.darknet, layer: 'conv6_leaky', depth: 512, range: [0, 1] },
  { name: 'Inception-shaped, dense (mixed3b)', folder: fixtures.inceptionDense, layer: 'mixed3b', depth: 480, range: [0, 1] },
  { name: 'ResNet-shaped (stage 3)', folder: fixtures.resnet, layer: 'stage3_block2_out', depth: 128, range: [0, 1] },
];
if (!existsSync(path.join(realMobileNet, 'model.json'))) console.log(`(real MobileNet not found at ${realMobileNet}; measuring the rest)`);

const baseSettings = iconSettings(recipeSchema.shape.icons.parse({ size: SIZE, steps: STEPS, batch: BATCH, redirectedReluSteps: 0 }));

export function batchFor(arch: Architecture, count: number, seed: number, steps = STEPS, directions?: Float32Array): IconBatchInput {
  const random = new Random(seed);
  return {
    model: arch.folder,
    layer: arch.layer,
    preprocess: { size: 224, range: arch.range, channels: 'rgb', resize: 'crop' },
    directions: directions ?? Float32Array.from({ length: count * arch.depth }, (_, i) => random.next() * (i % 4 === 0 ? 1 : 0.2)),
    depth: arch.depth,
    seeds: Array.from({ length: count }, (_, i) => seed * 1000 + i),
    settings: { ...baseSettings, steps },
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Rows of icons (one row per step count), 2 px apart, on white. */
export async function writeSheet(rows: Buffer[][], file: string): Promise<void> {
  const gap = 2;
  const width = rows[0]!.length * (SIZE + gap) + gap;
  const height = rows.length * (SIZE + gap) + gap;
  const composites = rows.flatMap((row, r) =>
    row.map((pixels, c) => ({
      input: pixels,
      raw: { width: SIZE, height: SIZE, channels: 3 as const },
      left: gap + c * (SIZE + gap),
      top: gap + r * (SIZE + gap),
    })),
  );
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .jpeg({ quality: 90 })
    .toFile(file);
}
