/** Builds killed at a chosen point of their progress, for the interrupted-build tests. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const TSX = path.resolve('node_modules/.bin/tsx');
export const ATLAS_CLI = path.resolve('pipeline/cli/atlas.ts');

/**
 * Runs `atlas build` in `root` (with `args`) and kills it (SIGKILL) at the first output line `at` says yes to.
 * `killedAt` is that line, or undefined when the build ended first.
 */
export function buildKilledAt(
  root: string,
  env: NodeJS.ProcessEnv,
  at: (line: string) => boolean,
  args: string[] = [],
): Promise<{ killedAt?: string; code: number | null; output: string }> {
  return new Promise((resolve) => {
    // A process group of its own: tsx runs the CLI in a child process, which a kill of tsx alone would orphan.
    const child = spawn(TSX, [ATLAS_CLI, 'build', '--root', root, ...args], { env, detached: true });
    let output = '';
    let pending = '';
    let killedAt: string | undefined;
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (killedAt === undefined && at(line)) {
          killedAt = line;
          process.kill(-child.pid!, 'SIGKILL');
        }
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('close', (code) => resolve({ ...(killedAt !== undefined ? { killedAt } : {}), code, output }));
  });
}
