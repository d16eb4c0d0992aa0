/**
 * The Astro integration that runs `atlas build` (content checks, then every recipe's stale stages) before
 * `astro build` and `astro dev`, so `npm run build` and `npm run dev` are plain Astro commands. In dev it also
 * reruns the pipeline when a recipe changes. It runs in a child process: the pipeline loads TensorFlow.js and
 * a worker pool that have no business in Astro's process, and a failure ends with the CLI's one-line messages.
 */
import { nodeTooOld } from '../node-version.ts';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function runPipeline(args: string[] = []): Promise<number> {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join(ROOT, 'pipeline', 'cli', 'atlas.ts'), 'build', ...args], { cwd: ROOT, stdio: 'inherit', env: process.env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

export default function atlasPipeline(): AstroIntegration {
  let running: Promise<number> | undefined;
  const run = async (logger: AstroIntegrationLogger, args: string[] = []) => {
    // One run at a time; a change during a run waits for it and runs again.
    while (running) await running;
    running = runPipeline(args);
    try {
      const code = await running;
      if (code !== 0) logger.error('atlas build failed; see the lines above.');
      return code;
    } finally {
      running = undefined;
    }
  };
  return {
    name: 'atlas-pipeline',
    hooks: {
      'astro:config:setup': async ({ command, logger }) => {
        if (command !== 'build' && command !== 'dev') return;
        const tooOld = nodeTooOld();
        if (tooOld) throw new Error(tooOld);
        const code = await run(logger);
        // A build must not go on with stale or missing atlases; dev keeps serving and says what failed.
        if (code !== 0 && command === 'build') throw new Error('atlas build failed (see the lines above); fix the named file and build again.');
      },
      'astro:server:setup': ({ server, logger }) => {
        const recipes = path.join(ROOT, 'content', 'atlases');
        server.watcher.add(recipes);
        server.watcher.on('change', async (file) => {
          if (!file.startsWith(recipes) || !/\.(ya?ml|json)$/.test(file)) return;
          logger.info(`${path.relative(ROOT, file)} changed: running its stale stages`);
          if ((await run(logger, [file])) === 0) server.ws.send({ type: 'full-reload' });
        });
      },
    },
  };
}
