/**
 * How the render stage writes: every file goes into a temporary view folder that is renamed into place only
 * once it is complete and checked, so a reader never sees half a view. A full disk becomes one clear sentence.
 * Below: the small synchronous helpers that keep rendered views in the cache and link them into the site.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, promises as fs, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { partialPath } from '../../cache/partials.ts';
import { isDiskFull } from '../../cache/disk-full.ts';

/** The file-system calls the stage makes, gathered so tests can simulate a full disk. */
export const io = {
  writeFile: (file: string, data: Buffer | string): Promise<void> => fs.writeFile(file, data),
};

export { isDiskFull };

export function diskFullError(file: string): UserError {
  return new UserError(`disk full while writing ${file}; free space and run again`);
}

/**
 * Runs a write, turning a full disk into the stage's message. `shown` is the path to name: the file's final
 * place rather than the temporary folder it is actually written in.
 */
export async function guardWrite<T>(shown: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isDiskFull(error)) throw diskFullError(shown);
    throw error;
  }
}

/** A temporary folder beside `dir`, and how to name its files by their final paths in messages. */
export class StagingFolder {
  readonly temporary: string;
  constructor(readonly final: string) {
    this.temporary = partialPath(final);
  }

  path(...parts: string[]): string {
    return path.join(this.temporary, ...parts);
  }

  /** The final path of a file in the temporary folder, for messages. */
  shown(file: string): string {
    return path.join(this.final, path.relative(this.temporary, file));
  }

  async write(relative: string, data: Buffer | string): Promise<number> {
    const file = this.path(relative);
    await guardWrite(this.shown(file), async () => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await io.writeFile(file, data);
    });
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  async create(): Promise<void> {
    await fs.rm(this.temporary, { recursive: true, force: true });
    await guardWrite(this.final, () => fs.mkdir(this.temporary, { recursive: true }));
  }

  /** Swaps the finished folder in: an existing view is moved aside, replaced, then removed. */
  async commit(): Promise<void> {
    const previous = `${this.final}.previous-${process.pid}`;
    const had = existsSync(this.final);
    if (had) await fs.rename(this.final, previous);
    await fs.rename(this.temporary, this.final);
    if (had) await fs.rm(previous, { recursive: true, force: true });
  }

  async discard(): Promise<void> {
    await fs.rm(this.temporary, { recursive: true, force: true });
  }
}

/** Every file under a folder, by its path relative to the folder, with its size. */
export function listFiles(folder: string, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(out, listFiles(folder, relative));
    else out[relative] = statSync(path.join(folder, relative)).size;
  }
  return out;
}

/** Hard links of every file (a copy where links are impossible, e.g. across file systems). */
export function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/** Writes a whole file or nothing: a temporary file renamed into place. */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = partialPath(file);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
