/**
 * Builds the example site once for the whole test run, exactly as `npm run build` does (content check, then
 * astro build), under a non-root base so that every test also checks base-path handling. Atlases come from
 * fixtures (tests/helpers/fixture-public.ts) in a public folder of their own, and the fixture pages
 * (src/pages/fixtures/) are built too.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeFixturePublic } from './fixture-public.ts';

export default async function setup(): Promise<() => void> {
  // Set before site-build.ts is read here or by any test worker (they inherit the environment).
  process.env.ATLAS_TEST_OUT_DIR ??= path.resolve(`tests/.tmp/site-${process.pid}`);
  const { TEST_BASE, TEST_OUT_DIR, TEST_SITE } = await import('./site-build.ts');
  // Fixture models are written once here rather than by test files racing each other.
  const { fixtureModels } = await import('../fixtures/models.ts');
  await fixtureModels();

  rmSync(TEST_OUT_DIR, { recursive: true, force: true });
  // The stages have tests of their own: the test build skips the pipeline and reads fixture atlases instead.
  const publicDir = await writeFixturePublic();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ATLAS_BASE: TEST_BASE,
    ATLAS_SITE: TEST_SITE,
    ATLAS_OUT_DIR: TEST_OUT_DIR,
    ATLAS_PIPELINE: 'off',
    ATLAS_PUBLIC_DIR: publicDir,
    ATLAS_FIXTURE_PAGES: 'on',
  };
  // Vitest puts Vite's import.meta.env values (BASE_URL=/ among them) into process.env; Astro would read them
  // back as the site's own and ignore the configured base.
  for (const name of ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'SITE', 'ASSETS_PREFIX']) delete env[name];
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { env, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`The test build of the example site failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
  return () => rmSync(TEST_OUT_DIR, { recursive: true, force: true });
}
