/**
 * How the render stage writes: every file goes into a temporary view folder that is renamed into place only
 * once it is complete and checked, so a reader never sees half a view. A full disk becomes one clear sentence.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { partialPath } from '../../cache/partials.ts';

/** The file-system calls the stage makes, gathered so tests can simulate a full disk. */
export const io = {
  writeFile: (file: string, data: Buffer | string): Promise<void> => fs.writeFile(file, data),
};

export function isDiskFull(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  // Node reports code ENOSPC; libvips (sharp) only says so in its message.
  return e?.code === 'ENOSPC' || /ENOSPC|no space left on device/i.test(String(e?.message ?? ''));
}

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
