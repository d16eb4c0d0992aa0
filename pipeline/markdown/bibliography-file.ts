/** Loads an article's .bib file once per change, so every article and every rebuild in `astro dev` shares the parse. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import { parseBibtex, type Reference } from '../citations/bibtex.ts';

const cache = new Map<string, { mtimeMs: number; size: number; references: Map<string, Reference> }>();

export function loadBibliography(directory: string, name: string, articleLabel: string): Map<string, Reference> {
  const file = path.join(directory, name);
  const label = path.relative(process.cwd(), file) || file;
  let stats;
  try {
    stats = statSync(file);
  } catch {
    throw new UserError(`${articleLabel}: field "bibliography" names ${label}, which does not exist; add the file or fix the name.`);
  }
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.references;
  const references = parseBibtex(readFileSync(file, 'utf8'), label);
  cache.set(file, { mtimeMs: stats.mtimeMs, size: stats.size, references });
  return references;
}
