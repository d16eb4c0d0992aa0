import { describe, expect, it } from 'vitest';
import { parseBibtex } from '../../pipeline/citations/bibtex.ts';
import { formatReferenceHtml, formatReferenceText } from '../../pipeline/citations/format.ts';

const parse = (text: string) => parseBibtex(text, 'refs.bib');

describe('parseBibtex', () => {
  it('reads braces, protected capitals and TeX accents', () => {
    const refs = parse(String.raw`
@inproceedings{godel1931,
  author = {G{\"o}del, Kurt and {\'E}mile Borel},
  title = {{UMAP} and {t-SNE} in {Zürich}},
  booktitle = {Proc. {IEEE}},
  year = 1931,
}`);
    const ref = refs.get('godel1931')!;
    expect(ref.title).toBe('UMAP and t-SNE in Zürich');
    expect(ref.authors[0]).toEqual({ given: 'Kurt', family: 'Gödel' });
    expect(ref.authors[1]?.family).toContain('Borel');
    expect(ref.container).toBe('Proc. IEEE');
    expect(ref.year).toBe(1931);
    expect(ref.line).toBe(2);
  });

  it('turns "and others" into et al. instead of an author called "others"', () => {
    const refs = parse(`@article{a, author = {Smilkov, Daniel and Thorat, Nikhil and others}, title = {TF.js}, year = {2019}}`);
    const ref = refs.get('a')!;
    expect(ref.authors.map((p) => p.family)).toEqual(['Smilkov', 'Thorat']);
    expect(ref.etAl).toBe(true);
    expect(formatReferenceText(ref)).toBe('TF.js. Smilkov, D., Thorat, N., et al., 2019.');
  });

  it('formats entries with missing fields without blanks or "undefined"', () => {
    const refs = parse(`@misc{bare,\n}\n@misc{titled, title = {Only a title}}\n@book{book, author = {Doe, Jane}, publisher = {Press}}`);
    expect(formatReferenceText(refs.get('bare')!)).toBe('bare.');
    expect(formatReferenceText(refs.get('titled')!)).toBe('Only a title.');
    expect(formatReferenceText(refs.get('book')!)).toBe('book. Doe, J. Press.');
    for (const ref of refs.values()) expect(formatReferenceHtml(ref)).not.toMatch(/undefined|null|NaN/);
  });

  it('expands @string macros', () => {
    const refs = parse(`@string{distill = "Distill"}\n@article{x, title = {X}, journal = distill, year = 2020}`);
    expect(refs.get('x')!.container).toBe('Distill');
  });

  it('names the malformed entry and its line, not where the parser gave up', () => {
    const text = `@article{good, title = {Good}, year = {2000}}\n\n@article{broken,\n  author = {Foo, Bar\n  title = {x},\n}\n@article{after, title = {After}}\n`;
    expect(() => parse(text)).toThrowError(/^refs\.bib:3: entry "broken" is malformed/);
  });

  it('refuses duplicate keys', () => {
    expect(() => parse(`@misc{a, title = {One}}\n@misc{a, title = {Two}}`)).toThrowError(
      'refs.bib:2: key "a" is already used by the entry on line 1; give one of them another key.',
    );
  });

  it('keeps title markup but escapes HTML', () => {
    const refs = parse(String.raw`@misc{m, title = {Fast \emph{and} <script>alert(1)</script> x$^2$}}`);
    const html = formatReferenceHtml(refs.get('m')!);
    expect(html).toContain('<i>and</i>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });
});
