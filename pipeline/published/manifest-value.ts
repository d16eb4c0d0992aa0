/**
 * Numbers an article quotes from an atlas's manifest (<Value atlas="demo" path="…" />), so prose cannot drift
 * from what the pipeline computed. A path is dot-separated keys; a bracketed segment is a key with dots in it
 * (results[mixed5a.class-shark].samples) or, with `field=value` pairs, picks the first array element whose
 * fields match (patchExperiments.baseball.rows[patch=icon,size=20].rate).
 */

export type ValueFormat = 'number' | 'integer' | 'percent' | 'fixed1' | 'fixed2' | 'fixed3' | 'text';
export const VALUE_FORMATS: ValueFormat[] = ['number', 'integer', 'percent', 'fixed1', 'fixed2', 'fixed3', 'text'];

/** The segments of a path: keys, and {field: value} selectors for arrays. */
export function parseValuePath(path: string): (string | Record<string, string>)[] {
  const segments: (string | Record<string, string>)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (!match[2]!.includes('=')) segments.push(match[2]!.trim());
    else segments.push(Object.fromEntries(match[2]!.split(',').map((pair) => pair.split('=').map((part) => part.trim()) as [string, string])));
  }
  return segments;
}

/** The value at `path`, or a sentence saying which segment is missing. */
export function manifestValue(manifest: unknown, path: string): { value: unknown } | { missing: string } {
  let here: unknown = manifest;
  const walked: string[] = [];
  for (const segment of parseValuePath(path)) {
    if (typeof segment === 'string') {
      if (here === null || typeof here !== 'object' || !(segment in here)) return { missing: `${walked.join('.') || 'the manifest'} has no "${segment}"` };
      here = (here as Record<string, unknown>)[segment];
      walked.push(segment);
    } else {
      const wanted = Object.entries(segment);
      const found = Array.isArray(here)
        ? here.find((item) => item && typeof item === 'object' && wanted.every(([k, v]) => String((item as Record<string, unknown>)[k]) === v))
        : undefined;
      const label = `[${wanted.map(([k, v]) => `${k}=${v}`).join(',')}]`;
      if (found === undefined) return { missing: `${walked.join('.')} has no element ${label}` };
      here = found;
      walked.push(label);
    }
  }
  return { value: here };
}

const english = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat('en', options);

/** The value as the article prints it. */
export function formatValue(value: unknown, format: ValueFormat = 'number'): string {
  if (format === 'text' || typeof value !== 'number') return String(value);
  switch (format) {
    case 'integer':
      return english({ maximumFractionDigits: 0 }).format(value);
    case 'percent':
      return `${english({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value * 100)}\u00a0%`;
    case 'fixed1':
    case 'fixed2':
    case 'fixed3': {
      const digits = Number(format.slice(-1));
      return english({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
    }
    default:
      return english({ maximumFractionDigits: 3 }).format(value);
  }
}
