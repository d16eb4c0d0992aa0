/** The example site as built by tests/helpers/global-setup.ts under the base /atlas-test/. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { checkLinks, formatLinkProblem } from '../../pipeline/site/check-links.ts';
import { ARTICLE_PATH, TEST_BASE, TEST_OUT_DIR, TEST_SITE } from '../helpers/site-build.ts';

const page = (relative: string) => parse(readFileSync(path.join(TEST_OUT_DIR, relative, 'index.html'), 'utf8'));
const meta = (root: ReturnType<typeof parse>, name: string) =>
  root.querySelectorAll(`meta[name="${name}"], meta[property="${name}"]`).map((m) => m.getAttribute('content'));

describe('the built example site', () => {
  it('has every internal link and asset resolving under the base path', () => {
    const report = checkLinks(TEST_OUT_DIR, TEST_BASE, TEST_SITE);
    expect(report.problems.map(formatLinkProblem)).toEqual([]);
    expect(report.pages).toBeGreaterThanOrEqual(3);
    expect(report.checked).toBeGreaterThan(50);
  });

  it('emits .nojekyll so GitHub Pages serves the _astro folder', () => {
    expect(existsSync(path.join(TEST_OUT_DIR, '.nojekyll'))).toBe(true);
  });

  it('prefixes links written in MDX and files from public/ with the base', () => {
    const article = page(ARTICLE_PATH);
    const hrefs = article.querySelectorAll('.article-body a').map((a) => a.getAttribute('href'));
    expect(hrefs).toContain(`${TEST_BASE}make-your-own-atlas/`);
    const images = article.querySelectorAll('.article-body img').map((img) => img.getAttribute('src'));
    expect(images).toContain(`${TEST_BASE}images/atlas-pipeline.svg`);
    const sources = article.querySelectorAll('.article-body picture source').map((source) => source.getAttribute('srcset'));
    expect(sources).toContain(`${TEST_BASE}images/atlas-pipeline-vertical.svg`);
  });

  it('lists both articles on the index page', () => {
    const links = page('')
      .querySelectorAll('.article-card h2 a')
      .map((a) => a.getAttribute('href'));
    expect([...links].sort()).toEqual([`${TEST_BASE}make-your-own-atlas/`, `${TEST_BASE}${ARTICLE_PATH}`]);
  });

  it('gives Google Scholar and Open Graph what they read', () => {
    const article = page(ARTICLE_PATH);
    expect(meta(article, 'citation_title')).toEqual(['Reading an Activation Atlas']);
    expect(meta(article, 'citation_author')).toEqual(['Carberry, Josiah', 'The Atlas Articles authors']);
    expect(meta(article, 'citation_publication_date')).toEqual(['2026/11/29']);
    expect(meta(article, 'citation_reference').length).toBe(9);
    expect(meta(article, 'citation_reference')[0]).toMatch(/^citation_title=Activation Atlas; citation_author=Carter, Shan;/);
    expect(meta(article, 'og:url')).toEqual([`${TEST_SITE}${TEST_BASE}${ARTICLE_PATH}`]);
    // The cover is the mixed5a atlas: its static picture, as the pipeline rendered it.
    expect(meta(article, 'og:image')).toEqual([`${TEST_SITE}${TEST_BASE}atlases/demo/mixed5a/static.jpg`]);
    expect(article.querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe(`${TEST_SITE}${TEST_BASE}${ARTICLE_PATH}`);
  });

  it('renders math at build time and self-hosts every stylesheet and font', () => {
    const html = readFileSync(path.join(TEST_OUT_DIR, ARTICLE_PATH, 'index.html'), 'utf8');
    expect(parse(html).querySelectorAll('.katex').length).toBeGreaterThanOrEqual(5);
    const external = [...html.matchAll(/(?:href|src)="(https?:\/\/[^"]+\.(?:css|js|woff2?|ttf))"/g)].map((m) => m[1]);
    expect(external).toEqual([]);
  });

  it('numbers citations in order of first use with a bibliography to match', () => {
    const article = page(ARTICLE_PATH);
    const firstCitations = article
      .querySelectorAll('a.citation')
      .slice(0, 3)
      .map((a) => a.textContent);
    // The third cites one of the second's works again: it keeps that number.
    expect(firstCitations).toEqual(['[1]', '[2, 3]', '[3]']);
    const references = article.querySelectorAll('ol.references li');
    expect(references.map((li) => li.getAttribute('id')).slice(0, 2)).toEqual(['bib-carter2019activation', 'bib-olah2017feature']);
    expect(references).toHaveLength(9);
  });

  it('numbers figures "Figure N:" with no stray space (whitespace in a component renders as text)', () => {
    const numbers = page(ARTICLE_PATH)
      .querySelectorAll('figcaption .figure-number')
      .map((span) => span.textContent);
    expect(numbers.length).toBeGreaterThan(3);
    numbers.forEach((text, i) => expect(text).toMatch(new RegExp(`^Figure ${i + 1}:?$`)));
  });

  it('writes the citation appendix with a BibTeX entry', () => {
    const bibtex = page(ARTICLE_PATH).querySelector('#bibtex-entry')!.textContent;
    expect(bibtex).toContain('@article{carberry2026reading,');
    expect(bibtex).toContain(`note = {${TEST_SITE}${TEST_BASE}${ARTICLE_PATH}}`);
  });
});
