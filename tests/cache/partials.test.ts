/**
 * Several processes share a cache folder: a sweep removes only what dead processes left half-written, and a lock
 * serializes publishing, taken over when its holder is dead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { withLock } from '../../pipeline/cache/lock.ts';
import { abandoned, writerMark } from '../../pipeline/cache/partials.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-partials-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}
const host = writerMark().split('~')[1]!;

describe('partial writes', () => {
  it('are abandoned when their process is dead, or when another machine left them a day ago', () => {
    expect(abandoned(`key.partial-${writerMark()}`)).toBe(false);
    expect(abandoned(`key.partial-${deadPid()}~${host}~${Date.now().toString(36)}`)).toBe(true);
    expect(abandoned(`key.partial-${deadPid()}-123`)).toBe(true); // the older name, without a host
    expect(abandoned(`key.partial-1~elsewhere~${Date.now().toString(36)}`)).toBe(false);
    expect(abandoned(`key.partial-1~elsewhere~${(Date.now() - 2 * 86_400_000).toString(36)}`)).toBe(true);
  });

  it.skipIf(!existsSync('/proc/self/stat'))('are abandoned when their process was killed but never reaped (a container without init)', async () => {
    // sh starts a child that exits at once, then becomes `sleep`, which never reaps it: the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString()))));
    try {
      await expect.poll(() => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]).toBe('Z');
      expect(() => process.kill(pid, 0)).not.toThrow(); // signals still reach it
      expect(abandoned(`key.partial-${pid}~${host}~${Date.now().toString(36)}`)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('are swept only when abandoned', () => {
    const cache = new CacheStore(path.join(root, 'cache'));
    cache.write('icons', 'a', { 'icon.png': 'x' });
    const live = path.join(cache.root, 'icons', `b.partial-${writerMark()}`);
    const dead = path.join(cache.root, 'icons', `c.partial-${deadPid()}~${host}~0`);
    for (const folder of [live, dead]) mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(cache.root, 'stray-file'), 'not a stage');
    expect(cache.sweep()).toBe(1);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(dead)).toBe(false);
    expect(cache.read('icons', 'a')).toBeDefined();
  });
});

describe('the publishing lock', () => {
  it('serializes two holders and takes over a lock whose holder is dead', async () => {
    const file = path.join(root, '.demo.lock');
    const order: string[] = [];
    let release!: () => void;
    const first = withLock(
      file,
      () =>
        new Promise<void>((resolve) => {
          order.push('first in');
          release = () => {
            order.push('first out');
            resolve();
          };
        }),
    );
    const second = withLock(file, () => void order.push('second in'), { pollMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
    expect(existsSync(file)).toBe(false);

    writeFileSync(file, `${deadPid()}~${host}~0`);
    expect(await withLock(file, () => readFileSync(file, 'utf8').split('~')[0], { waitMs: 1000 })).toBe(String(process.pid));
  });
});

describe('the cache folder', () => {
  it('is ATLAS_CACHE_DIR when set, else .atlas-cache in the project', async () => {
    const { cacheFolder } = await import('../../pipeline/cache/store.ts');
    expect(cacheFolder('/project', {})).toBe(path.join('/project', '.atlas-cache'));
    expect(cacheFolder('/project', { ATLAS_CACHE_DIR: '/mnt/shared/atlas-cache' })).toBe('/mnt/shared/atlas-cache');
  });
});
