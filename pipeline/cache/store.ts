/**
 * The pipeline's content-addressed cache: each artifact is a folder `<root>/<stage>/<key>/` whose key hashes
 * the stage's inputs, parameters and code version. A folder appears only whole — files are written to a
 * temporary folder that is renamed into place — and `meta.json` records each file's SHA-256, so a damaged file
 * is found on read and the artifact recomputed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { abandoned, partialPath } from './partials.ts';

export interface ArtifactMeta {
  stage: string;
  key: string;
  files: Record<string, { sha256: string; bytes: number }>;
  /** What the stage wants to remember about the run (parameters, timings, counts); not hashed. */
  info?: unknown;
}

const META = 'meta.json';

/**
 * The cache folder: ATLAS_CACHE_DIR when set (a folder several machines share: NFS, a ReadWriteMany volume, a
 * mounted bucket), otherwise .atlas-cache/ in the project.
 */
export function cacheFolder(root: string, env: Record<string, string | undefined> = process.env): string {
  return env.ATLAS_CACHE_DIR ? path.resolve(env.ATLAS_CACHE_DIR) : path.join(root, '.atlas-cache');
}

/** The writes the store makes, gathered so tests can simulate a full disk. */
export const cacheIo = {
  writeFile: (file: string, data: Uint8Array | string): void => writeFileSync(file, data),
};

export class CacheStore {
  /** With track(): every entry this store was asked for ("stage/key"), for `atlas cache prune`. */
  reached?: Set<string>;

  constructor(readonly root: string) {}

  /** Starts recording which entries are asked for. */
  track(): void {
    this.reached = new Set();
  }

  folder(stage: string, key: string): string {
    this.reached?.add(`${stage}/${key}`);
    return path.join(this.root, stage, key);
  }

  /**
   * Writes an artifact atomically; if another run wrote the same key first, keeps that one. A write that fails
   * (a full disk) leaves nothing behind.
   */
  write(stage: string, key: string, files: Record<string, Uint8Array | string>, info?: unknown): ArtifactMeta {
    const final = this.folder(stage, key);
    const temporary = partialPath(final);
    mkdirSync(temporary, { recursive: true });
    const meta: ArtifactMeta = { stage, key, files: {}, info };
    try {
      for (const [name, data] of Object.entries(files)) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        cacheIo.writeFile(path.join(temporary, name), bytes);
        meta.files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
      }
      cacheIo.writeFile(path.join(temporary, META), `${JSON.stringify(meta, null, 2)}\n`);
    } catch (error) {
      rmSync(temporary, { recursive: true, force: true });
      throw error;
    }
    try {
      renameSync(temporary, final);
    } catch {
      rmSync(temporary, { recursive: true, force: true });
      const existing = this.read(stage, key);
      if (!existing) throw new Error(`cache: could not store ${stage}/${key}`);
      return existing.meta;
    }
    return meta;
  }

  /** The artifact if it is complete and every file matches its checksum; a damaged one is removed. */
  read(stage: string, key: string): { meta: ArtifactMeta; folder: string; file(name: string): Buffer } | undefined {
    const folder = this.folder(stage, key);
    const metaFile = path.join(folder, META);
    if (!existsSync(metaFile)) return undefined;
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ArtifactMeta;
      const contents = new Map<string, Buffer>();
      for (const [name, { sha256, bytes }] of Object.entries(meta.files)) {
        const data = readFileSync(path.join(folder, name));
        if (data.byteLength !== bytes || createHash('sha256').update(data).digest('hex') !== sha256) throw new Error(`${name} damaged`);
        contents.set(name, data);
      }
      return { meta, folder, file: (name) => contents.get(name) ?? readFileSync(path.join(folder, name)) };
    } catch {
      rmSync(folder, { recursive: true, force: true });
      return undefined;
    }
  }

  /**
   * Removes every entry not asked for since track() (a build of every recipe has just asked for all it uses);
   * returns how many entries and bytes went. Scratch files and the digest memo are not entries.
   */
  prune(): { entries: number; bytes: number } {
    if (!this.reached) throw new Error('cache: prune() needs track() and a build first');
    let [entries, bytes] = [0, 0];
    if (!existsSync(this.root)) return { entries, bytes };
    for (const stage of readdirSync(this.root)) {
      const stageFolder = path.join(this.root, stage);
      if (stage === 'scratch' || stage === 'file-digests' || !statSync(stageFolder).isDirectory()) continue;
      for (const key of readdirSync(stageFolder)) {
        if (key.includes('.partial-') || this.reached!.has(`${stage}/${key}`)) continue;
        bytes += folderBytes(path.join(stageFolder, key));
        rmSync(path.join(stageFolder, key), { recursive: true, force: true });
        entries++;
      }
    }
    return { entries, bytes };
  }

  /** Removes leftovers of interrupted writes (folders named *.partial-*) whose writer is gone. */
  sweep(): number {
    let removed = 0;
    if (!existsSync(this.root)) return 0;
    for (const stage of readdirSync(this.root)) {
      const stageFolder = path.join(this.root, stage);
      if (!statSync(stageFolder).isDirectory()) continue;
      for (const entry of readdirSync(stageFolder)) {
        if (entry.includes('.partial-') && abandoned(entry)) {
          rmSync(path.join(stageFolder, entry), { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  clear(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}
