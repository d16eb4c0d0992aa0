/**
 * A cached stage result is reused while its code version is unchanged. A change to a stage's code that can alter
 * its numbers must bump that version, or a cache from the old code keeps being reused: that machine's atlases then
 * differ from a fresh clone's. This happened once, with the layout. This test holds a fingerprint of each stage's
 * code (comments and blank space ignored) next to the version it was recorded with, so a code change cannot pass
 * unnoticed. When it fails, decide whether the stage's output can change: if so, bump the version. Either way,
 * record the new fingerprint and version below.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS_VERSION } from '../../pipeline/stages/activations/stage.ts';
import { ICONS_VERSION } from '../../pipeline/stages/icons/stage.ts';
import { LEGIBILITY_VERSION } from '../../pipeline/stages/legibility/stage.ts';
import { PATCHES_VERSION } from '../../pipeline/stages/patches/stage.ts';
import { GRID_VERSION, LAYOUT_VERSION, RENDER_VERSION } from '../../pipeline/stages/views/stage.ts';

const STAGES = {
  activations: { constant: 'ACTIVATIONS_VERSION', version: ACTIVATIONS_VERSION, sources: ['pipeline/stages/activations', 'pipeline/models', 'pipeline/datasets', 'pipeline/engine'] },
  layout: { constant: 'LAYOUT_VERSION', version: LAYOUT_VERSION, sources: ['pipeline/stages/layout'] },
  grid: { constant: 'GRID_VERSION', version: GRID_VERSION, sources: ['pipeline/stages/grid'] },
  icons: { constant: 'ICONS_VERSION', version: ICONS_VERSION, sources: ['pipeline/stages/icons', 'pipeline/featurevis', 'pipeline/models', 'pipeline/engine'] },
  render: { constant: 'RENDER_VERSION', version: RENDER_VERSION, sources: ['pipeline/stages/render'] },
  patches: { constant: 'PATCHES_VERSION', version: PATCHES_VERSION, sources: ['pipeline/stages/patches'] },
  legibility: { constant: 'LEGIBILITY_VERSION', version: LEGIBILITY_VERSION, sources: ['pipeline/stages/legibility'] },
};

const RECORDED: Record<keyof typeof STAGES, { version: number; fingerprint: string }> = {
  activations: { version: 2, fingerprint: '24c9b33d05a95492' },
  layout: { version: 2, fingerprint: 'b717c41d90f63818' },
  grid: { version: 2, fingerprint: '47a8c4b9c40c0be9' },
  icons: { version: 2, fingerprint: '2fc142acd62be2be' },
  render: { version: 1, fingerprint: '99827b7a04861e4b' },
  patches: { version: 2, fingerprint: 'a5a2f6a06b570a96' },
  legibility: { version: 1, fingerprint: 'd4743698f9ad9d6c' },
};

function files(source: string): string[] {
  if (!statSync(source).isDirectory()) return [source];
  return readdirSync(source, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(source, entry))
    .filter((file) => /\.(ts|mjs|js)$/.test(file))
    .sort();
}

/** The code without comments and blank space, so that rewording a comment needs no new fingerprint. */
function fingerprint(sources: string[]): string {
  const hash = createHash('sha256');
  for (const file of sources.flatMap(files)) {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/\s+/g, ' ');
    hash.update(file.split(path.sep).join('/')).update(code);
  }
  return hash.digest('hex').slice(0, 16);
}

describe('stage code versions', () => {
  for (const [stage, { constant, version, sources }] of Object.entries(STAGES)) {
    it(`${stage}: ${constant} is bumped when its code changes`, () => {
      const now = fingerprint(sources);
      const recorded = RECORDED[stage as keyof typeof STAGES];
      const advice =
        `${sources.join(', ')} changed since ${constant} ${recorded.version} was recorded. If the change can alter the stage's output, ` +
        `bump ${constant}; then record { version: ${version}, fingerprint: '${now}' } for ${stage} in tests/unit/stage-versions.test.ts.`;
      expect({ version, fingerprint: now }, advice).toEqual(recorded);
    });
  }
});
