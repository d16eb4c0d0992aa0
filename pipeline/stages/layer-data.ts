/**
 * One layer's samples, joined from the activations stage's chunks: activation vectors, where each came from,
 * and its attributions. Loaded for one layer at a time, so memory holds one layer's activations.
 */
import type { CacheStore } from '../cache/store.ts';

export interface LayerData {
  layer: string;
  n: number;
  depth: number;
  /** [n, depth] */
  vectors: Float32Array;
  /** [n, 3] image index, row, column in the layer. */
  origins: Int32Array;
  topK: number;
  /** [n, topK] class labels (−1 where fewer were kept) and attributions. */
  topClasses: Int32Array;
  topValues: Float32Array;
  /** [n, declared] exact attributions to the declared classes. */
  declared: Float32Array;
  declaredCount: number;
}

export const layerFile = (layer: string) => layer.replace(/[^\w.-]+/g, '_');

export function loadLayer(cache: CacheStore, chunks: string[], layer: string, topK: number, declaredCount: number): LayerData {
  const files = chunks.map((key) => {
    const artifact = cache.read('activations', key);
    if (!artifact) throw new Error(`activations chunk ${key} vanished from the cache while the build ran; run the build again.`);
    return artifact;
  });
  const name = layerFile(layer);
  const floats = (suffix: string) => concatFloat(files.map((c) => c.file(`${name}.${suffix}`)));
  const ints = (suffix: string) => concatInt(files.map((c) => c.file(`${name}.${suffix}`)));
  const origins = ints('origins.i32');
  const n = origins.length / 3;
  const vectors = floats('activations.f32');
  return {
    layer,
    n,
    depth: vectors.length / Math.max(1, n),
    vectors,
    origins,
    topK,
    topClasses: ints('top-classes.i32'),
    topValues: floats('top-values.f32'),
    declared: floats('declared.f32'),
    declaredCount,
  };
}

export function concatFloat(buffers: Buffer[]): Float32Array {
  const joined = Buffer.concat(buffers);
  return new Float32Array(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength));
}

export function concatInt(buffers: Buffer[]): Int32Array {
  const joined = Buffer.concat(buffers);
  return new Int32Array(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength));
}
