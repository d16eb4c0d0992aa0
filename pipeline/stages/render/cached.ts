/**
 * A rendered view kept in the cache: its files under view/, and rendered.json, which lists every file with its
 * size so that a half-copied or damaged folder is not taken for a rendered one.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { listFiles, writeFileAtomically } from './files.ts';

export interface Rendered {
  files: number;
  bytes: number;
  levels: { size: number; tiles: number; bytes: number }[];
  seconds?: number;
}

/** A rendered view from the cache, if every file it listed is there with its size. */
export function readRendered(folder: string): Rendered | undefined {
  const record = path.join(folder, 'rendered.json');
  if (!existsSync(record)) return undefined;
  try {
    const { listing, ...summary } = JSON.parse(readFileSync(record, 'utf8')) as Rendered & { listing: Record<string, number> };
    for (const [file, size] of Object.entries(listing)) if (statSync(path.join(folder, 'view', file)).size !== size) return undefined;
    return summary;
  } catch {
    return undefined;
  }
}

/** Records a folder's rendered view, once every file of it is written. */
export function writeRendered(folder: string, summary: Rendered): void {
  writeFileAtomically(path.join(folder, 'rendered.json'), JSON.stringify({ ...summary, listing: listFiles(path.join(folder, 'view')) }));
}
