/**
 * The sharded build's orchestration, checked statically: the GitHub Actions workflow and the Kubernetes Jobs
 * parse, run the phases in order, call only real `atlas` subcommands and flags, and hand their cache archives
 * from phase to phase under names that line up.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { parseShard } from '../../pipeline/stages/shard.ts';

const SUBCOMMANDS: Record<string, string[]> = { build: ['--shard', '--phase'], cache: ['--stage'], plan: ['--json'], status: [] };
const STAGES = ['activations', 'layout', 'grid', 'icons', 'legibility', 'patches', 'render'];

/** Checks one `npm run atlas -- …` command line; returns its subcommand and arguments. */
function checkAtlasCommand(line: string, shards: number): { sub: string; args: string[] } {
  // A matrix job's shard is its matrix value: check the command as shard 1 would run it.
  const [sub, ...args] = line
    .replace(/^npm run atlas -- /, '')
    .replace(/\$\{\{ matrix\.shard \}\}/g, '1')
    .split(/\s+/);
  expect(Object.keys(SUBCOMMANDS), line).toContain(sub);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) continue;
    expect(SUBCOMMANDS[sub!], `${line}: ${arg}`).toContain(arg);
    const value = args[i + 1]!;
    if (arg === '--shard') expect(() => parseShard(value, arg)).not.toThrow();
    if (arg === '--shard') expect(value.endsWith(`/${shards}`), line).toBe(true);
    if (arg === '--phase') expect(value).toBe('layout');
    if (arg === '--stage') expect(STAGES).toContain(value);
  }
  if (sub === 'cache') expect(['export', 'import']).toContain(args[0]);
  return { sub: sub!, args };
}

describe('the sharded workflow on GitHub Actions', () => {
  type Step = { run?: string; uses?: string; with?: Record<string, string | number | boolean> };
  type Job = { needs?: string | string[]; strategy?: { matrix: { shard: number[] } }; steps: Step[] };
  const workflow = parseYaml(readFileSync('.github/workflows/atlas-shards.yml', 'utf8')) as { jobs: Record<string, Job> };
  const jobs = workflow.jobs;
  const needs = (job: string): string[] => [jobs[job]!.needs ?? []].flat();

  it('runs the tests, then the four phases in order, then deploys', () => {
    expect(needs('activations')).toEqual(['test']);
    expect(needs('layout')).toEqual(['activations']);
    expect(needs('icons')).toEqual(['layout']);
    expect(needs('publish')).toEqual(['icons']);
    expect(needs('deploy')).toEqual(['publish']);
    expect(jobs.test!.steps.some((step) => step.run === 'npm test')).toBe(true);
  });

  it('calls real atlas subcommands and flags, with one shard per matrix entry', () => {
    for (const [name, job] of Object.entries(jobs)) {
      const shards = job.strategy?.matrix.shard.length ?? 4;
      if (job.strategy) expect(job.strategy.matrix.shard).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
      for (const step of job.steps) if (step.run?.startsWith('npm run atlas -- ')) checkAtlasCommand(step.run, shards);
      if (name === 'layout') expect(job.steps.map((s) => s.run)).toContain('npm run atlas -- build --phase layout');
    }
  });

  it('downloads only archives that an earlier phase uploaded, and imports what it downloads', () => {
    const uploads = (job: string): string[] =>
      jobs[job]!.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')).flatMap((s) => {
        const name = String(s.with!.name);
        const shards = jobs[job]!.strategy?.matrix.shard ?? [];
        return name.includes('${{ matrix.shard }}') ? shards.map((k) => name.replace('${{ matrix.shard }}', String(k))) : [name];
      });
    const upstream = (job: string): string[] => needs(job).flatMap((before) => [before, ...upstream(before)]);
    for (const name of Object.keys(jobs)) {
      const available = upstream(name).flatMap(uploads);
      for (const step of jobs[name]!.steps.filter((s) => s.uses?.startsWith('actions/download-artifact'))) {
        const wanted = String(step.with!.name ?? step.with!.pattern);
        const pattern = new RegExp(`^${wanted.replace(/\*/g, '.*')}$`);
        expect(available.filter((upload) => pattern.test(upload)).length, `${name} downloads ${wanted}`).toBeGreaterThan(0);
        if (step.with!.pattern) expect(step.with!['merge-multiple']).toBe(true);
        expect(jobs[name]!.steps.some((s) => s.run?.startsWith('npm run atlas -- cache import'))).toBe(true);
      }
    }
  });
});

describe('the Kubernetes Jobs', () => {
  const volume = parseYaml(readFileSync('examples/kubernetes/cache-volume.yaml', 'utf8')) as {
    kind: string;
    metadata: { name: string };
    spec: { accessModes: string[] };
  };

  it('share a ReadWriteMany cache volume', () => {
    expect(volume).toMatchObject({ kind: 'PersistentVolumeClaim', metadata: { name: 'atlas-cache' }, spec: { accessModes: ['ReadWriteMany'] } });
  });

  for (const kind of ['cpu', 'gpu']) {
    it(`(${kind}) run the four phases, the sharded ones as Indexed Jobs with ATLAS_SHARDS = completions`, () => {
      type Container = {
        command: string[];
        env: { name: string; value: string }[];
        resources: { limits?: Record<string, unknown> };
        volumeMounts: { mountPath: string }[];
      };
      type K8sJob = {
        kind: string;
        metadata: { name: string };
        spec: {
          completions?: number;
          completionMode?: string;
          template: { spec: { containers: Container[]; volumes: { persistentVolumeClaim: { claimName: string } }[] } };
        };
      };
      const documents = parseAllDocuments(readFileSync(`examples/kubernetes/${kind}/jobs.yaml`, 'utf8')).map((doc) => doc.toJS() as K8sJob);
      expect(documents.map((doc) => doc.metadata.name)).toEqual(['atlas-activations', 'atlas-layout', 'atlas-icons', 'atlas-publish']);
      for (const job of documents) {
        expect(job.kind).toBe('Job');
        const container = job.spec.template.spec.containers[0]!;
        const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
        expect(env.ATLAS_CACHE_DIR).toBe('/cache');
        expect(container.volumeMounts[0]!.mountPath).toBe('/cache');
        expect(job.spec.template.spec.volumes[0]!.persistentVolumeClaim.claimName).toBe(volume.metadata.name);
        const sharded = job.metadata.name === 'atlas-activations' || job.metadata.name === 'atlas-icons';
        if (sharded) {
          expect(job.spec.completionMode).toBe('Indexed');
          expect(Number(env.ATLAS_SHARDS)).toBe(job.spec.completions);
        } else {
          expect(job.spec.completionMode).toBeUndefined();
          expect(env.ATLAS_SHARDS).toBeUndefined();
        }
        const line = container.command.join(' ');
        if (line.startsWith('npm run atlas -- ')) checkAtlasCommand(line, job.spec.completions ?? 1);
        else expect(line).toBe('npm run build');
        if (kind === 'gpu') expect(container.resources.limits?.['nvidia.com/gpu']).toBe(1);
        else expect(container.resources.limits?.['nvidia.com/gpu']).toBeUndefined();
      }
    });
  }
});
