#!/usr/bin/env node
/**
 * `atlas` — the project's command line.
 *   atlas build [--root DIR]               check the content, then run the pipeline's stale stages
 *   atlas check-links [DIR] [--base PATH]  check every internal link and asset of a built site
 * A mistake in the content prints one line per problem and exits with status 1, never a stack trace.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isUserError } from '../errors.ts';
import { checkContent } from '../content/check.ts';
import { checkLinks, formatLinkProblem } from '../site/check-links.ts';
import { siteSettings } from '../site/settings.ts';

const USAGE = `usage: atlas build [--root DIR]
       atlas check-links [DIR] [--base PATH] [--site URL]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { root: { type: 'string' }, base: { type: 'string' }, site: { type: 'string' } },
  });
  switch (command) {
    case 'build':
      return build(path.resolve(values.root ?? '.'));
    case 'check-links': {
      const settings = siteSettings(process.env);
      return linkCheck(path.resolve(positionals[0] ?? settings.outDir), values.base ?? settings.base, values.site ?? settings.site);
    }
    default:
      console.error(USAGE);
      return 2;
  }
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(isUserError(error) ? `error: ${error.message}` : error);
    process.exit(1);
  },
);
