import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { articleSchema, describeIssue, isValidOrcid } from '../../pipeline/content/schema.ts';

const schema = articleSchema(z.string());
const valid = {
  title: 'T',
  description: 'D',
  authors: [{ name: 'Ann One', orcid: '0000-0002-1825-0097', affiliations: ['Lab'] }],
  published: new Date('2026-01-02'),
};

function problem(data: Record<string, unknown>): string {
  const result = schema.safeParse(data);
  if (result.success) throw new Error('expected the front matter to be refused');
  return describeIssue(result.error);
}

describe('article front matter', () => {
  it('accepts a minimal article and fills in defaults', () => {
    const data = schema.parse(valid);
    expect(data.license).toBe('CC-BY-4.0');
    expect(data.updates).toEqual([]);
    expect(data.draft).toBe(false);
  });

  it('accepts dates written as strings and ORCID iDs written as URLs', () => {
    const data = schema.parse({
      ...valid,
      published: '2026-11-29',
      authors: [{ name: 'J. C.', orcid: 'https://orcid.org/0000-0002-1825-0097' }],
    });
    expect(data.published.toISOString()).toBe('2026-11-29T00:00:00.000Z');
    expect(data.authors[0]!.orcid).toBe('0000-0002-1825-0097');
  });

  it('names the missing title', () => {
    const { title: _title, ...rest } = valid;
    expect(problem(rest)).toBe('field "title" is required');
  });

  it('says a date that is not a date must be one', () => {
    expect(problem({ ...valid, published: 'last spring' })).toBe('field "published" must be a date written as YYYY-MM-DD, e.g. 2026-11-29');
    expect(problem({ ...valid, published: '2026-02-31x' })).toMatch(/^field "published" must be a date/);
    expect(problem({ ...valid, published: 20260101 })).toMatch(/^field "published" must be a date/);
  });

  it('checks ORCID check digits', () => {
    expect(isValidOrcid('0000-0002-1825-0097')).toBe(true);
    expect(isValidOrcid('0000-0002-1694-233X')).toBe(true);
    expect(isValidOrcid('0000-0002-1825-0098')).toBe(false);
    expect(problem({ ...valid, authors: [{ name: 'A', orcid: '0000-0002-1825-0098' }] })).toBe(
      'field "authors[0].orcid" must be an ORCID iD like 0000-0002-1825-0097 with a valid check digit',
    );
  });

  it('refuses unknown fields, naming them', () => {
    expect(problem({ ...valid, titel: 'typo' })).toBe('unknown field "titel": remove it or check the spelling');
    expect(problem({ ...valid, authors: [{ name: 'A', email: 'a@b' }] })).toBe('unknown field "authors[0].email": remove it or check the spelling');
  });

  it('explains wrong types, licenses, DOIs and dates out of order', () => {
    expect(problem({ ...valid, title: 42 })).toBe('field "title" must be a string, not a number');
    expect(problem({ ...valid, license: 'GPL' })).toMatch(/^field "license" must be one of CC-BY-4.0, /);
    expect(problem({ ...valid, doi: 'https://doi.org/10.1/x' })).toMatch(/^field "doi" must be a DOI like/);
    expect(problem({ ...valid, updated: '2025-01-01' })).toBe('field "updated" must not be earlier than published');
    expect(problem({ ...valid, authors: [] })).toBe('field "authors" must list at least one author');
  });
});
