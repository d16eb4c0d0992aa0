/**
 * Cache entries travel between machines in a tar archive: a union keyed by content on import, each file checked,
 * and a damaged archive refused with nothing imported.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { exportCache, importCache, listEntries, shardUnits } from '../../pipeline/cache/transport.ts';
import { inShard } from '../../pipeline/stages/shard.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-transport-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const STAGES = { icons: 2, layout: 2 };
let count = 0;
const freshCache = () => new CacheStore(path.join(root, `cache-${++count}`));

function filled(): CacheStore {
  const cache = freshCache();
  cache.write('icons', 'a1', { 'icon.png': 'first icon' }, { objective: 3 });
  cache.write('icons', 'b2', { 'icon.png': 'second icon' });
  cache.write('layout', 'c3', { 'points.f32': new Uint8Array([1, 2, 3, 4]) });
  return cache;
}

describe('cache archives', () => {
  it('carry every complete entry, and importing twice adds nothing', async () => {
    const file = path.join(root, 'all.tar');
    expect(await exportCache(filled(), file, STAGES)).toBe(3);
    const target = freshCache();
    expect(await importCache(target, file, STAGES)).toEqual({ imported: 3, present: 0, skipped: 0 });
    expect(target.read('icons', 'a1')!.file('icon.png').toString()).toBe('first icon');
    expect(target.read('icons', 'a1')!.meta.info).toEqual({ objective: 3 });
    expect([...target.read('layout', 'c3')!.file('points.f32')]).toEqual([1, 2, 3, 4]);
    expect(await importCache(target, file, STAGES)).toEqual({ imported: 0, present: 3, skipped: 0 });
    // The staging folder is gone.
    expect(readdirSync(path.join(target.root, 'scratch'))).toEqual([]);
  });

  it('are refused whole when truncated or when a file fails its checksum', async () => {
    const file = path.join(root, 'good.tar');
    await exportCache(filled(), file, STAGES);
    const bytes = readFileSync(file);

    const truncated = path.join(root, 'truncated.tar');
    writeFileSync(truncated, bytes.subarray(0, 1500));
    const target = freshCache();
    await expect(importCache(target, truncated, STAGES)).rejects.toThrow(/truncated.tar: the archive is damaged or truncated .*; nothing was imported from it/);
    expect(listEntries(target)).toEqual([]);

    const corrupt = path.join(root, 'corrupt.tar');
    const at = bytes.indexOf('second icon');
    const changed = Buffer.from(bytes);
    changed.write('SECOND', at);
    writeFileSync(corrupt, changed);
    await expect(importCache(target, corrupt, STAGES)).rejects.toThrow(
      /corrupt.tar: entry icons\/b2: icon.png fails its checksum; the archive is damaged; nothing was imported from it/,
    );
    expect(listEntries(target)).toEqual([]);
  });

  it('skip, and count, entries of another version of a stage', async () => {
    const file = path.join(root, 'old.tar');
    await exportCache(filled(), file, { icons: 1, layout: 2 });
    expect(await importCache(freshCache(), file, STAGES)).toEqual({ imported: 1, present: 0, skipped: 2 });
  });

  it('refuse a file that is not a cache entry', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'atlas-cache.json' }, JSON.stringify({ format: 1, stages: STAGES, entries: 1 }));
    pack.entry({ name: 'icons/../../escape/meta.json' }, '{}');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    const file = path.join(root, 'evil.tar');
    writeFileSync(file, Buffer.concat(chunks));
    await expect(importCache(freshCache(), file, STAGES)).rejects.toThrow(
      /evil.tar: holds "icons\/..\/..\/escape\/meta.json", which is not a cache entry's file/,
    );
  });

  it('export a shard: its activation chunks by key, its icons by their family root, nothing else', async () => {
    const cache = freshCache();
    const keys = Array.from({ length: 12 }, (_, i) => `${(i * 0x13579bd).toString(16).padStart(8, '0')}${'0'.repeat(56)}`);
    keys.forEach((key, i) => cache.write('activations', key, { 'ids.i32': new Uint8Array([i]) }));
    // Icons 1..11 belong to the family of the icon with key 0; a root is its own family.
    keys.forEach((key, i) => cache.write('icons', key, { 'icon.png': `icon ${i}` }, { root: i % 2 ? keys[0] : key }));
    cache.write('layout', keys[0]!, { 'points.f32': new Uint8Array(4) });
    const shard = { index: 2, count: 3 };
    const file = path.join(root, 'shard.tar');
    const count = await exportCache(cache, file, { activations: 2, icons: 2, layout: 2 }, shardUnits(cache, shard));
    const activations = keys.filter((key) => inShard(key, shard)).length;
    const icons = keys.filter((key, i) => inShard(i % 2 ? keys[0]! : key, shard)).length;
    expect(count).toBe(activations + icons);
    expect(count).toBeGreaterThan(0);
    const target = freshCache();
    await importCache(target, file, { activations: 2, icons: 2, layout: 2 });
    expect(listEntries(target).some((entry) => entry.stage === 'layout')).toBe(false);
  });
});
