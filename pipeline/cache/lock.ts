/**
 * A lock file for steps that two processes must not run at once (publishing an atlas into public/atlases/).
 * The file holds its holder's mark (pid, host, time); a lock whose holder is dead is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';
import { abandoned, writerMark } from './partials.ts';

export async function withLock<T>(file: string, work: () => T | Promise<T>, options: { waitMs?: number; pollMs?: number } = {}): Promise<T> {
  const { waitMs = 15 * 60_000, pollMs = 200 } = options;
  const mark = writerMark();
  const started = Date.now();
  for (;;) {
    try {
      writeFileSync(file, mark, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = '';
      try {
        holder = readFileSync(file, 'utf8').trim();
      } catch {
        continue; // released between our two calls
      }
      if (!holder || abandoned(holder)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() - started > waitMs) {
        const [pid, host] = holder.split('~');
        throw new UserError(
          `${file}: another atlas build (process ${pid} on ${host}) has held this lock for over ${Math.round(waitMs / 60_000)} min; wait for it to finish, or remove the file if that process is gone.`,
        );
      }
      await sleep(pollMs);
    }
  }
  try {
    return await work();
  } finally {
    try {
      if (readFileSync(file, 'utf8').trim() === mark) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  }
}
