#!/usr/bin/env node
/**
 * `atlas` — the project's command line.
 *   atlas build [RECIPE…] [--root DIR]     check the content, then run the stale stages of the atlas recipes
 *     [--shard i/n | --phase layout]       one phase of a sharded build (pipeline/stages/shard.ts)
 *   atlas status [RECIPE…]                 which stages are cached and which would run
 *   atlas plan [RECIPE…] --json            a sharded build's phases, their units and how many are done
 *   atlas clean                            remove the pipeline's cache (.atlas-cache/, or ATLAS_CACHE_DIR)
 *   atlas clean --published                remove the published atlases whose recipe was deleted
 *   atlas cache export FILE.tar [--stage S] [--shard i/n]
 *                                          pack the cache's complete entries (of stage S, of shard i) into an archive
 *   atlas cache import FILE.tar…           merge archives into the cache, each checked whole first
 *   atlas cache prune                      build every recipe, then remove the entries none of them used
 *   atlas check-links [DIR] [--base PATH]  check every internal link and asset of a built site
 *   atlas model inspect DIR [--size N]     list a TF.js model's layers or nodes with output shapes
 *   atlas engine                           say which TensorFlow.js backend and how many workers a build uses
 * A mistake prints one line per problem and exits with status 1, never a stack trace.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UserError, isUserError } from '../errors.ts';
import { nodeTooOld } from '../node-version.ts';
import { recipeId } from '../recipes/id.ts';
import { checkContent } from '../content/check.ts';
import { checkLinks, formatLinkProblem } from '../site/check-links.ts';
import { siteSettings } from '../site/settings.ts';

const USAGE = `usage: atlas build [RECIPE…] [--root DIR] [--shard i/n | --phase layout]
       atlas status [RECIPE…]
       atlas plan [RECIPE…] --json
       atlas clean [--published]
       atlas cache export FILE.tar [--stage STAGE]… [--shard i/n]
       atlas cache import FILE.tar…
       atlas cache prune
       atlas check-links [DIR] [--base PATH] [--site URL]
       atlas model inspect DIR [--size N]
       atlas engine`;

async function main(argv: string[]): Promise<number> {
  const tooOld = nodeTooOld();
  if (tooOld) {
    console.error(`error: ${tooOld}`);
    return 1;
  }
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      base: { type: 'string' },
      site: { type: 'string' },
      size: { type: 'string' },
      stage: { type: 'string', multiple: true },
      shard: { type: 'string' },
      phase: { type: 'string' },
      json: { type: 'boolean' },
      published: { type: 'boolean' },
    },
  });
  if (command === 'build') {
    const { shardOf } = await import('../stages/shard.ts');
    const shard = shardOf(values.shard);
    if (values.phase !== undefined && values.phase !== 'layout')
      throw new UserError(
        `--phase "${values.phase}" is not a phase to run alone: the one is layout (the sharded phases run with --shard i/n, the last with a plain atlas build).`,
      );
    if (shard && values.phase) throw new UserError('--phase layout is one job, not a shard: give --shard or --phase, not both.');
    return build(path.resolve(values.root ?? '.'), positionals, { ...(shard ? { shard } : {}), ...(values.phase ? { phase: 'layout' as const } : {}) });
  }
  if (command === 'status') return status(path.resolve(values.root ?? '.'), positionals);
  if (command === 'plan') {
    const root = path.resolve(values.root ?? '.');
    const { CacheStore, cacheFolder } = await import('../cache/store.ts');
    const { readRecipe } = await import('../recipes/read.ts');
    const { recipePlan } = await import('../stages/status.ts');
    const cache = new CacheStore(cacheFolder(root));
    const plans = await Promise.all(recipeFiles(root, positionals).map((file) => recipePlan(readRecipe(file, root), root, cache)));
    if (values.json) console.log(JSON.stringify(plans, null, 2));
    else
      for (const plan of plans)
        for (const p of plan.phases)
          console.log(
            `${plan.recipe}: ${p.phase}${p.sharded ? ' (sharded)' : ''}: ${p.done ?? '?'} of ${p.units ?? '? (after the layout phase)'} done; ${p.command}`,
          );
    return 0;
  }
  if (command === 'clean' && values.published) {
    const { removeOrphans } = await import('../site/published-files.ts');
    const root = path.resolve(values.root ?? '.');
    const removed = removeOrphans(path.join(root, 'public', 'atlases'), recipeFiles(root, []).map(recipeId), root);
    console.log(removed.length ? `removed ${removed.map((id) => `public/atlases/${id}/`).join(', ')} (no recipe)` : 'no published atlas is without its recipe');
    return 0;
  }
  if (command === 'clean') {
    const { rmSync } = await import('node:fs');
    const { cacheFolder } = await import('../cache/store.ts');
    const folder = cacheFolder(path.resolve(values.root ?? '.'));
    rmSync(folder, { recursive: true, force: true });
    console.log(`removed ${path.relative(process.cwd(), folder) || folder}/`);
    return 0;
  }
  if (command === 'check-links') {
    const settings = siteSettings(process.env);
    return linkCheck(path.resolve(positionals[0] ?? settings.outDir), values.base ?? settings.base, values.site ?? settings.site);
  }
  if (command === 'model' && positionals[0] === 'inspect' && positionals[1]) {
    return inspect(path.resolve(positionals[1]), values.size ? Number(values.size) : undefined);
  }
  if (command === 'engine') return engine();
  if (command === 'cache' && positionals[0] === 'prune') {
    // Every recipe is built (from the cache: usually nothing to compute), recording what it uses; the rest goes.
    return build(path.resolve(values.root ?? '.'), [], {}, (cache) => {
      const { entries, bytes } = cache.prune();
      console.log(`cache prune: removed ${entries} entr${entries === 1 ? 'y' : 'ies'} no recipe reaches (${(bytes / 1e6).toFixed(1)} MB)`);
    });
  }
  if (command === 'cache' && (positionals[0] === 'export' || positionals[0] === 'import') && positionals.length > 1) {
    return cacheTransport(path.resolve(values.root ?? '.'), positionals[0], positionals.slice(1), values.stage, values.shard);
  }
  console.error(USAGE);
  return 2;
}

async function build(
  root: string,
  only: string[],
  phase: { shard?: import('../stages/shard.ts').Shard; phase?: 'layout' } = {},
  after?: (cache: import('../cache/store.ts').CacheStore) => void,
): Promise<number> {
  const started = performance.now();
  const report = checkContent(root);
  if (report.problems.length) {
    for (const problem of report.problems) console.error(`error: ${problem}`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`content: ${report.articles.length} article${report.articles.length === 1 ? '' : 's'} checked in ${seconds} s`);
  const recipes = recipeFiles(root, only);
  if (!recipes.length) return 0;
  if (process.env.ATLAS_PIPELINE === 'off') {
    console.log(`pipeline: skipped (ATLAS_PIPELINE=off); ${recipes.length} recipe${recipes.length === 1 ? '' : 's'} not computed`);
    return 0;
  }
  const { initBackend } = await import('../engine/backend.ts');
  const { WorkerPool } = await import('../engine/pool.ts');
  const { CacheStore, cacheFolder } = await import('../cache/store.ts');
  const { readRecipe } = await import('../recipes/read.ts');
  const { runRecipe } = await import('../stages/run.ts');
  const backend = await initBackend();
  console.log(backend.reason);
  const cache = new CacheStore(cacheFolder(root));
  cache.sweep();
  if (after) cache.track();
  const pool = WorkerPool.create();
  try {
    for (const file of recipes) {
      const recipe = readRecipe(file, root);
      await runRecipe({ recipe, root, cache, pool, log: console.log, backend: backend.reason, ...phase });
    }
  } finally {
    await pool.close();
  }
  console.log(`pipeline: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  after?.(cache);
  return 0;
}

async function cacheTransport(root: string, action: 'export' | 'import', files: string[], stages?: string[], shardFlag?: string): Promise<number> {
  const { CacheStore, cacheFolder } = await import('../cache/store.ts');
  const { exportCache, importCache } = await import('../cache/transport.ts');
  const { STAGE_VERSIONS } = await import('../stages/versions.ts');
  const cache = new CacheStore(cacheFolder(root));
  if (action === 'export') {
    if (files.length !== 1) throw new UserError('atlas cache export writes one archive: give one FILE.tar.');
    const unknown = (stages ?? []).filter((stage) => !(stage in STAGE_VERSIONS));
    if (unknown.length) throw new UserError(`--stage ${unknown.join(', ')}: not a cached stage; use ${Object.keys(STAGE_VERSIONS).join(', ')}.`);
    const chosen = stages?.length ? Object.fromEntries(stages.map((stage) => [stage, STAGE_VERSIONS[stage]!])) : STAGE_VERSIONS;
    const { parseShard } = await import('../stages/shard.ts');
    const { shardUnits } = await import('../cache/transport.ts');
    const shard = shardFlag === undefined ? undefined : parseShard(shardFlag, '--shard');
    const count = await exportCache(cache, files[0]!, chosen, shard ? shardUnits(cache, shard) : undefined);
    console.log(`exported ${count} cache entr${count === 1 ? 'y' : 'ies'} to ${files[0]}`);
    return 0;
  }
  for (const file of files) {
    const report = await importCache(cache, path.resolve(file), STAGE_VERSIONS);
    console.log(
      `${file}: imported ${report.imported}, already present ${report.present}` +
        (report.skipped ? `, skipped ${report.skipped} from other versions of the pipeline's stages (they could not be used)` : ''),
    );
  }
  return 0;
}

async function status(root: string, only: string[]): Promise<number> {
  const { CacheStore, cacheFolder } = await import('../cache/store.ts');
  const { readRecipe } = await import('../recipes/read.ts');
  const { recipeStatus } = await import('../stages/status.ts');
  const cache = new CacheStore(cacheFolder(root));
  for (const file of recipeFiles(root, only)) for (const line of await recipeStatus(readRecipe(file, root), root, cache)) console.log(line);
  const { orphanAtlases } = await import('../site/published-files.ts');
  for (const id of orphanAtlases(path.join(root, 'public', 'atlases'), recipeFiles(root, []).map(recipeId))) {
    console.log(`${id}: published in public/atlases/${id}/, but content/atlases/ has no recipe ${id}; atlas clean --published removes it`);
  }
  return 0;
}

/** The recipes a command names, as files or as atlas ids (content/atlases/<id>.yaml); all of them when none is named. */
function recipeFiles(root: string, only: string[]): string[] {
  const folder = path.join(root, 'content', 'atlases');
  const all = existsSync(folder)
    ? readdirSync(folder)
        .filter((name) => /\.(ya?ml|json)$/.test(name))
        .sort()
        .map((name) => path.join(folder, name))
    : [];
  if (!only.length) return all;
  return only.map((name) => {
    const file = path.resolve(root, name);
    if (existsSync(file)) return file;
    const byId = all.find((candidate) => recipeId(candidate) === name);
    if (byId) return byId;
    const ids = all.map(recipeId);
    throw new UserError(
      `${name}: neither a recipe file nor the id of a recipe in content/atlases/; ${ids.length ? `the ids are ${ids.join(', ')}` : 'there are none yet'}.`,
    );
  });
}

function linkCheck(outDir: string, base: string, site: string | undefined): number {
  const report = checkLinks(outDir, base, site);
  for (const problem of report.problems) console.error(`broken: ${formatLinkProblem(problem)}`);
  console.log(
    `links: ${report.checked} internal URLs in ${report.pages} pages and ${report.stylesheets} stylesheets, ${report.problems.length} broken (base ${base})`,
  );
  return report.problems.length ? 1 : 0;
}

// The engine is imported only by the commands that need it: TensorFlow.js takes a moment to load.
async function inspect(folder: string, size: number | undefined): Promise<number> {
  const { initBackend } = await import('../engine/backend.ts');
  const { loadModel } = await import('../models/load.ts');
  const { inspectModel } = await import('../models/inspect.ts');
  console.error((await initBackend()).reason);
  console.log(inspectModel(await loadModel(folder), size));
  return 0;
}

async function engine(): Promise<number> {
  const { initBackend } = await import('../engine/backend.ts');
  const { workerCount } = await import('../engine/pool.ts');
  const workers = workerCount();
  console.log(`${(await initBackend()).reason}; ${workers} worker${workers === 1 ? '' : 's'}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(isUserError(error) ? `error: ${error.message}` : error);
    process.exit(1);
  },
);
