#!/usr/bin/env node
/**
 * `atlas` — the project's command line.
 *   atlas build [--root DIR]               check the content, then run the pipeline's stale stages
 *   atlas check-links [DIR] [--base PATH]  check every internal link and asset of a built site
 *   atlas model inspect DIR [--size N]     list a TF.js model's layers or nodes with output shapes
 *   atlas engine                           say which TensorFlow.js backend and how many workers a build uses
 * A mistake prints one line per problem and exits with status 1, never a stack trace.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isUserError } from '../errors.ts';
import { checkContent } from '../content/check.ts';
import { checkLinks, formatLinkProblem } from '../site/check-links.ts';
import { siteSettings } from '../site/settings.ts';

const USAGE = `usage: atlas build [--root DIR]
       atlas check-links [DIR] [--base PATH] [--site URL]
       atlas model inspect DIR [--size N]
       atlas engine`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { root: { type: 'string' }, base: { type: 'string' }, site: { type: 'string' }, size: { type: 'string' } },
  });
  if (command === 'build') return build(path.resolve(values.root ?? '.'));
  if (command === 'check-links') {
    const settings = siteSettings(process.env);
    return linkCheck(path.resolve(positionals[0] ?? settings.outDir), values.base ?? settings.base, values.site ?? settings.site);
  }
  if (command === 'model' && positionals[0] === 'inspect' && positionals[1]) {
    return inspect(path.resolve(positionals[1]), values.size ? Number(values.size) : undefined);
  }
  if (command === 'engine') return engine();
  console.error(USAGE);
  return 2;
}

function build(root: string): number {
  const started = performance.now();
  const report = checkContent(root);
  if (report.problems.length) {
    for (const problem of report.problems) console.error(`error: ${problem}`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`content: ${report.articles.length} article${report.articles.length === 1 ? '' : 's'} checked in ${seconds} s`);
  return 0;
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
