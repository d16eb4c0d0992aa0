/**
 * One layer's samples, from the activations stage's chunks: where each came from and its attributions, in
 * memory, and its activation vectors as blocks read from the cache when a stage asks (row-blocks.ts).
 */
import type { CacheStore } from '../cache/store.ts';
import { rowBlocksOf, type RowBlocks } from './row-blocks.ts';

export interface LayerData {
  layer: string;
  n: number;
  depth: number;
  /** [n, depth], a block at a time. */
  vectors: RowBlocks;
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

/** Vectors up to this many floats (256 MB) are one block: the stages then compute what they did on one array. */
export const BLOCK_FLOATS = 1 << 26;

export function loadLayer(cache: CacheStore, chunks: string[], layer: string, topK: number, declaredCount: number, blockFloats = BLOCK_FLOATS): LayerData {
  const read = (key: string) => {
    const artifact = cache.read('activations', key);
    if (!artifact) throw new Error(`activations chunk ${key} vanished from the cache while the build ran; run the build again.`);
    return artifact;
  };
  const name = layerFile(layer);
  const originsOf = chunks.map((key) => read(key).file(`${name}.origins.i32`));
  const origins = concatInt(originsOf);
  const n = origins.length / 3;
  const sizes = originsOf.map((buffer) => buffer.byteLength / 12);
  const files = chunks.map((key) => {
    const artifact = read(key);
    return {
      topClasses: artifact.file(`${name}.top-classes.i32`),
      topValues: artifact.file(`${name}.top-values.f32`),
      declared: artifact.file(`${name}.declared.f32`),
    };
  });
  const first = chunks.length ? read(chunks[0]!).file(`${name}.activations.f32`).byteLength / 4 : 0;
  const depth = sizes[0] ? first / sizes[0] : 0;
  const vectorsOf = (from: number, to: number) => concatFloat(chunks.slice(from, to).map((key) => read(key).file(`${name}.activations.f32`)));
  return {
    layer,
    n,
    depth,
    vectors: n * depth <= blockFloats ? rowBlocksOf(vectorsOf(0, chunks.length), n, depth) : chunkBlocks(sizes, depth, blockFloats, vectorsOf),
    origins,
    topK,
    topClasses: concatInt(files.map((f) => f.topClasses)),
    topValues: concatFloat(files.map((f) => f.topValues)),
    declared: concatFloat(files.map((f) => f.declared)),
    declaredCount,
  };
}

/** Blocks of whole chunks, each up to `blockFloats` (one chunk at least), read when visited. */
function chunkBlocks(sizes: number[], depth: number, blockFloats: number, vectorsOf: (from: number, to: number) => Float32Array): RowBlocks {
  const groups: { from: number; to: number; start: number }[] = [];
  let start = 0;
  for (let chunk = 0; chunk < sizes.length; ) {
    let to = chunk + 1;
    let rows = sizes[chunk]!;
    while (to < sizes.length && (rows + sizes[to]!) * depth <= blockFloats) rows += sizes[to++]!;
    groups.push({ from: chunk, to, start });
    start += rows;
    chunk = to;
  }
  return {
    n: start,
    depth,
    blocks: groups.length,
    forEach: (visit) => groups.forEach(({ from, to, start: first }) => visit(first, vectorsOf(from, to))),
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
