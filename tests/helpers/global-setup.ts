/**
 * Builds the example site once for the whole test run, exactly as `npm run build` does (content check, then
 * astro build), under a non-root base so that every test also checks base-path handling.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { TEST_BASE, TEST_OUT_DIR, TEST_SITE } from './site-build.ts';

export default function setup(): void {
  rmSync(TEST_OUT_DIR, { recursive: true, force: true });
  const env = { ...process.env, ATLAS_BASE: TEST_BASE, ATLAS_SITE: TEST_SITE, ATLAS_OUT_DIR: TEST_OUT_DIR };
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { env, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`The test build of the example site failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}
