/**
 * <MethodsAppendix> as built: the fixture pages src/pages/fixtures/[figure].astro render it for the fixture demo
 * atlas, whose manifest (tests/helpers/fixture-public.ts) carries every provenance field the section reports, and
 * for the hostile atlas, whose manifest has none.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { TEST_BASE, TEST_OUT_DIR } from '../helpers/site-build.ts';
import { FIXTURE_PUBLIC_DIR } from '../helpers/fixture-public.ts';

const manifest = JSON.parse(readFileSync(path.join(FIXTURE_PUBLIC_DIR, 'atlases', 'demo', 'manifest.json'), 'utf8'));

describe('the methods section of the fixture demo atlas', () => {
  const root = parse(readFileSync(path.join(TEST_OUT_DIR, 'fixtures', 'methods', 'index.html'), 'utf8'));
  const section = root.querySelector('section.methods-appendix')!;

  it('is headed "Methods" and names the manifest it was read from, linked under the base path', () => {
    expect(section.querySelector('h2')!.getAttribute('id')).toBe('methods');
    expect(section.querySelector('h2')!.text).toBe('Methods');
    const link = section.querySelector(`a[href="${TEST_BASE}atlases/demo/manifest.json"]`);
    expect(link?.text).toBe('public/atlases/demo/manifest.json');
  });

  it('has a row per view with the manifest’s numbers, in scrollable, named table boxes', () => {
    const rows = section.querySelectorAll('table.methods-views tbody tr');
    expect(rows.map((row) => row.querySelector('code')!.text)).toEqual(Object.keys(manifest.views));
    const first = rows[0]!.querySelectorAll('td').map((cell) => cell.text.trim());
    const result = manifest.results.mixed3b;
    expect(first.slice(0, 3)).toEqual(['mixed3b', result.samples.toLocaleString('en'), result.trustworthiness.toFixed(3)]);
    for (const box of section.querySelectorAll('.methods-table')) {
      expect(box.getAttribute('tabindex')).toBe('0');
      expect(root.getElementById(box.getAttribute('aria-labelledby')!)).not.toBeNull();
    }
  });

  it('shows hashes to 12 digits with the full value in the title and the element', () => {
    const hash = section.querySelector('code.methods-hash')!;
    expect(hash.getAttribute('title')).toBe(manifest.recipe.sha256);
    expect(hash.text).toBe(manifest.recipe.sha256);
    expect(hash.childNodes[0]!.text).toBe(manifest.recipe.sha256.slice(0, 12));
    expect(section.querySelector('.methods-missing')).toBeNull();
  });
});

describe('the methods section of a manifest without provenance (the hostile fixture atlas)', () => {
  const section = parse(readFileSync(path.join(TEST_OUT_DIR, 'fixtures', 'methods-sparse', 'index.html'), 'utf8')).querySelector('section.methods-appendix')!;

  it('still builds, and says which fields the manifest lacks', () => {
    expect(section.querySelector('h2#methods')).not.toBeNull();
    expect(section.querySelectorAll('table.methods-views tbody tr')).toHaveLength(1);
    const missing = section
      .querySelector('.methods-missing')!
      .querySelectorAll('code')
      .map((code) => code.text);
    expect(missing).toEqual(expect.arrayContaining(['parameters', 'images', 'results', 'versions', 'recipe.sha256']));
    expect(section.text).toContain('Layout parameters are not recorded in this manifest (no layouts).');
  });
});
