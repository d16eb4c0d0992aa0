/**
 * The directions imports may take (tests/helpers/import-graph.ts reads them from the source):
 * - the pipeline never imports the site (src/);
 * - the site reads what the pipeline publishes through pipeline/published/ alone; besides it, it may use the
 *   article machinery (content schema, citations, markdown), the site settings and errors;
 * - a stage's folder imports nothing from a sibling stage's folder but that stage's keys.ts (its cache keys
 *   and code version), so each stage stays a unit that can be read, versioned and fingerprinted alone.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { importsOf, ROOT } from '../helpers/import-graph.ts';

const sources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'pipeline', 'src', 'bench'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => /\.(ts|mjs|astro)$/.test(file));

/** Every import edge among the project's own files, type-only imports included. */
const edges = sources.flatMap((file) => importsOf(file, true).files.map((target) => ({ from: file, to: target })));

const SITE_MAY_USE = [
  /^pipeline\/published\//,
  /^pipeline\/content\//,
  /^pipeline\/citations\//,
  /^pipeline\/markdown\//,
  /^pipeline\/errors\.ts$/,
  /^pipeline\/site\/(settings|base-path)\.ts$/,
];
const stageOf = (file: string) => /^pipeline\/stages\/([^/]+)\//.exec(file)?.[1];

describe('import directions', () => {
  it('reads imports from .astro files as well as modules', () => {
    expect(edges.some((edge) => edge.from.endsWith('.astro') && edge.to.startsWith('pipeline/'))).toBe(true);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('no pipeline module imports the site', () => {
    expect(edges.filter((edge) => edge.from.startsWith('pipeline/') && edge.to.startsWith('src/')).map((edge) => `${edge.from} → ${edge.to}`)).toEqual([]);
  });

  it('the site reads published atlases through pipeline/published/ only', () => {
    const stray = edges.filter(
      (edge) => edge.from.startsWith('src/') && edge.to.startsWith('pipeline/') && !SITE_MAY_USE.some((allowed) => allowed.test(edge.to)),
    );
    expect(stray.map((edge) => `${edge.from} → ${edge.to}`)).toEqual([]);
  });

  it('no stage imports from a sibling stage’s folder, but its keys', () => {
    const stray = edges.filter((edge) => {
      const [from, to] = [stageOf(edge.from), stageOf(edge.to)];
      return from && to && from !== to && !edge.to.endsWith('/keys.ts');
    });
    expect(stray).toEqual([]);
  });
});
