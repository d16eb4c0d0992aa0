/** Users' images: folders and manifests, and every way a file can be unusable. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFolder, listManifest } from '../../pipeline/datasets/sources.ts';
import { decodeEntry, requireUsable } from '../../pipeline/datasets/decode.ts';
import { preprocessSchema } from '../../pipeline/models/preprocess.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const preprocess = preprocessSchema.parse({ size: 16, resize: 'crop' });
const ODD_NAME = `a 'quoted' "name" ü 漢.png`;

const solid = (width: number, height: number, colour = { r: 200, g: 40, b: 40 }) => sharp({ create: { width, height, channels: 3, background: colour } });

beforeAll(async () => {
  for (const folder of ['good', 'broken']) mkdirSync(path.join(root, folder), { recursive: true });
  const good = (name: string) => path.join(root, 'good', name);
  const broken = (name: string) => path.join(root, 'broken', name);
  await solid(32, 32).png().toFile(good('plain.png'));
  await solid(32, 32).toColourspace('b-w').png().toFile(good('grayscale.png'));
  await solid(32, 32).ensureAlpha(0.5).png().toFile(good('alpha.png'));
  await solid(32, 32).toColourspace('cmyk').jpeg().toFile(good('cmyk.jpg'));
  await solid(32, 32).toColourspace('rgb16').png().toFile(good('sixteen-bit.png'));
  await solid(20000, 100, { r: 30, g: 160, b: 60 }).png().toFile(good('panorama.png'));
  await solid(32, 32, { r: 10, g: 20, b: 240 }).png().toFile(good(ODD_NAME));
  // 40×20, left half red and right half blue, stored with EXIF orientation 6 (turn 90° clockwise to view).
  await solid(40, 20, { r: 255, g: 0, b: 0 })
    .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 0, b: 255 } } }, left: 20, top: 0 }])
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(good('rotated.jpg'));
  writeFileSync(broken('empty.jpg'), '');
  const png = await sharp({
    create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .png()
    .toBuffer();
  writeFileSync(broken('truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(broken('notes.jpg'), 'these are notes, not a photo\n');
  await solid(1, 1).png().toFile(broken('tiny.png'));
  writeFileSync(path.join(root, 'stray.png'), '');
  writeFileSync(path.join(root, 'good', 'readme.txt'), 'not an image');
});

describe('image sources', () => {
  it('lists a folder of class sub-folders, noting files that are not images', () => {
    const { entries, skipped } = listFolder(root);
    expect(
      entries
        .filter((e) => e.label === 'good')
        .map((e) => path.basename(e.file))
        .sort(),
    ).toEqual(['alpha.png', 'cmyk.jpg', 'grayscale.png', 'panorama.png', 'plain.png', 'rotated.jpg', 'sixteen-bit.png', ODD_NAME].sort());
    expect(skipped.map((s) => [path.relative(root, s.file), s.reason])).toEqual([
      [path.join('good', 'readme.txt'), 'not an image file name (.txt)'],
      ['stray.png', 'not inside a class sub-folder'],
    ]);
  });

  it('decodes every colour model and depth to 8-bit RGB at the model size', async () => {
    const { entries } = listFolder(root);
    for (const entry of entries.filter((e) => e.label === 'good')) {
      const decoded = await decodeEntry(entry, preprocess);
      expect(decoded.ok, path.basename(entry.file)).toBe(true);
      if (decoded.ok) expect(decoded.pixels.length).toBe(16 * 16 * 3);
    }
    const plain = await decodeEntry({ file: path.join(root, 'good', 'grayscale.png'), label: 'good' }, preprocess);
    if (!plain.ok) throw new Error('expected the grayscale image to decode');
    expect(plain.pixels[0]).toBe(plain.pixels[1]);
  });

  it('applies EXIF orientation', async () => {
    const tall = preprocessSchema.parse({ size: [40, 20], resize: 'stretch' });
    const decoded = await decodeEntry({ file: path.join(root, 'good', 'rotated.jpg'), label: 'good' }, tall);
    if (!decoded.ok) throw new Error(decoded.skipped.reason);
    const top = decoded.pixels.subarray(0, 3);
    const bottom = decoded.pixels.subarray((39 * 20 + 10) * 3, (39 * 20 + 10) * 3 + 3);
    expect(top[0]).toBeGreaterThan(200); // red on top after turning
    expect(bottom[2]).toBeGreaterThan(200); // blue at the bottom
  });

  it('skips broken files, each with its reason', async () => {
    const { entries } = listFolder(root);
    const reasons: Record<string, string> = {};
    for (const entry of entries.filter((e) => e.label === 'broken')) {
      const decoded = await decodeEntry(entry, preprocess);
      expect(decoded.ok, path.basename(entry.file)).toBe(false);
      if (!decoded.ok) reasons[path.basename(entry.file)] = decoded.skipped.reason;
    }
    expect(reasons['empty.jpg']).toBe('empty file (0 bytes)');
    expect(reasons['notes.jpg']).toMatch(/^not a readable image \(/);
    expect(reasons['truncated.png']).toMatch(/^(truncated or corrupt|not a readable image) \(/);
    expect(reasons['tiny.png']).toBe('too small (1×1 px; at least 8×8 needed)');
  });

  it('reads CSV and JSON Lines manifests, refusing paths outside the data folder and reporting missing files', () => {
    const csv = path.join(root, 'manifest.csv');
    writeFileSync(csv, `path,label\ngood/plain.png,red\n"good/${ODD_NAME.replace(/"/g, '""')}",blue\ngood/gone.png,red\n`);
    const { entries, skipped } = listManifest(csv, root);
    expect(entries.map((e) => [path.basename(e.file), e.label])).toEqual([
      ['plain.png', 'red'],
      [ODD_NAME, 'blue'],
    ]);
    expect(skipped).toEqual([{ file: path.join(root, 'good', 'gone.png'), reason: `missing (listed on ${csv}:4)` }]);

    const jsonl = path.join(root, 'manifest.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ path: 'good/cmyk.jpg', label: 'cyan' })}\n${JSON.stringify({ path: '../outside.png', label: 'x' })}\n`);
    expect(() => listManifest(jsonl, root)).toThrowError(new RegExp(`manifest\\.jsonl:2: the path \\.\\./outside\\.png leads outside the data folder`));
    expect(readFileSync(jsonl, 'utf8')).toContain('cyan');
  });

  it('refuses a manifest row that leads out of the data folder through a symbolic link', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'atlas-outside-'));
    try {
      writeFileSync(path.join(outside, 'secret.png'), 'x');
      symlinkSync(outside, path.join(root, 'linked'));
      const csv = path.join(root, 'linked.csv');
      writeFileSync(csv, 'path,label\nlinked/secret.png,red\n');
      expect(() => listManifest(csv, root)).toThrowError(/linked\.csv:2: the path linked\/secret\.png leads outside the data folder/);
    } finally {
      rmSync(path.join(root, 'linked'), { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('fails only when too few images remain, saying how many and why', () => {
    expect(() => requireUsable('data/photos', 40, 0, 16, 'UMAP with 15 neighbours')).not.toThrow();
    expect(() => requireUsable('data/photos', 3, 4, 16, 'UMAP with 15 neighbours')).toThrowError(
      'data/photos: only 3 usable images (4 skipped, listed in the data report); UMAP with 15 neighbours needs at least 16. Add images or lower that setting.',
    );
  });
});
