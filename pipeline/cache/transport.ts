/**
 * Moving cache entries between machines: `atlas cache export FILE.tar` packs complete entries (one folder per
 * stage and key, each file checked against its meta.json), `atlas cache import FILE.tar…` merges archives into
 * the cache as a union keyed by content.
 *
 * An archive starts with atlas-cache.json: its format and the exporter's stage versions. On import, every
 * archive is read whole into a staging folder and every entry is checked (safe names, every file its meta.json
 * lists, sizes and SHA-256) before any entry moves into the cache, each by one rename: a corrupt or truncated
 * archive is refused with nothing imported, and an interrupted import leaves only whole entries. Entries of a
 * stage whose version differs from this code's are skipped and counted (their keys could never be reached).
 * Render folders are not entries (the last phase of a build renders), so they do not travel.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { UserError } from '../errors.ts';
import { partialPath, writerMark } from './partials.ts';
import { inShard, type Shard } from '../stages/shard.ts';
import type { ArtifactMeta, CacheStore } from './store.ts';

export const ARCHIVE_FORMAT = 1;
const HEADER = 'atlas-cache.json';
const NAME = /^[\w.-]+$/;

export interface ArchiveHeader {
  format: number;
  stages: Record<string, number>;
  entries: number;
}

/** Complete entries of the cache (those with a meta.json), optionally only these keys per stage. */
export function listEntries(cache: CacheStore, only?: (stage: string, key: string) => boolean): { stage: string; key: string }[] {
  if (!existsSync(cache.root)) return [];
  const entries: { stage: string; key: string }[] = [];
  for (const stage of readdirSync(cache.root).sort()) {
    const folder = path.join(cache.root, stage);
    if (!statSync(folder).isDirectory()) continue;
    for (const key of readdirSync(folder).sort()) {
      if (key.includes('.partial-') || !existsSync(path.join(folder, key, 'meta.json'))) continue;
      if (!only || only(stage, key)) entries.push({ stage, key });
    }
  }
  return entries;
}

/**
 * The sharded phases' units of one shard: activation chunks by their key, icons by their family's root key
 * (recorded in each icon's meta.json when it was drawn). Other stages are no shard's.
 */
export function shardUnits(cache: CacheStore, shard: Shard): (stage: string, key: string) => boolean {
  return (stage, key) => {
    if (stage === 'activations') return inShard(key, shard);
    if (stage !== 'icons') return false;
    try {
      const meta = JSON.parse(readFileSync(path.join(cache.folder(stage, key), 'meta.json'), 'utf8')) as ArtifactMeta;
      return inShard((meta.info as { root?: string } | undefined)?.root ?? key, shard);
    } catch {
      return false;
    }
  };
}

/** Writes the entries (checked on the way) to a tar archive, atomically; returns how many were written. */
export async function exportCache(
  cache: CacheStore,
  file: string,
  stages: Record<string, number>,
  only?: (stage: string, key: string) => boolean,
): Promise<number> {
  const entries = listEntries(cache, only).filter(({ stage }) => stage in stages);
  const pack = tar.pack();
  const temporary = partialPath(path.resolve(file));
  const written = pipeline(pack, createWriteStream(temporary));
  const add = (name: string, data: Buffer) =>
    new Promise<void>((resolve, reject) =>
      pack.entry({ name, size: data.byteLength, mtime: new Date(0), mode: 0o644 }, data, (error) => (error ? reject(error) : resolve())),
    );
  let count = 0;
  try {
    const header: ArchiveHeader = { format: ARCHIVE_FORMAT, stages, entries: entries.length };
    await add(HEADER, Buffer.from(JSON.stringify(header)));
    for (const { stage, key } of entries) {
      const artifact = cache.read(stage, key);
      if (!artifact) continue; // damaged: read() removed it
      for (const name of Object.keys(artifact.meta.files)) await add(`${stage}/${key}/${name}`, artifact.file(name));
      await add(`${stage}/${key}/meta.json`, readFileSync(path.join(artifact.folder, 'meta.json')));
      count++;
    }
    pack.finalize();
    await written;
    renameSync(temporary, file);
  } catch (error) {
    pack.destroy();
    rmSync(temporary, { force: true });
    throw error;
  }
  return count;
}

export interface ImportReport {
  imported: number;
  present: number;
  /** Entries of stages whose code version differs from this one's. */
  skipped: number;
}

