/**
 * Half-written things (a cache entry being written, a site folder being assembled, a render's scratch files) are
 * named after their writer: `<final>.partial-<pid>~<host>~<time>`. Several processes, on one machine or many
 * sharing a folder (NFS, a ReadWriteMany volume), may write side by side; a sweep removes only what a dead
 * process left behind, never the work of one still running.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

const HOST = os.hostname().replace(/[^\w.-]/g, '_');
/** A partial from another machine is taken as abandoned once this old: its writer cannot be asked. */
const FOREIGN_AGE_MS = 24 * 3600 * 1000;

/** This process's mark: "<pid>~<host>~<time>". */
export function writerMark(): string {
  return `${process.pid}~${HOST}~${Date.now().toString(36)}`;
}

/** A temporary path beside `final`, named after this process. */
export function partialPath(final: string): string {
  return `${final}.partial-${writerMark()}`;
}

/** Whether the process a mark (or a name ending in `.partial-<mark>`) names is gone. */
export function abandoned(name: string, now = Date.now()): boolean {
  const mark = name.includes('.partial-') ? name.slice(name.lastIndexOf('.partial-') + '.partial-'.length) : name;
  const [pidText, host, time] = mark.split('~');
  const pid = Number.parseInt(pidText ?? '', 10);
  if (host !== undefined && host !== HOST) {
    const started = Number.parseInt(time ?? '', 36);
    return !Number.isFinite(started) || now - started > FOREIGN_AGE_MS;
  }
  // This machine (or an older name without a host, written here): ask whether the process still runs.
  return !Number.isInteger(pid) || !alive(pid);
}

export function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * A killed process stays in the process table until its parent reaps it, and in a container whose first
 * process reaps nothing (Docker without --init), it stays there: signals still reach it, yet it runs no more.
 */
function zombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (command) state …"; the command may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (macOS, Windows): trust the signal
  }
}
