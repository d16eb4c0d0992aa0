/**
 * Where a user's images come from: a folder with one sub-folder per class, or a manifest (CSV with `path` and
 * `label` columns, or JSON Lines with {"path", "label"}) whose paths are relative to the data folder. Listing
 * never reads image data; decode.ts does, and reports files that cannot be used.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { UserError } from '../errors.ts';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.tif', '.tiff']);

export interface ImageEntry {
  /** Absolute path of the image file. */
  file: string;
  label: string;
}

export interface Skipped {
  file: string;
  reason: string;
}

export interface Listing {
  entries: ImageEntry[];
  /** Files left out before decoding (outside the folder, missing, not images), with the reason. */
  skipped: Skipped[];
}

/** A folder of class sub-folders: data/cat/1.jpg, data/dog/2.png, … */
export function listFolder(root: string): Listing {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`${root}: not found; the data folder should hold one sub-folder of images per class.`);
  }
  const entries: ImageEntry[] = [];
  const skipped: Skipped[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    const classFolder = path.join(root, name);
    if (!statSync(classFolder).isDirectory()) {
      skipped.push({ file: classFolder, reason: 'not inside a class sub-folder' });
      continue;
    }
    for (const file of readdirSync(classFolder, { recursive: true, encoding: 'utf8' }).sort()) {
      const full = path.join(classFolder, file);
      if (path.basename(file).startsWith('.') || statSync(full).isDirectory()) continue;
      if (!IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase()))
        skipped.push({ file: full, reason: `not an image file name (${path.extname(file) || 'no extension'})` });
      else entries.push({ file: full, label: name });
    }
  }
  if (!entries.length && !skipped.length) throw new UserError(`${root}: holds no class sub-folders with images.`);
  return { entries, skipped };
}

/**
 * A manifest of (path, label) rows: CSV with a header row naming `path` and `label`, or JSON Lines. Paths are
 * relative to `root`; a path that leads outside it is refused, a missing file is reported.
 */
export function listManifest(manifest: string, root: string): Listing {
  if (!existsSync(manifest)) throw new UserError(`${manifest}: manifest not found.`);
  const rows = readRows(manifest);
  const base = path.resolve(root);
  const realBase = existsSync(base) ? realpathSync(base) : base;
  const entries: ImageEntry[] = [];
  const skipped: Skipped[] = [];
  rows.forEach(({ line, path: relative, label }) => {
    const where = `${manifest}:${line}`;
    if (!relative || !label) throw new UserError(`${where}: each row needs a path and a label.`);
    const file = path.resolve(base, relative);
    const outside = () => new UserError(`${where}: the path ${relative} leads outside the data folder ${base}; move the image inside it or fix the path.`);
    if (!inside(base, file)) throw outside();
    if (!existsSync(file)) {
      skipped.push({ file, reason: `missing (listed on ${where})` });
      return;
    }
    // Where it really is: a symbolic link inside the folder may lead out of it.
    if (!inside(realBase, realpathSync(file))) throw outside();
    entries.push({ file, label });
  });
  return { entries, skipped };
}

/** Whether `file` is `folder` or lies under it (by path.relative, not by string prefix). */
function inside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function readRows(manifest: string): { line: number; path?: string; label?: string }[] {
  const text = readFileSync(manifest, 'utf8');
  if (/\.jsonl?$/i.test(manifest)) {
    return text.split('\n').flatMap((raw, index) => {
      if (!raw.trim()) return [];
      try {
        const row = JSON.parse(raw) as { path?: unknown; label?: unknown };
        return [{ line: index + 1, path: typeof row.path === 'string' ? row.path : undefined, label: row.label === undefined ? undefined : String(row.label) }];
      } catch {
        throw new UserError(`${manifest}:${index + 1}: not valid JSON; each line should be {"path": "...", "label": "..."}.`);
      }
    });
  }
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new UserError(`${manifest}: not valid CSV (${(error as Error).message.split('\n')[0]}).`);
  }
  if (records.length && !('path' in records[0]! && 'label' in records[0]!)) {
    throw new UserError(`${manifest}: the header row must name the columns "path" and "label".`);
  }
  return records.map((record, index) => ({ line: index + 2, path: record.path, label: record.label }));
}
