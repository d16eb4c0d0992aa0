/**
 * The SHA-256 of data files' bytes, for cache keys that depend on content only (never on a path outside the
 * project or a modification time, which `git clone` and `actions/checkout` reset).
 *
 * Reading a million images at every build to hash them would cost more than the build, so each digest is
 * remembered beside the cache, under the file's absolute path, size, modification time and inode. That memo only
 * saves reading: when any of the four differ the file is read again, and the keys hold the digest alone, so a
 * moved, re-cloned or touched project gets the same keys, and only pays for reading its files once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { partialPath } from './partials.ts';

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

export class FileDigests {
  private readonly memo: Record<string, Entry>;
  private changed = false;

  /** `memoFile`: where digests are remembered between builds (none: this process only). */
  constructor(private readonly memoFile?: string) {
    this.memo = memoFile && existsSync(memoFile) ? FileDigests.read(memoFile) : {};
  }

  private static read(file: string): Record<string, Entry> {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Entry>) : {};
    } catch {
      // A damaged memo costs one re-read of every file, nothing else.
      return {};
    }
  }

  /** The SHA-256 (hex) of the file's bytes. */
  digest(file: string): string {
    const absolute = path.resolve(file);
    const stats = statSync(absolute);
    const known = this.memo[absolute];
    if (known && known.size === stats.size && known.mtimeMs === stats.mtimeMs && known.ino === stats.ino) return known.sha256;
    const sha256 = createHash('sha256').update(readFileSync(absolute)).digest('hex');
    this.memo[absolute] = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, sha256 };
    this.changed = true;
    return sha256;
  }

  /** Writes the memo (atomically) if a digest was added or renewed. */
  save(): void {
    if (!this.memoFile || !this.changed) return;
    mkdirSync(path.dirname(this.memoFile), { recursive: true });
    const temporary = partialPath(this.memoFile);
    writeFileSync(temporary, JSON.stringify(this.memo));
    renameSync(temporary, this.memoFile);
    this.changed = false;
  }
}
