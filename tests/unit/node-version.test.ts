/** The oldest Node.js the project runs on (pipeline/node-version.ts), and the CLI's refusal of an older one. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, nodeTooOld } from '../../pipeline/node-version.ts';

describe('the oldest Node.js', () => {
  it('is what the lockfile’s packages need, and package.json says so', async () => {
    const lock = (await import('../../package-lock.json', { with: { type: 'json' } })).default as {
      packages: Record<string, { engines?: { node?: string }; dev?: boolean }>;
    };
    const semver = (await import('semver')).default;
    for (const [name, info] of Object.entries(lock.packages)) {
      const range = info.engines?.node;
      // Dev-only packages (the browser tests' drivers) may want a later 20.x; undici 8 (an optional font provider of Astro's) wants 22.
      if (!range || info.dev || name.endsWith('node_modules/undici')) continue;
      expect(semver.satisfies(MINIMUM_NODE, range), `${name} needs ${range}`).toBe(true);
    }
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { engines: { node: string } };
    expect(semver.minVersion(pkg.engines.node)!.version).toBe(MINIMUM_NODE);
  });

  it('refuses an older Node.js with one sentence', () => {
    expect(nodeTooOld('20.3.1')).toBe(
      `Node.js 20.3.1 is too old: atlas articles needs ${MINIMUM_NODE} or newer (the current LTS is best); install it, for example with nvm install --lts.`,
    );
    expect(nodeTooOld('18.20.8')).toBeDefined();
    expect(nodeTooOld(MINIMUM_NODE)).toBeUndefined();
    expect(nodeTooOld('22.1.0')).toBeUndefined();
  });

  it('is checked by the CLI before anything else', () => {
    // Node.js reports its own version; a preload script (after tsx's, which reads the real one) pretends to be older.
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.3.0"})',
        path.resolve('pipeline/cli/atlas.ts'),
        'status',
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: Node.js 20.3.0 is too old: atlas articles needs ${MINIMUM_NODE} or newer (the current LTS is best); install it, for example with nvm install --lts.`,
    );
  });
});
