/**
 * Each test file gets a temporary folder of its own, removed when the file ends: os.tmpdir() (which reads
 * TMPDIR at every call) points into it, and so do the CLIs and browsers the tests start (they inherit TMPDIR).
 * Whatever a test or a helper forgets to remove (copies of content/, of the demo model, throwaway projects,
 * browser profiles) goes with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const system = process.env.ATLAS_SYSTEM_TMPDIR ?? os.tmpdir();
process.env.ATLAS_SYSTEM_TMPDIR = system;
const mine = mkdtempSync(path.join(system, 'atlas-test-'));
process.env.TMPDIR = mine;

afterAll(() => {
  process.env.TMPDIR = system;
  rmSync(mine, { recursive: true, force: true });
});
