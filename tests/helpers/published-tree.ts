/** Every file of a published atlas, for comparing two builds byte for byte (manifest.json without its timings). */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function publishedTree(folder: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(folder, prefix)).sort()) {
    const relative = path.join(prefix, name);
    const full = path.join(folder, relative);
    if (statSync(full).isDirectory()) Object.assign(out, publishedTree(folder, relative));
    else if (name === 'manifest.json') out[relative] = JSON.stringify(withoutTimings(JSON.parse(readFileSync(full, 'utf8'))));
    else out[relative] = readFileSync(full).toString('base64');
  }
  return out;
}

function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !['seconds', 'computedSeconds', 'stages', 'computed', 'status'].includes(key))
        .map(([key, inner]) => [key, withoutTimings(inner)]),
    );
  }
  return value;
}