/** Merges one archive into the cache: all of it after checking all of it, or nothing. */
export async function importCache(cache: CacheStore, file: string, stages: Record<string, number>): Promise<ImportReport> {
  const shown = path.basename(file);
  if (!existsSync(file)) throw new UserError(`${file}: no such archive; give the path of a file written by atlas cache export.`);
  const staging = path.join(cache.root, 'scratch', writerMark(), 'import');
  mkdirSync(staging, { recursive: true });
  try {
    const header = await unpack(file, shown, staging);
    if (header.format !== ARCHIVE_FORMAT)
      throw new UserError(`${file}: archive format ${header.format}, but this pipeline reads format ${ARCHIVE_FORMAT}; export it again with this version.`);
    const report: ImportReport = { imported: 0, present: 0, skipped: 0 };
    const checked: { stage: string; key: string }[] = [];
    for (const stage of readdirSync(staging)) {
      for (const key of readdirSync(path.join(staging, stage))) {
        checkEntry(path.join(staging, stage, key), stage, key, shown);
        if (header.stages[stage] !== stages[stage]) report.skipped++;
        else checked.push({ stage, key });
      }
    }
    for (const { stage, key } of checked) {
      const target = cache.folder(stage, key);
      if (existsSync(path.join(target, 'meta.json'))) {
        report.present++;
        continue;
      }
      mkdirSync(path.dirname(target), { recursive: true });
      try {
        renameSync(path.join(staging, stage, key), target);
        report.imported++;
      } catch {
        // Another process stored the same key meanwhile: the same content.
        report.present++;
      }
    }
    return report;
  } finally {
    rmSync(path.dirname(staging), { recursive: true, force: true });
  }
}

/** Extracts the archive into `staging`, refusing unsafe names; returns its header. */
async function unpack(file: string, shown: string, staging: string): Promise<ArchiveHeader> {
  const extract = tar.extract();
  let header: ArchiveHeader | undefined;
  extract.on('entry', (entry, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('error', next);
    stream.on('end', () => {
      try {
        const data = Buffer.concat(chunks);
        if (entry.name === HEADER) {
          header = JSON.parse(data.toString('utf8')) as ArchiveHeader;
        } else {
          const parts = entry.name.split('/');
          if (entry.type !== 'file' || parts.length !== 3 || !parts.every((part) => NAME.test(part) && part !== '.' && part !== '..')) {
            throw new UserError(`${shown}: holds "${entry.name}", which is not a cache entry's file; it was not written by atlas cache export.`);
          }
          mkdirSync(path.join(staging, parts[0]!, parts[1]!), { recursive: true });
          writeFileSync(path.join(staging, ...parts), data);
        }
        next();
      } catch (error) {
        next(error as Error);
      }
    });
  });
  try {
    await pipeline(createReadStream(file), extract);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `${file}: the archive is damaged or truncated (${(error as Error).message.split('\n')[0]}); nothing was imported from it. Export it again.`,
    );
  }
  if (!header) throw new UserError(`${file}: not an atlas cache archive (no ${HEADER}); nothing was imported from it.`);
  return header;
}

/** Every file the entry's meta.json lists, with its size and SHA-256, and nothing else. */
function checkEntry(folder: string, stage: string, key: string, shown: string): void {
  const where = `${shown}: entry ${stage}/${key}`;
  let meta: ArtifactMeta;
  try {
    meta = JSON.parse(readFileSync(path.join(folder, 'meta.json'), 'utf8')) as ArtifactMeta;
  } catch {
    throw new UserError(`${where} has no readable meta.json; the archive is damaged; nothing was imported from it.`);
  }
  const names = readdirSync(folder).filter((name) => name !== 'meta.json');
  const listed = Object.keys(meta.files ?? {});
  if (meta.stage !== stage || meta.key !== key || names.length !== listed.length || !listed.every((name) => names.includes(name))) {
    throw new UserError(`${where} does not match its meta.json; the archive is damaged; nothing was imported from it.`);
  }
  for (const [name, { sha256, bytes }] of Object.entries(meta.files)) {
    const data = readFileSync(path.join(folder, name));
    if (data.byteLength !== bytes || createHash('sha256').update(data).digest('hex') !== sha256) {
      throw new UserError(`${where}: ${name} fails its checksum; the archive is damaged; nothing was imported from it.`);
    }
  }
}
