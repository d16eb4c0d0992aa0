/**
 * Decoding users' images with sharp, and saying which cannot be used and why: empty, truncated or corrupt files,
 * files that are not images, and images too small to show anything. Any colour model and depth (grayscale,
 * CMYK, alpha, 16-bit) becomes 8-bit RGB, and EXIF orientation is applied (see models/preprocess.ts).
 */
import { statSync } from 'node:fs';
import sharp from 'sharp';
import { UserError } from '../errors.ts';
import { readImage, type Preprocess } from '../models/preprocess.ts';
import type { ImageEntry, Skipped } from './sources.ts';

/** Images smaller than this on a side carry too little to be worth an atlas cell. */
export const MIN_SIDE = 8;

export type Decoded = { ok: true; pixels: Uint8Array; entry: ImageEntry } | { ok: false; skipped: Skipped };

export async function decodeEntry(entry: ImageEntry, preprocess: Preprocess): Promise<Decoded> {
  const fail = (reason: string): Decoded => ({ ok: false, skipped: { file: entry.file, reason } });
  if (statSync(entry.file).size === 0) return fail('empty file (0 bytes)');
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(entry.file).metadata();
  } catch (error) {
    return fail(`not a readable image (${describe(error)})`);
  }
  const [width, height] = [metadata.width ?? 0, metadata.height ?? 0];
  if (Math.min(width, height) < MIN_SIDE) return fail(`too small (${width}×${height} px; at least ${MIN_SIDE}×${MIN_SIDE} needed)`);
  try {
    return { ok: true, entry, pixels: await readImage(entry.file, preprocess) };
  } catch (error) {
    return fail(`truncated or corrupt (${describe(error)})`);
  }
}

function describe(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .replace(/^Input file /, '')
    .trim();
}

/**
 * Stops the build when too few images are usable, saying how many there are, how many are needed and why.
 * `needed` comes from the stage asking (for example UMAP needs more points than neighbours).
 */
export function requireUsable(source: string, usable: number, skipped: number, needed: number, why: string, report?: string): void {
  if (usable >= needed) return;
  throw new UserError(
    `${source}: only ${usable} usable image${usable === 1 ? '' : 's'}${skipped ? ` (${skipped} skipped, listed in ${report ?? 'the data report'})` : ''}; ${why} needs at least ${needed}. Add images or lower that setting.`,
  );
}
