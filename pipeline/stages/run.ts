/**
 * Runs a recipe's stages in order — activations, then per layer a layout and its grids — each cached by the
 * hash of what it depends on, and writes what the site reads to public/atlases/<id>/: per layer the layout
 * summary and one JSON per grid size, plus manifest.json with provenance (hashes, parameters, versions, timings).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashOf } from '../cache/hash.ts';
import type { CacheStore } from '../cache/store.ts';
import type { WorkerPool } from '../engine/pool.ts';
import type { Recipe } from '../recipes/schema.ts';
import { runActivations, layerName, ACTIVATIONS_VERSION } from './activations/stage.ts';
import { layoutActivations } from './layout/layout.ts';
import { buildGrid } from './grid/grid.ts';
import cliProgress from 'cli-progress';

export const LAYOUT_VERSION = 1;
export const GRID_VERSION = 1;

export interface StageReport {
  stage: string;
  layer?: string;
  status: 'computed' | 'cached';
  seconds: number;
  detail?: string;
}

export async function runRecipe(options: {
  recipe: Recipe & { id: string; file: string };
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  log: (line: string) => void;
  backend: string;
}): Promise<StageReport[]> {
  const { recipe, root, cache, pool, log } = options;
  const reports: StageReport[] = [];
  const clock = () => {
    const start = performance.now();
    return () => (performance.now() - start) / 1000;
  };

  let elapsed = clock();
  // A progress bar (count, rate, ETA) on a terminal; in CI logs only the line after the stage.
  const bar = process.stdout.isTTY
    ? new cliProgress.SingleBar({ format: `${recipe.id}: activations [{bar}] {value}/{total} chunks | {duration}s | ETA {eta}s`, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let activations;
  try {
    activations = await runActivations({
      recipe,
      root,
      cache,
      pool,
      onChunk: (done, total) => {
        if (done === 1) bar?.start(total, 0);
        bar?.update(done);
      },
    });
  } finally {
    bar?.stop();
  }
  reports.push({ stage: 'activations', status: activations.computed ? 'computed' : 'cached', seconds: elapsed(), detail: `${activations.chunks.length} chunks, ${activations.computed} computed` });
  log(`${recipe.id}: activations ${activations.computed ? `computed ${activations.computed} of ${activations.chunks.length} chunks` : 'cached'} (${reports.at(-1)!.seconds.toFixed(1)} s)`);

  const chunkFiles = activations.chunks.map((key) => cache.read('activations', key)!);
  const ids = concatInt(chunkFiles.map((c) => c.file('ids.i32')));
  const labels = concatInt(chunkFiles.map((c) => c.file('labels.i32')));
  const predictions = concatInt(chunkFiles.map((c) => c.file('predictions.i32')));
  const out = path.join(root, 'public', 'atlases', recipe.id);
  const temporary = `${out}.partial-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  const layers: Record<string, unknown> = {};

  for (const layer of recipe.layers) {
    const name = layerName(layer);
    const file = name.replace(/[^\w.-]+/g, '_');
    const params = { ...recipe.layout, ...(typeof layer === 'string' ? {} : layer.layout) };
    const sizes = (typeof layer === 'string' ? undefined : layer.grids) ?? recipe.grids.sizes;
    const vectors = concatFloat(chunkFiles.map((c) => c.file(`${file}.activations.f32`)));
    const topClasses = concatInt(chunkFiles.map((c) => c.file(`${file}.top-classes.i32`)));
    const topValues = concatFloat(chunkFiles.map((c) => c.file(`${file}.top-values.f32`)));
    const origins = concatInt(chunkFiles.map((c) => c.file(`${file}.origins.i32`)));
    const n = origins.length / 3;
    const depth = vectors.length / n;

    elapsed = clock();
    const layoutKey = hashOf('layout', LAYOUT_VERSION, activations.chunks, name, params);
    let layout = cache.read('layout', layoutKey);
    if (!layout) {
      const result = await layoutActivations(vectors, n, depth, params, `${recipe.id}, layer ${name}`, pool);
      cache.write('layout', layoutKey, { 'points.f32': new Uint8Array(result.points.buffer) }, { trustworthiness: result.trustworthiness, seconds: result.seconds });
      layout = cache.read('layout', layoutKey)!;
      reports.push({ stage: 'layout', layer: name, status: 'computed', seconds: elapsed() });
    } else reports.push({ stage: 'layout', layer: name, status: 'cached', seconds: elapsed() });
    const points = new Float32Array(new Uint8Array(layout.file('points.f32')).buffer);
    const trust = (layout.meta.info as { trustworthiness: number }).trustworthiness;
    log(`${recipe.id}: layout of ${name} ${reports.at(-1)!.status} (${n} samples × ${depth}, trustworthiness ${trust.toFixed(3)}, ${reports.at(-1)!.seconds.toFixed(1)} s)`);

    elapsed = clock();
    const grids = [];
    for (const size of sizes) {
      const gridKey = hashOf('grid', GRID_VERSION, layoutKey, size, recipe.grids.minCount, recipe.attribution.topK);
      let grid = cache.read('grid', gridKey);
      if (!grid) {
        const built = buildGrid({ points, activations: vectors, depth, topClasses, topValues, topK: recipe.attribution.topK }, size, recipe.grids.minCount);
        const cells = built.cells.map((cell) => ({
          ...cell,
          classes: cell.classes.map((c) => ({ ...c, name: activations.labels[c.label] })),
          nearest: cell.nearest.map((i) => ({ sample: i, image: origins[i * 3], y: origins[i * 3 + 1], x: origins[i * 3 + 2] })),
        }));
        cache.write('grid', gridKey, { 'cells.json': JSON.stringify({ size, cells }), 'means.f32': new Uint8Array(built.means.buffer) });
        grid = cache.read('grid', gridKey)!;
      }
      writeFileSync(path.join(temporary, `${file}.grid-${size}.json`), grid.file('cells.json'));
      grids.push({ size, cells: (JSON.parse(grid.file('cells.json').toString()) as { cells: unknown[] }).cells.length, file: `${file}.grid-${size}.json` });
    }
    reports.push({ stage: 'grids', layer: name, status: 'computed', seconds: elapsed() });
    log(`${recipe.id}: grids of ${name}: ${grids.map((g) => `${g.size}² → ${g.cells} cells`).join(', ')}`);
    layers[name] = { samples: n, depth, trustworthiness: trust, layout: params, grids };
  }

  const accuracy = labels.reduce((correct, label, i) => correct + (label === predictions[i] ? 1 : 0), 0) / Math.max(1, labels.length);
  const manifest = {
    id: recipe.id,
    title: recipe.title,
    recipe: { file: path.relative(root, recipe.file), sha256: hashOf(readFileSync(recipe.file)) },
    model: recipe.model,
    labels: activations.labels,
    images: { count: ids.length, skipped: activations.skipped.length, accuracy },
    parameters: { preprocess: recipe.preprocess, sampling: recipe.sampling, attribution: recipe.attribution, grids: recipe.grids },
    layers,
    versions: { activations: ACTIVATIONS_VERSION, layout: LAYOUT_VERSION, grid: GRID_VERSION, tfjs: packageVersion(root, '@tensorflow/tfjs'), umap: packageVersion(root, 'umap-js') },
    backend: options.backend,
    stages: reports,
  };
  writeFileSync(path.join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (activations.skipped.length) writeFileSync(path.join(temporary, 'data-report.json'), `${JSON.stringify(activations.skipped, null, 2)}\n`);
  // The site's copy is swapped in whole.
  const previous = `${out}.previous-${process.pid}`;
  if (existsSync(out)) renameSync(out, previous);
  renameSync(temporary, out);
  rmSync(previous, { recursive: true, force: true });
  return reports;
}

function concatFloat(buffers: Buffer[]): Float32Array {
  const joined = Buffer.concat(buffers);
  return new Float32Array(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength));
}

function concatInt(buffers: Buffer[]): Int32Array {
  const joined = Buffer.concat(buffers);
  return new Int32Array(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength));
}

function packageVersion(root: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}
