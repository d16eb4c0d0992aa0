/** Every test file writes its temporary files into a folder of its own, removed when it ends (tests/helpers/temp-per-file.ts). */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('temporary folders in tests', () => {
  it('go into a folder of this test file, which the setup removes', () => {
    const system = process.env.ATLAS_SYSTEM_TMPDIR!;
    expect(system).toBeDefined();
    expect(path.dirname(os.tmpdir())).toBe(system);
    expect(path.basename(os.tmpdir())).toMatch(/^atlas-test-/);
    const made = mkdtempSync(path.join(os.tmpdir(), 'left-behind-'));
    expect(existsSync(made)).toBe(true);
    expect(made.startsWith(os.tmpdir() + path.sep)).toBe(true);
  });
});
