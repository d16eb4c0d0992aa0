import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The browser and link tests share one site build (tests/helpers/site-build.ts), made once per run.
    globalSetup: ['tests/helpers/global-setup.ts'],
    // A temporary folder per test file, removed when it ends (tests/helpers/temp-per-file.ts).
    setupFiles: ['tests/helpers/temp-per-file.ts'],
    testTimeout: 30_000,
    // Browser checks poll for what an engine draws; on a loaded 2-core machine WebKit can take seconds.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 240_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
