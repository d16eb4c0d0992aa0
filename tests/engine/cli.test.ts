/** The engine as the command line shows it: backend choice and model inspection. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureModels } from '../fixtures/models.ts';

const run = promisify(execFile);

async function atlas(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['pipeline/cli/atlas.ts', ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

let models: { mobilenet: string; inception: string };
beforeAll(async () => {
  models = await fixtureModels();
});

describe('atlas engine', () => {
  it('chooses wasm on a machine without native TensorFlow, saying why', async () => {
    const { code, stdout } = await atlas(['engine'], { ATLAS_BACKEND: 'auto', ATLAS_WORKERS: '2' });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(
      'backend: wasm, the best available (tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed (npm install @tensorflow/tfjs-node-gpu@4.22.0); tensorflow: @tensorflow/tfjs-node is not installed (npm install @tensorflow/tfjs-node@4.22.0)); 2 workers',
    );
  });

  it('obeys ATLAS_BACKEND, and says in one line when it cannot', async () => {
    expect((await atlas(['engine'], { ATLAS_BACKEND: 'cpu', ATLAS_WORKERS: '1' })).stdout.trim()).toBe('backend: cpu, set by ATLAS_BACKEND; 1 worker');
    const missing = await atlas(['engine'], { ATLAS_BACKEND: 'tensorflow-gpu' });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([
      "error: ATLAS_BACKEND=tensorflow-gpu cannot be used: tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed (npm install @tensorflow/tfjs-node-gpu@4.22.0); unset ATLAS_BACKEND or see the README's GPU section.",
    ]);
    const wrong = await atlas(['engine'], { ATLAS_BACKEND: 'gpu' });
    expect(wrong.stderr.trim()).toBe('error: ATLAS_BACKEND must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu; it is "gpu".');
  });
});

describe('atlas model inspect', () => {
  it('lists the layers of a model folder', async () => {
    const { code, stdout } = await atlas(['model', 'inspect', models.inception]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^name\s+op\s+output shape$/m);
    expect(stdout).toMatch(/^lrn1\s+LRN\s+\[N, 16, 16, 16\]$/m);
  });

  it('says in one line what is wrong with a folder that is not a model', async () => {
    const { code, stderr } = await atlas(['model', 'inspect', 'content']);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^error: .*content\/model\.json: not found; /);
  });
});
