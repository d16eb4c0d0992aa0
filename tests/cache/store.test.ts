/** The cache stores whole artifacts only, finds damaged ones by checksum, and keys by canonical content. */
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheStore } from '../../pipeline/cache/store.ts';
import { canonicalJson, hashOf } from '../../pipeline/cache/hash.ts';

const store = () => new CacheStore(mkdtempSync(path.join(os.tmpdir(), 'atlas-cache-')));

describe('cache store', () => {
  it('round-trips an artifact', () => {
    const cache = store();
    cache.write('layout', 'abc', { 'points.bin': Uint8Array.of(1, 2, 3), 'summary.json': '{"n":3}' }, { seconds: 1.5 });
    const artifact = cache.read('layout', 'abc')!;
    expect([...artifact.file('points.bin')]).toEqual([1, 2, 3]);
    expect(artifact.file('summary.json').toString()).toBe('{"n":3}');
    expect(artifact.meta.info).toEqual({ seconds: 1.5 });
  });

  it('treats a damaged or truncated file as missing and removes the artifact', () => {
    const cache = store();
    cache.write('grid', 'k', { 'cells.bin': Uint8Array.from({ length: 100 }, (_, i) => i) });
    writeFileSync(
      path.join(cache.folder('grid', 'k'), 'cells.bin'),
      Uint8Array.from({ length: 50 }, (_, i) => i),
    );
    expect(cache.read('grid', 'k')).toBeUndefined();
    expect(existsSync(cache.folder('grid', 'k'))).toBe(false);
  });

  it('never shows a half-written artifact, and sweeps what an interrupted write left', () => {
    const cache = store();
    mkdirSync(`${cache.folder('icons', 'k')}.partial-1234-1`, { recursive: true });
    expect(cache.read('icons', 'k')).toBeUndefined();
    expect(cache.sweep()).toBe(1);
  });

  it('hashes equal content equally, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(hashOf({ a: 1, b: [1, 2] }, 'v1')).toBe(hashOf({ b: [1, 2], a: 1 }, 'v1'));
    expect(hashOf({ a: 1 }, 'v1')).not.toBe(hashOf({ a: 1 }, 'v2'));
    expect(hashOf(Uint8Array.of(1, 2))).not.toBe(hashOf(Uint8Array.of(2, 1)));
  });
});
