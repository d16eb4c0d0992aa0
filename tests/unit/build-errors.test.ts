/**
 * Bad input fails `npm run build` (whose first step is `atlas build`) with one clear line naming the file and
 * the field, citation key or entry, and exit status 1.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const EXAMPLE = readFileSync('content/articles/reading-an-activation-atlas.mdx', 'utf8');

/** A copy of the project's content with the example article alone, replaced by `article` (and the .bib by `bib`). */
const projects: string[] = [];
afterAll(() => projects.forEach((root) => rmSync(root, { recursive: true, force: true })));

function project(article: string, bib?: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-content-'));
  projects.push(root);
  const otherArticle = (source: string) => source.endsWith('.mdx') && path.basename(source) !== path.basename(ARTICLE_FILE);
  cpSync('content', path.join(root, 'content'), { recursive: true, filter: (source) => !otherArticle(source) });
  writeFileSync(path.join(root, 'content/articles/reading-an-activation-atlas.mdx'), article);
  if (bib !== undefined) writeFileSync(path.join(root, 'content/bibliography/atlas.bib'), bib);
  return root;
}

async function build(root: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // These tests are about the content check; the pipeline has tests of its own.
    const env = { ...process.env, ATLAS_PIPELINE: 'off' };
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['pipeline/cli/atlas.ts', 'build', '--root', root], { cwd: process.cwd(), env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

const ARTICLE_FILE = 'content/articles/reading-an-activation-atlas.mdx';

describe('atlas build on bad input', () => {
  it('passes on the example content', async () => {
    const result = await build(project(EXAMPLE));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('content: 1 article checked');
  });

  it('fails on a missing title', async () => {
    const result = await build(project(EXAMPLE.replace(/^title: .*\n/m, '')));
    expectOneLine(result, new RegExp(`^error: .*${ARTICLE_FILE}: field "title" is required\\.$`));
  });

  it('fails on a citation key absent from the BibTeX file', async () => {
    const result = await build(project(EXAMPLE.replace('<Cite key="mcinnes2018umap" />', '<Cite key="mcinnes2018umpa" />')));
    expectOneLine(result, new RegExp(`^error: .*${ARTICLE_FILE}:\\d+: citation key "mcinnes2018umpa" is not in atlas\\.bib; add the entry or fix the key\\.$`));
  });

  it('fails on a malformed BibTeX entry, naming the entry and its line', async () => {
    const bib = readFileSync('content/bibliography/atlas.bib', 'utf8').replace('title   = {Feature Visualization},', 'title   = {Feature Visualization,');
    const result = await build(project(EXAMPLE, bib));
    expectOneLine(result, /^error: .*content\/bibliography\/atlas\.bib:14: entry "olah2017feature" is malformed/);
  });

  it('fails on a front-matter date that is not a date', async () => {
    const result = await build(project(EXAMPLE.replace('published: 2026-11-29', 'published: late November')));
    expectOneLine(result, new RegExp(`^error: .*${ARTICLE_FILE}:\\d+: field "published" must be a date written as YYYY-MM-DD`));
  });

  it('fails on a javascript: link in the front matter or the bibliography, with the line', async () => {
    const article = await build(project(EXAMPLE.replace('    url: https://orcid.org/0000-0002-1825-0097', '    url: javascript:alert(document.cookie)')));
    expectOneLine(article, new RegExp(`^error: .*${ARTICLE_FILE}:6: field "authors\\[0\\]\\.url" must be an http\\(s\\) or mailto URL`));
    const bib = readFileSync('content/bibliography/atlas.bib', 'utf8').replace('{https://distill.pub/2017/feature-visualization}', '{javascript:alert(1)}');
    const line = bib.split('\n').findIndex((text) => text.includes('javascript:')) + 1;
    const cited = await build(project(EXAMPLE, bib));
    expectOneLine(
      cited,
      new RegExp(
        `^error: .*content/bibliography/atlas\\.bib:${line}: entry "olah2017feature" has url = \\{javascript:alert\\(1\\)\\}; only http\\(s\\), mailto and relative links are shown`,
      ),
    );
  });

  it('fails on YAML that does not parse, with the line', async () => {
    const result = await build(project(EXAMPLE.replace('license: CC-BY-4.0', 'license: [CC-BY-4.0')));
    expectOneLine(result, new RegExp(`^error: .*${ARTICLE_FILE}:\\d+: the front matter is not valid YAML`));
  });

  it('fails on a cover image that does not exist', async () => {
    const result = await build(project(EXAMPLE.replace(/^cover:\n(  .*\n)+/m, 'cover:\n  image: ./images/missing.png\n  alt: A map.\n')));
    expectOneLine(result, /field "cover\.image" names \.\/images\/missing\.png, which does not exist/);
  });

  it('fails on a cover that is both an image and an atlas view, or an atlas without its view', async () => {
    const both = await build(project(EXAMPLE.replace(/^cover:\n/m, 'cover:\n  image: ./images/map.png\n')));
    expectOneLine(both, new RegExp(`^error: .*${ARTICLE_FILE}: field "cover" must have either image \\(a file next to the article\\) or atlas and view`));
    const noView = await build(project(EXAMPLE.replace(/^  view: mixed5a\n/m, '')));
    expectOneLine(noView, new RegExp(`^error: .*${ARTICLE_FILE}: field "cover.view" is required with an atlas cover`));
  });

  it('reports one line for each bad article', async () => {
    const root = project(EXAMPLE.replace(/^title: .*\n/m, ''));
    mkdirSync(path.join(root, 'content/articles/more'), { recursive: true });
    writeFileSync(path.join(root, 'content/articles/more/second.mdx'), EXAMPLE.replace('published: 2026-11-29', 'published: soon'));
    const result = await build(root);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
  });
});
