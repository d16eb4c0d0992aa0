import { describe, expect, it } from 'vitest';
import { formatValue, manifestValue, parseValuePath } from '../../pipeline/published/manifest-value.ts';

const manifest = {
  images: { count: 20000, accuracy: 0.99725 },
  results: { 'mixed5a.class-shark': { samples: 3460, trustworthiness: 0.99312 } },
  patchExperiments: {
    baseball: {
      rows: [
        { patch: 'icon', size: 12, rate: 0.058 },
        { patch: 'random noise', size: 20, rate: 0.022 },
        { patch: 'icon', size: 20, rate: 0.504 },
      ],
    },
  },
};

describe('manifest values quoted in prose', () => {
  it('parses keys, dotted keys in brackets and array selectors', () => {
    expect(parseValuePath('results[mixed5a.class-shark].samples')).toEqual(['results', 'mixed5a.class-shark', 'samples']);
    expect(parseValuePath('a.rows[patch=random noise, size=20].rate')).toEqual(['a', 'rows', { patch: 'random noise', size: '20' }, 'rate']);
  });

  it('finds values by key and by matching array element', () => {
    expect(manifestValue(manifest, 'images.count')).toEqual({ value: 20000 });
    expect(manifestValue(manifest, 'results[mixed5a.class-shark].samples')).toEqual({ value: 3460 });
    expect(manifestValue(manifest, 'patchExperiments.baseball.rows[patch=icon,size=20].rate')).toEqual({ value: 0.504 });
    expect(manifestValue(manifest, 'patchExperiments.baseball.rows[patch=random noise,size=20].rate')).toEqual({ value: 0.022 });
  });

  it('says which segment is missing', () => {
    expect(manifestValue(manifest, 'images.skipped')).toEqual({ missing: 'images has no "skipped"' });
    expect(manifestValue(manifest, 'patchExperiments.baseball.rows[patch=icon,size=16].rate')).toEqual({
      missing: 'patchExperiments.baseball.rows has no element [patch=icon,size=16]',
    });
    expect(manifestValue(manifest, 'nothing')).toEqual({ missing: 'the manifest has no "nothing"' });
  });

  it('formats numbers in English', () => {
    expect(formatValue(20000, 'integer')).toBe('20,000');
    expect(formatValue(0.504, 'percent')).toBe('50.4\u00a0%');
    expect(formatValue(0.99312, 'fixed3')).toBe('0.993');
    expect(formatValue(1234.56789)).toBe('1,234.568');
    expect(formatValue('wasm', 'text')).toBe('wasm');
  });
});
