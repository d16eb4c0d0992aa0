/**
 * Runs a recipe: the activations stage, then every view (a layer's atlas, class atlases, comparisons) through
 * layout, grids, icons and render, each step cached by the hash of what it depends on. What the site reads is
 * assembled in a temporary folder and swapped in whole as public/atlases/<id>/: one folder per view
 * (published/format.ts) and manifest.json with the index of views and provenance (hashes, parameters, versions,
 * backend, timings) for the article's methods appendix.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeUnknownLabels, writeDataReport } from '../datasets/report.ts';
import { assertReplaceable, writePublishedListing } from '../site/published-files.ts';
import { hashOf } from '../cache/hash.ts';
import { withLock } from '../cache/lock.ts';
import { abandoned, partialPath, writerMark } from '../cache/partials.ts';
import type { CacheStore } from '../cache/store.ts';
import type { WorkerPool } from '../engine/pool.ts';
import type { Recipe } from '../recipes/schema.ts';
import { runActivations, ACTIVATIONS_VERSION } from './activations/stage.ts';
import { ICONS_VERSION, iconTasks } from '../icons/stage.ts';
import { FORMAT_VERSION } from '../published/format.ts';
import type { AtlasManifest, NeuronIndex, PatchExperimentResult, StageReport, ViewEntry, ViewReport } from '../published/manifest.ts';
import { loadLayer } from './layer-data.ts';
import { planViews } from '../recipes/plan.ts';
import { cacheGridActivations, runActivationGrid } from './activation-grid/stage.ts';
import { LEGIBILITY_VERSION, judgeOf } from './legibility/stage.ts';
import { inShard, type Shard } from './shard.ts';
import { runNeuron } from './neurons/stage.ts';
import { patchExperimentCached, runPatchExperiment } from './patches/stage.ts';
import { progressBar } from './progress.ts';
import { GRID_VERSION } from './grid/keys.ts';
import { LAYOUT_VERSION, layoutParamsFor } from './layout/keys.ts';
import { RENDER_VERSION } from './render/keys.ts';
import { runView } from './view.ts';
import { requireLayoutMemory } from './memory-check.ts';

export async function runRecipe(options: {
  recipe: Recipe & { id: string; file: string };
  root: string;
  cache: CacheStore;
  pool: WorkerPool;
  log: (line: string) => void;
  backend: string;
  /** A sharded build's process (pipeline/stages/shard.ts): its activation chunks, or its icons; never publishes. */
  shard?: Shard;
  /** The layout phase of a sharded build: all activations, layouts and grids, then stop. */
  phase?: 'layout';
}): Promise<StageReport[]> {
  const { recipe, root, cache, pool, log, shard } = options;
  const reports: StageReport[] = [];
  const started = performance.now();

  // Said before the activations, which at a million samples take most of an hour.
  await requireLayoutMemory(recipe, root, pool);
  const bar = progressBar(`${recipe.id}: activations`, 'chunks');
  let activations;
  try {
    activations = await runActivations({
      recipe,
      root,
      cache,
      pool,
      onChunk: (done, total) => bar.update(done, total),
      ...(shard ? { only: (key: string) => inShard(key, shard) } : {}),
    });
  } finally {
    bar.stop();
  }
  const activationSeconds = (performance.now() - started) / 1000;
  reports.push({
    stage: 'activations',
    status: activations.computed ? 'computed' : 'cached',
    seconds: activationSeconds,
    detail: `${activations.chunks.length} chunks, ${activations.computed} computed`,
  });
  const unknown = describeUnknownLabels(activations.unknownLabels);
  if (unknown) log(`${recipe.id}: ${unknown}`);
  log(
    `${recipe.id}: activations ${activations.computed ? `computed ${activations.computed} of ${activations.chunks.length} chunks` : 'cached'} (${activationSeconds.toFixed(1)} s)`,
  );
  if (shard && (activations.missing || activations.computed)) {
    // Phase 1 of a sharded build: this shard drew chunks (or others' are still to come); the layout phase is next.
    // A shard finds its icons to draw only when the activations were all there before it started.
    log(
      `${recipe.id}: shard ${shard.index}/${shard.count}: activations done; ${activations.missing} of ${activations.chunks.length} chunks are other shards'. Next: every shard, then atlas build --phase layout.`,
    );
    return reports;
  }

  // A judge that cannot score this atlas is said now, not after the icons.
  if (recipe.legibility) judgeOf(recipe.legibility, recipe, root, activations.labels);
  const modelFolder = path.resolve(root, recipe.model);
  const out = path.join(root, 'public', 'atlases', recipe.id);
  // Said now rather than after the whole build: the folder this build replaces holds only the pipeline's files.
  assertReplaceable(out, root);
  const temporary = partialPath(out);
  // One process at a time sweeps or swaps this atlas's site folder; other builds of the project wait.
  const lock = path.join(path.dirname(out), `.${recipe.id}.lock`);
  mkdirSync(path.dirname(out), { recursive: true });
  await withLock(lock, () => sweepInterrupted(path.dirname(out), recipe.id, cache));
  mkdirSync(temporary, { recursive: true });
  // What every figure outside the views (activation grids, neurons) is drawn with, into the folder being assembled.
  const figureRun = { recipe, root, cache, pool, modelHash: activations.modelHash, outDir: temporary };
  const views = planViews(recipe);
  const layers = [...new Set(views.map((view) => view.layer))];
  const viewIndex: Record<string, ViewEntry> = {};
  const viewReports: Record<string, ViewReport> = {};
  let accuracy = 0;
  try {
    // One layer's samples in memory at a time, shared by that layer's views.
    for (const layer of layers) {
      const data = loadLayer(cache, activations.chunks, layer, recipe.attribution.topK, activations.declared.length);
      const { shape } = await pool.call(iconTasks.probeLayer, { model: modelFolder, layer, preprocess: recipe.preprocess });
      const context = {
        recipe,
        root,
        cache,
        pool,
        log,
        chunks: activations.chunks,
        labels: activations.labels,
        declared: activations.declared,
        modelFolder,
        modelHash: activations.modelHash,
        data,
        layerSize: [shape[1]!, shape[2]!] as [number, number],
      };
      for (const view of views.filter((v) => v.layer === layer)) {
        const report = await runView(
          { ...context, ...(shard ? { shard } : {}), ...(options.phase === 'layout' ? { stopAfterGrids: true } : {}) },
          view,
          temporary,
        );
        if (!report) continue;
        viewReports[view.id] = report;
        viewIndex[view.id] = { kind: view.kind, layer: view.layer, ...(view.classes ? { classes: view.classes } : {}), title: view.title, path: view.id };
        const total = Object.values(report.seconds).reduce((a, b) => a + b, 0);
        reports.push({
          stage: 'view',
          view: view.id,
          status: report.computed.length ? 'computed' : 'cached',
          seconds: total,
          detail: report.computed.join(', ') || 'all cached',
        });
        log(
          `${recipe.id}: ${view.id}: ${report.samples} samples${report.trustworthiness !== undefined ? `, trustworthiness ${report.trustworthiness.toFixed(3)}` : ''}; ` +
            `grids ${report.grids.map((g) => `${g.size}²→${g.cells}`).join(' ')} (home view ${report.homeGrid}², ${((report.grids.find((g) => g.size === report.homeGrid)?.coverage ?? 0) * 100).toFixed(0)} % covered); icons ${report.icons.computed}/${report.icons.total} rendered; ` +
            `${report.render.files} files, ${(report.render.bytes / 1e6).toFixed(1)} MB; ${report.computed.length ? `computed ${report.computed.join(', ')}` : 'all cached'} (${total.toFixed(1)} s)`,
        );
      }
    }
    if (shard) {
      // The figures' icons are this phase's units too: the activation grids' and the neurons'.
      const only = (key: string) => inShard(key, shard);
      for (const spec of recipe.activationGrids) await runActivationGrid({ ...figureRun, labels: activations.labels, spec, only });
      await Promise.all(recipe.neurons.map((spec) => runNeuron({ ...figureRun, spec, only })));
    }
    if (options.phase === 'layout') {
      // The activation grids' forward passes, so that the icons phase's units are known (atlas plan) before it.
      for (const spec of recipe.activationGrids) await cacheGridActivations({ ...figureRun, spec });
    }
    if (shard || options.phase) {
      // A phase of a sharded build: its work is in the cache; the last phase (a plain build) publishes.
      rmSync(temporary, { recursive: true, force: true });
      log(
        shard
          ? `${recipe.id}: shard ${shard.index}/${shard.count}: icons done. Next: every shard, then atlas build.`
          : `${recipe.id}: layout phase done. Next: atlas build --shard i/n for every shard (the icons).`,
      );
      return reports;
    }
    accuracy = accuracyOf(cache, activations.chunks);
    const imageCount = countImages(cache, activations.chunks);
    const patchExperiments: Record<string, PatchExperimentResult> = {};
    for (const spec of recipe.patchExperiments) {
      const started = performance.now();
      const input = {
        recipe,
        spec,
        root,
        cache,
        pool,
        chunks: activations.chunks,
        labels: activations.labels,
        declared: activations.declared,
        modelHash: activations.modelHash,
        outDir: temporary,
      };
      const cached = patchExperimentCached(input);
      const bar = progressBar(`${recipe.id}: patch experiment ${spec.id}`, 'batches');
      const result = await runPatchExperiment({ ...input, onProgress: (done, total) => bar.update(done, total) }).finally(() => bar.stop());
      patchExperiments[spec.id] = result;
      const seconds = (performance.now() - started) / 1000;
      reports.push({
        stage: 'patch experiment',
        view: spec.id,
        status: cached ? 'cached' : 'computed',
        seconds,
        detail: `${result.images} ${spec.from} images`,
      });
      const table = result.rows.map((row) => `${row.patch} ${row.size} px ${(row.rate * 100).toFixed(1)} %`).join(', ');
      log(`${recipe.id}: patch experiment ${spec.id} (${result.images} ${spec.from} images → ${spec.to}): ${table} (${seconds.toFixed(1)} s)`);
    }
    const activationGrids: Record<string, { layer: string; title: string; path: string }> = {};
    for (const spec of recipe.activationGrids) {
      const started = performance.now();
      const bar = progressBar(`${recipe.id}: icons of activation grid ${spec.id}`, 'icons');
      const onProgress = (done: number, total: number) => bar.update(done, total);
      const grid = (await runActivationGrid({ ...figureRun, labels: activations.labels, spec, onProgress }).finally(() => bar.stop()))!;
      activationGrids[grid.id] = { layer: grid.layer, title: grid.title, path: grid.path };
      const seconds = (performance.now() - started) / 1000;
      reports.push({
        stage: 'activation grid',
        view: grid.id,
        status: grid.rendered ? 'computed' : 'cached',
        seconds,
        detail: `${grid.icons} icons, ${grid.rendered} rendered`,
      });
      log(`${recipe.id}: activation grid ${grid.id} of ${grid.layer}: ${grid.icons} icons (${seconds.toFixed(1)} s)`);
    }

    // Neuron figures are one icon each: rendered side by side, one per worker.
    const neurons: Record<string, NeuronIndex> = {};
    const neuronsStarted = performance.now();
    // Without `only`, every icon is drawn, so every figure is there.
    const bar = progressBar(`${recipe.id}: neurons`, 'figures');
    let finished = 0;
    const figures = await Promise.all(
      recipe.neurons.map((spec) =>
        runNeuron({ ...figureRun, spec }).then((figure) => {
          bar.update(++finished, recipe.neurons.length);
          return figure!;
        }),
      ),
    ).finally(() => bar.stop());
    const neuronSeconds = (performance.now() - neuronsStarted) / 1000;
    for (const { id, rendered: _, ...index } of figures) neurons[id] = index;
    if (figures.length) {
      const computed = figures.filter((f) => f.rendered).length;
      reports.push({ stage: 'neurons', status: computed ? 'computed' : 'cached', seconds: neuronSeconds, detail: `${computed} of ${figures.length} rendered` });
      log(`${recipe.id}: neurons ${figures.map((f) => f.id).join(', ')}: ${computed} of ${figures.length} rendered (${neuronSeconds.toFixed(1)} s)`);
    }

    const manifest: AtlasManifest = {
      format: FORMAT_VERSION,
      id: recipe.id,
      title: recipe.title,
      recipe: { file: path.relative(root, recipe.file), sha256: hashOf(readFileSync(recipe.file)) },
      model: { folder: recipe.model, sha256: activations.modelHash },
      labels: activations.labels,
      focusClasses: activations.declared,
      images: { count: imageCount, skipped: activations.skipped.length, accuracy },
      parameters: {
        preprocess: recipe.preprocess,
        data: recipe.data,
        sampling: recipe.sampling,
        attribution: recipe.attribution,
        grids: recipe.grids,
        icons: recipe.icons,
        ...(recipe.legibility ? { legibility: recipe.legibility } : {}),
        render: recipe.render,
      },
      views: viewIndex,
      activationGrids,
      neurons,
      patchExperiments,
      layouts: Object.fromEntries(views.map((view) => [view.id, layoutParamsFor(recipe, view)])),
      results: viewReports,
      totals: {
        files: Object.values(viewReports).reduce((sum, r) => sum + r.render.files, 0),
        bytes: Object.values(viewReports).reduce((sum, r) => sum + r.render.bytes, 0),
      },
      versions: {
        stages: {
          activations: ACTIVATIONS_VERSION,
          layout: LAYOUT_VERSION,
          grid: GRID_VERSION,
          icons: ICONS_VERSION,
          legibility: LEGIBILITY_VERSION,
          render: RENDER_VERSION,
        },
        tfjs: packageVersion(root, '@tensorflow/tfjs'),
        sharp: packageVersion(root, 'sharp'),
        node: process.version,
      },
      backend: options.backend,
      stages: reports,
    };
    writeFileSync(path.join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (activations.skipped.length || activations.unknownLabels.length) {
      writeDataReport(path.join(temporary, 'data-report.json'), { skipped: activations.skipped, unknownLabels: activations.unknownLabels });
    }
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  // The site's copy is swapped in whole: first, what it holds must be the pipeline's own.
  writePublishedListing(temporary);
  await withLock(lock, () => {
    assertReplaceable(out, root);
    const previous = `${out}.previous-${writerMark()}`;
    if (existsSync(out)) renameSync(out, previous);
    renameSync(temporary, out);
    rmSync(previous, { recursive: true, force: true });
  });
  return reports;
}

/**
 * Removes what a killed run left: its half-assembled site folder, a previous copy it had set aside (put back if
 * the new one never arrived), and the render stage's scratch files.
 */
function sweepInterrupted(folder: string, id: string, cache: CacheStore): void {
  if (existsSync(folder)) {
    for (const entry of readdirSync(folder)) {
      if (entry.startsWith(`${id}.partial-`) && abandoned(entry)) rmSync(path.join(folder, entry), { recursive: true, force: true });
      if (entry.startsWith(`${id}.previous-`) && abandoned(entry.slice(`${id}.previous-`.length))) {
        if (!existsSync(path.join(folder, id))) renameSync(path.join(folder, entry), path.join(folder, id));
        else rmSync(path.join(folder, entry), { recursive: true, force: true });
      }
    }
  }
  // Each process renders in scratch/<its mark>/: only the folders of dead processes go.
  const scratch = path.join(cache.root, 'scratch');
  if (existsSync(scratch)) for (const entry of readdirSync(scratch)) if (abandoned(entry)) rmSync(path.join(scratch, entry), { recursive: true, force: true });
}

function countImages(cache: CacheStore, chunks: string[]): number {
  return chunks.reduce((sum, key) => sum + cache.read('activations', key)!.file('ids.i32').length / 4, 0);
}

/** Share of images whose prediction matches their label (when the data set has labels). */
function accuracyOf(cache: CacheStore, chunks: string[]): number {
  let [correct, total] = [0, 0];
  for (const key of chunks) {
    const chunk = cache.read('activations', key)!;
    const labels = new Int32Array(new Uint8Array(chunk.file('labels.i32')).buffer);
    const predictions = new Int32Array(new Uint8Array(chunk.file('predictions.i32')).buffer);
    labels.forEach((label, i) => {
      // An image whose label is no class of the model (-1) has no right answer to count.
      if (label < 0) return;
      total++;
      if (label === predictions[i]) correct++;
    });
  }
  return correct / Math.max(1, total);
}

function packageVersion(root: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}
