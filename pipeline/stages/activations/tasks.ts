/** The activations stage's work for one chunk of images, run in a pool worker. */
import { runnerFor } from '../../models/tasks.ts';
import { toInput, type Preprocess } from '../../models/preprocess.ts';
import { drawImage, type Split } from '../../datasets/synthetic/world.ts';
import { decodeEntry } from '../../datasets/decode.ts';
import type { Skipped } from '../../datasets/sources.ts';
import { sampleBatch, type LayerSamples, type SampleOptions } from './sample.ts';

export type ChunkImages =
  | { kind: 'synthetic'; seed: number; split: Split; indices: number[] }
  | { kind: 'files'; start: number; files: { file: string; label: number }[] };

export interface ChunkInput {
  model: string;
  preprocess: Preprocess;
  options: SampleOptions;
  images: ChunkImages;
  /** Images per forward pass inside the chunk. */
  batch: number;
}

export interface ChunkOutput {
  /** Per image: its id (index in the data set), label, prediction. */
  ids: Int32Array;
  labels: Int32Array;
  predictions: Int32Array;
  layers: Record<string, LayerSamples>;
  skipped: Skipped[];
}

export async function activationsChunk(input: ChunkInput): Promise<ChunkOutput> {
  const model = await runnerFor(input.model);
  const images = await loadImages(input.images, input.preprocess);
  const ids: number[] = [];
  const labels: number[] = [];
  const predictions: number[] = [];
  const parts: Record<string, LayerSamples[]> = Object.fromEntries(input.options.layers.map((layer) => [layer, []]));
  for (let start = 0; start < images.usable.length; start += input.batch) {
    const slice = images.usable.slice(start, start + input.batch);
    const x = toInput(
      slice.map((image) => image.pixels),
      input.preprocess,
    );
    const result = sampleBatch(
      model,
      x,
      slice.map((image) => image.id),
      input.options,
    );
    x.dispose();
    ids.push(...slice.map((image) => image.id));
    labels.push(...slice.map((image) => image.label));
    predictions.push(...result.predictions);
    for (const layer of input.options.layers) parts[layer]!.push(result.layers[layer]!);
  }
  return {
    ids: Int32Array.from(ids),
    labels: Int32Array.from(labels),
    predictions: Int32Array.from(predictions),
    layers: Object.fromEntries(Object.entries(parts).map(([layer, list]) => [layer, concatSamples(list)])),
    skipped: images.skipped,
  };
}

async function loadImages(images: ChunkImages, preprocess: Preprocess) {
  const usable: { id: number; label: number; pixels: Uint8Array }[] = [];
  const skipped: Skipped[] = [];
  if (images.kind === 'synthetic') {
    for (const index of images.indices) {
      const image = drawImage(images.seed, images.split, index);
      const pixels = await resizeIfNeeded(image.pixels, 64, preprocess);
      usable.push({ id: index, label: image.label, pixels });
    }
  } else {
    for (const [offset, { file, label }] of images.files.entries()) {
      const decoded = await decodeEntry({ file, label: String(label) }, preprocess);
      if (decoded.ok) usable.push({ id: images.start + offset, label, pixels: decoded.pixels });
      else skipped.push(decoded.skipped);
    }
  }
  return { usable, skipped };
}

/** Synthetic images are 64 px; a model that wants another size gets them resized like any other image. */
async function resizeIfNeeded(pixels: Uint8Array, size: number, preprocess: Preprocess): Promise<Uint8Array> {
  const [height, width] = typeof preprocess.size === 'number' ? [preprocess.size, preprocess.size] : preprocess.size;
  if (height === size && width === size) return pixels;
  const sharp = (await import('sharp')).default;
  const data = await sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function concatSamples(list: LayerSamples[]): LayerSamples {
  const join = <T extends Float32Array | Int32Array>(make: new (n: number) => T, pick: (s: LayerSamples) => T): T => {
    const out = new make(list.reduce((n, s) => n + pick(s).length, 0));
    let offset = 0;
    for (const s of list) {
      out.set(pick(s), offset);
      offset += pick(s).length;
    }
    return out;
  };
  return {
    depth: list[0]?.depth ?? 0,
    activations: join(Float32Array, (s) => s.activations),
    origins: join(Int32Array, (s) => s.origins),
    topClasses: join(Int32Array, (s) => s.topClasses),
    topValues: join(Float32Array, (s) => s.topValues),
    declared: join(Float32Array, (s) => s.declared),
  };
}
