import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBibtex } from '../../pipeline/citations/bibtex.ts';
import { authorList, authorPerson, bibtexKey, citationLabel, formatArticleBibtex, formatArticleCitation, splitName } from '../../pipeline/citations/format.ts';
import { renderArticle } from '../helpers/mdx.ts';

const bibliographyDir = mkdtempSync(path.join(os.tmpdir(), 'atlas-bib-'));
writeFileSync(
  path.join(bibliographyDir, 'refs.bib'),
  `@article{alpha, title = {Alpha}, author = {One, Ann}, year = 2001}
@article{beta, title = {Beta}, author = {Two, Ben}, year = 2002}
@article{gamma, title = {Gamma}, author = {Three, Cy}, year = 2003}
@article{unused, title = {Unused}, year = 2004}`,
);

describe('citations in an article', () => {
  it('numbers references in order of first use and lists only those cited', async () => {
    const { html, references } = await renderArticle(
      'A <Cite key="gamma" /> then <Cite key="alpha, gamma" /> and <Cite key="beta"/>.',
      { bibliography: 'refs.bib' },
      bibliographyDir,
    );
    expect(references.map((r) => [r.key, r.number])).toEqual([
      ['gamma', 1],
      ['alpha', 2],
      ['beta', 3],
    ]);
    expect(html).toContain('<a href="#bib-gamma" class="citation" data-preview="bib-gamma" aria-label="Reference 1">[1]</a>');
    expect(html).toContain('data-preview="bib-alpha bib-gamma" aria-label="References 1, 2">[1, 2]</a>');
  });

  it('stops on a key that is not in the bibliography, naming file, line and key', async () => {
    await expect(renderArticle('Text.\n\nSee <Cite key="alpha, nosuchkey" />.', { bibliography: 'refs.bib' }, bibliographyDir)).rejects.toThrowError(
      'content/articles/test.mdx:3: citation key "nosuchkey" is not in refs.bib; add the entry or fix the key.',
    );
  });

  it('asks for a bibliography when an article cites without one', async () => {
    await expect(renderArticle('<Cite key="alpha" />', {}, bibliographyDir)).rejects.toThrowError(/needs a bibliography; add "bibliography: name\.bib"/);
  });

  it('numbers figures and resolves references to them, before or after the figure', async () => {
    const { html } = await renderArticle('See <Ref to="fig-b" />.\n\n<Figure id="fig-a">a</Figure>\n\n<Figure id="fig-b">b</Figure>', {}, bibliographyDir);
    expect(html).toContain('<a href="#fig-b" class="figure-ref" data-preview="fig-b">Figure 2</a>');
  });

  it('stops on a reference to a missing figure, listing the ids there are', async () => {
    await expect(renderArticle('<Figure id="fig-a">a</Figure>\n\n<Ref to="fig-x" />', {}, bibliographyDir)).rejects.toThrowError(
      'content/articles/test.mdx:3: <Ref to="fig-x"> names no figure; figure ids in this article are fig-a.',
    );
  });
});

describe('citation formatting', () => {
  it('labels citations with sorted numbers and collapsed runs', () => {
    expect(citationLabel([3])).toBe('[3]');
    expect(citationLabel([3, 1])).toBe('[1, 3]');
    expect(citationLabel([4, 2, 3, 7, 8])).toBe('[2–4, 7, 8]');
  });

  it('writes author lists the way Distill does', () => {
    expect(authorList([{ given: 'Shan', family: 'Carter' }], false)).toBe('Carter, S.');
    expect(authorList([{ given: 'Jean-Paul', family: 'Sartre' }, { literal: 'The Lucid Authors' }], false)).toBe('Sartre, J.-P. and The Lucid Authors');
  });

  it('splits names with particles and in "Family, Given" form', () => {
    expect(splitName('Laurens van der Maaten')).toEqual({ given: 'Laurens', family: 'van der Maaten' });
    expect(splitName('Carter, Shan')).toEqual({ given: 'Shan', family: 'Carter' });
    expect(splitName('Plato')).toEqual({ family: 'Plato' });
  });

  const article = {
    authors: ['Shan Carter', 'Zan Armstrong', 'Chris Olah'].map(splitName),
    title: 'Activation Atlas: 100% of {it} & more',
    publisher: 'Distill',
    published: new Date('2019-03-06'),
    url: 'https://distill.pub/2019/activation-atlas',
    doi: '10.23915/distill.00015',
  };

  it('formats the article citation', () => {
    expect(formatArticleCitation(article)).toBe(
      'Carter, et al., "Activation Atlas: 100% of {it} & more", Distill, 2019. https://doi.org/10.23915/distill.00015',
    );
    expect(formatArticleCitation({ ...article, authors: [splitName('Shan Carter'), splitName('Zan Armstrong')], doi: undefined })).toBe(
      'Carter and Armstrong, "Activation Atlas: 100% of {it} & more", Distill, 2019. https://distill.pub/2019/activation-atlas',
    );
  });

  it('writes a BibTeX entry that BibTeX reads back', () => {
    const bibtex = formatArticleBibtex(article);
    expect(bibtexKey(article)).toBe('carter2019activation');
    const parsed = parseBibtex(bibtex, 'article.bib').get('carter2019activation')!;
    expect(parsed.title).toBe(article.title);
    expect(parsed.authors).toEqual([
      { given: 'Shan', family: 'Carter' },
      { given: 'Zan', family: 'Armstrong' },
      { given: 'Chris', family: 'Olah' },
    ]);
    expect(parsed.container).toBe('Distill');
    expect(parsed.doi).toBe('10.23915/distill.00015');
    expect(parsed.year).toBe(2019);
  });

  it('keeps a group author whole', () => {
    const group = { ...article, authors: [authorPerson({ name: 'The Lucid Authors', group: true })] };
    expect(formatArticleCitation(group)).toMatch(/^The Lucid Authors, "Activation Atlas/);
    expect(bibtexKey(group)).toBe('lucid2019activation');
    expect(parseBibtex(formatArticleBibtex(group), 'a.bib').get('lucid2019activation')!.authors).toEqual([{ family: 'The Lucid Authors' }]);
  });
});
