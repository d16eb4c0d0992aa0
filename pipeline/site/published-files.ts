/**
 * What the pipeline owns under public/atlases/: each atlas folder it publishes carries a listing of the files it
 * wrote (.published-files.json). The folder is replaced whole on the next build, so anything else in it (a file
 * an author put there, or a folder the pipeline never wrote) would be lost: the build refuses instead, naming it.
 * Atlases whose recipe was deleted stay published until `atlas clean --published` removes them.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';

export const PUBLISHED_LISTING = '.published-files.json';

/** Every file under `folder`, relative to it with / separators, sorted; the listing itself left out. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file !== PUBLISHED_LISTING && !statSync(path.join(folder, file)).isDirectory())
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/** Records, inside an atlas folder about to be published, the files the pipeline wrote there. */
export function writePublishedListing(folder: string): void {
  writeFileSync(path.join(folder, PUBLISHED_LISTING), `${JSON.stringify(filesUnder(folder))}\n`);
}

/**
 * Whether the pipeline wrote `folder`, and the files in it that it did not write. A folder from before listings
 * existed counts as the pipeline's when its manifest.json names a recipe (its files cannot be told apart).
 */
export function ownership(folder: string): { ours: boolean; foreign: string[] } {
  const listing = path.join(folder, PUBLISHED_LISTING);
  if (existsSync(listing)) {
    const written = new Set(JSON.parse(readFileSync(listing, 'utf8')) as string[]);
    return { ours: true, foreign: filesUnder(folder).filter((file) => !written.has(file)) };
  }
  const manifest = path.join(folder, 'manifest.json');
  let legacy = false;
  try {
    legacy = existsSync(manifest) && Boolean((JSON.parse(readFileSync(manifest, 'utf8')) as { recipe?: unknown }).recipe);
  } catch {
    // Not a manifest the pipeline wrote.
  }
  return { ours: legacy, foreign: [] };
}

/** Stops when replacing or removing `folder` would delete what the pipeline did not write. */
export function assertReplaceable(folder: string, root: string): void {
  if (!existsSync(folder)) return;
  const label = path.relative(root, folder) || folder;
  const { ours, foreign } = ownership(folder);
  if (!ours) throw new UserError(`${label}/: the pipeline did not write this folder and would replace it; move it elsewhere, or rename the recipe.`);
  if (foreign.length) {
    throw new UserError(
      `${label}/${foreign[0]}: the pipeline did not write this file${foreign.length > 1 ? ` (nor ${foreign.length - 1} more)` : ''} and replaces ${label}/ whole; move it out of that folder.`,
    );
  }
}

/** Published atlas folders (under `atlasesDir`) whose id has no recipe among `ids`. */
export function orphanAtlases(atlasesDir: string, ids: string[]): string[] {
  if (!existsSync(atlasesDir)) return [];
  return readdirSync(atlasesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.includes('.partial-') && !entry.name.includes('.previous-'))
    .map((entry) => entry.name)
    .filter((name) => !ids.includes(name))
    .sort();
}

/** Removes the published atlases of deleted recipes; refuses, naming it, a folder with files the pipeline did not write. */
export function removeOrphans(atlasesDir: string, ids: string[], root: string): string[] {
  const orphans = orphanAtlases(atlasesDir, ids);
  for (const name of orphans) assertReplaceable(path.join(atlasesDir, name), root);
  for (const name of orphans) rmSync(path.join(atlasesDir, name), { recursive: true, force: true });
  return orphans;
}
