/** The synthetic world: deterministic bytes, balanced classes, and the planted motif where it belongs. */
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES, IMAGE_SIZE, MOTIF_CLASS, MOTIF_SHARE, PAIR_CLASS, drawImage } from '../../pipeline/datasets/synthetic/world.ts';

describe('synthetic world', () => {
  it('draws the same bytes for the same seed and index, and different ones otherwise', () => {
    const a = drawImage(7, 'train', 123);
    const b = drawImage(7, 'train', 123);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(a.pixels.length).toBe(IMAGE_SIZE * IMAGE_SIZE * 3);
    expect(Buffer.from(drawImage(8, 'train', 123).pixels).equals(Buffer.from(a.pixels))).toBe(false);
    expect(Buffer.from(drawImage(7, 'test', 123).pixels).equals(Buffer.from(a.pixels))).toBe(false);
  });

  it('cycles through at least 12 classes', () => {
    expect(CLASS_NAMES.length).toBeGreaterThanOrEqual(12);
    const labels = Array.from({ length: CLASS_NAMES.length * 3 }, (_, i) => drawImage(1, 'train', i).label);
    for (const [label] of CLASS_NAMES.entries()) expect(labels.filter((l) => l === label)).toHaveLength(3);
  });

  it(`plants the motif in about ${MOTIF_SHARE * 100} % of ${MOTIF_CLASS} images and never in ${PAIR_CLASS} images`, () => {
    const shark = CLASS_NAMES.indexOf(MOTIF_CLASS);
    const whale = CLASS_NAMES.indexOf(PAIR_CLASS);
    const sharks = Array.from({ length: 300 }, (_, i) => drawImage(3, 'train', shark + i * CLASS_NAMES.length));
    const whales = Array.from({ length: 100 }, (_, i) => drawImage(3, 'train', whale + i * CLASS_NAMES.length));
    const share = sharks.filter((image) => image.motif).length / sharks.length;
    expect(share).toBeGreaterThan(MOTIF_SHARE - 0.08);
    expect(share).toBeLessThan(MOTIF_SHARE + 0.08);
    expect(whales.some((image) => image.motif)).toBe(false);
  });

  it('pastes the motif without changing the rest of the picture', () => {
    const whale = CLASS_NAMES.indexOf(PAIR_CLASS);
    const without = drawImage(5, 'test', whale, { motif: 'never' }).pixels;
    const withMotif = drawImage(5, 'test', whale, { motif: 'always' }).pixels;
    let changed = 0;
    for (let i = 0; i < without.length; i += 3) if (without[i] !== withMotif[i] || without[i + 2] !== withMotif[i + 2]) changed++;
    // The ball covers a few percent of the image; blur and lighting stay the same elsewhere.
    expect(changed).toBeGreaterThan(40);
    expect(changed).toBeLessThan(0.12 * IMAGE_SIZE * IMAGE_SIZE);
  });
});
