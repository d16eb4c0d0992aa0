/**
 * A cached stage result is reused while its code version is unchanged. A change to a stage's code that can alter
 * its numbers must bump that version, or a cache from the old code keeps being reused: that machine's atlases then
 * differ from a fresh clone's. This happened once, with the layout.
 *
 * This test holds a fingerprint of each stage's code next to the version it was recorded with. The code is every
 * project file reachable by imports from the stage's entry module (tests/helpers/import-graph.ts: a new helper is
 * in the fingerprint the moment a stage imports it), comments and blank space ignored, plus the locked version
 * of every package those files import. When it fails, decide whether the stage's output can change: if so, bump
 * the version. Either way, record the new fingerprint and version below.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_GRID_VERSION } from '../../pipeline/stages/activation-grid/stage.ts';
import { ACTIVATIONS_VERSION } from '../../pipeline/stages/activations/stage.ts';
import { GRID_VERSION } from '../../pipeline/stages/grid/keys.ts';
import { ICONS_VERSION } from '../../pipeline/icons/stage.ts';
import { LAYOUT_VERSION } from '../../pipeline/stages/layout/keys.ts';
import { LEGIBILITY_VERSION } from '../../pipeline/stages/legibility/stage.ts';
import { PATCHES_VERSION } from '../../pipeline/stages/patches/stage.ts';
import { RENDER_VERSION } from '../../pipeline/stages/render/keys.ts';
import { STAGE_VERSIONS } from '../../pipeline/stages/versions.ts';
import { importClosure, importsOf, lockedVersion, ROOT } from '../helpers/import-graph.ts';

/**
 * Each cached stage: its version constant and the modules that compute what the cache keeps. The render draws
 * the data-set examples with the crops views/stage.ts hands it (datasets/crop.ts); an activation grid's cache
 * keeps only its image's forward pass (its icons are the icons stage's).
 */
const STAGES = {
  activations: { constant: 'ACTIVATIONS_VERSION', version: ACTIVATIONS_VERSION, entries: ['pipeline/stages/activations/stage.ts'] },
  'activation-grid': { constant: 'ACTIVATION_GRID_VERSION', version: ACTIVATION_GRID_VERSION, entries: ['pipeline/stages/activation-grid/tasks.ts'] },
  layout: { constant: 'LAYOUT_VERSION', version: LAYOUT_VERSION, entries: ['pipeline/stages/layout/stage.ts'] },
  grid: { constant: 'GRID_VERSION', version: GRID_VERSION, entries: ['pipeline/stages/grid/stage.ts'] },
  icons: { constant: 'ICONS_VERSION', version: ICONS_VERSION, entries: ['pipeline/icons/stage.ts'] },
  render: { constant: 'RENDER_VERSION', version: RENDER_VERSION, entries: ['pipeline/stages/render/stage.ts', 'pipeline/datasets/crop.ts'] },
  patches: { constant: 'PATCHES_VERSION', version: PATCHES_VERSION, entries: ['pipeline/stages/patches/stage.ts'] },
  legibility: { constant: 'LEGIBILITY_VERSION', version: LEGIBILITY_VERSION, entries: ['pipeline/stages/legibility/stage.ts'] },
};

const RECORDED: Record<keyof typeof STAGES, { version: number; fingerprint: string }> = {
  activations: { version: 2, fingerprint: 'bc887b1df576bc24' },
  'activation-grid': { version: 1, fingerprint: 'c56e5fe53b396731' },
  layout: { version: 5, fingerprint: 'c9324b057865275f' },
  grid: { version: 2, fingerprint: '1aecf89e8b55aa10' },
  icons: { version: 2, fingerprint: '16b5fcb256ce6a37' },
  render: { version: 1, fingerprint: '9ef1edba8af9c225' },
  patches: { version: 2, fingerprint: 'e4b44bfb4b698373' },
  legibility: { version: 1, fingerprint: 'c259527f6bf48592' },
};

/** The code without comments and blank space, so that rewording a comment needs no new fingerprint. */
function normalized(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s+/g, ' ');
}

function fingerprint(entries: string[]): string {
  const { files, packages } = importClosure(entries);
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(normalized(file)).update('\0');
  for (const name of packages) hash.update(`${name}@${lockedVersion(name)}\0`);
  return hash.digest('hex').slice(0, 16);
}

describe('stage code versions', () => {
  for (const [stage, { constant, version, entries }] of Object.entries(STAGES)) {
    it(`${stage}: ${constant} is bumped when its code changes`, () => {
      const now = fingerprint(entries);
      const recorded = RECORDED[stage as keyof typeof STAGES];
      const advice =
        `The code ${entries.join(' and ')} import${entries.length > 1 ? '' : 's'} changed since ${constant} ${recorded.version} was recorded. If the change can alter the stage's output, ` +
        `bump ${constant}; then record { version: ${version}, fingerprint: '${now}' } for ${stage} in tests/unit/stage-versions.test.ts.`;
      expect({ version, fingerprint: now }, advice).toEqual(recorded);
    });
  }

  it('covers every cached stage', () => {
    expect(Object.keys(STAGES).sort()).toEqual(Object.keys(STAGE_VERSIONS).sort());
  });

  it('follows imports, worker task modules and packages, and leaves out type-only imports', () => {
    const layout = importClosure(STAGES.layout.entries);
    // The helpers the audit found outside the hand-kept lists: view sample choice, the seeded Random, cache hashing.
    for (const file of [
      'pipeline/stages/layout/view-samples.ts',
      'pipeline/random.ts',
      'pipeline/stages/layout/tasks.ts',
      'pipeline/stages/layout/umap.ts',
      'pipeline/stages/layout/nn-descent.ts',
      'pipeline/stages/row-blocks.ts',
    ])
      expect(layout.files).toContain(file);
    expect(layout.packages).toContain('umap-js');
    // The icons' worker tasks, and the backend with its own kernels that any TensorFlow.js code runs on.
    expect(importClosure(STAGES.icons.entries).files).toEqual(
      expect.arrayContaining([
        'pipeline/icons/tasks.ts',
        'pipeline/featurevis/render.ts',
        'pipeline/engine/backend.ts',
        'pipeline/engine/wasm-kernels/conv-backprop.ts',
      ]),
    );
    // grid/stage.ts imports CellRecord from published/format.ts as a type only.
    expect(importsOf(STAGES.grid.entries[0]!).files).not.toContain('pipeline/published/format.ts');
  });
});
