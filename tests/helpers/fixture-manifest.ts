/**
 * Manifests for tests, built through the pipeline's own types (pipeline/published/manifest.ts): the compiler
 * refuses a fixture that drifts from what pipeline/stages/run.ts writes. The parameters are a real recipe's,
 * with the schema's defaults filled in; every other field holds a value that says it is a fixture.
 */
import { createHash } from 'node:crypto';
import type { AtlasManifest, ViewEntry, ViewReport } from '../../pipeline/published/manifest.ts';
import { recipeSchema } from '../../pipeline/recipes/schema.ts';
import type { LayoutParams } from '../../pipeline/stages/layout/layout.ts';

/** The recipe the fixture manifests' parameters come from (a small demo recipe). */
const FIXTURE_RECIPE = recipeSchema.parse({
  model: 'content/models/demo',
  preprocess: { size: 64, range: [0, 1] },
  data: { synthetic: { seed: 7, split: 'test' }, count: 3000 },
  layers: ['mixed4b'],
  attribution: { topK: 5, classes: ['whale', 'shark'] },
  layout: { neighbors: 15, minDist: 0.1, metric: 'cosine', pca: 20, seed: 7, margin: 0.1 },
  grids: { sizes: [4, 8, 16, 32], minCount: 5 },
  icons: { size: 64, steps: 8 },
  render: { cellPixels: 96 },
});

/** "fixture <what>", hashed: a SHA-256 that says where it came from. */
export const fixtureHash = (what: string) => createHash('sha256').update(`fixture ${what}`).digest('hex');

/** The layout parameters a fixture view reports (the recipe's, as layoutParamsFor gives them). */
export const FIXTURE_LAYOUT: LayoutParams = { ...FIXTURE_RECIPE.layout };

/** A view's results as the pipeline measures them, with fixture numbers where `measured` says nothing. */
export function fixtureViewReport(id: string, measured: Partial<ViewReport> & Pick<ViewReport, 'samples' | 'grids'>): ViewReport {
  return {
    id,
    homeGrid: measured.grids.at(-1)?.size ?? 0,
    render: { files: 0, bytes: 0, levels: [], key: fixtureHash(`render ${id}`) },
    icons: { computed: 0, total: measured.grids.reduce((sum, grid) => sum + grid.cells, 0) },
    seconds: { layout: 0, grids: 0, icons: 0, render: 0 },
    computedSeconds: {},
    computed: [],
    ...measured,
  };
}

/** A whole manifest: `fields` over fixture values for everything the pipeline records. */
export function fixtureManifest(fields: Partial<AtlasManifest> & Pick<AtlasManifest, 'id' | 'labels' | 'views'>): AtlasManifest {
  const views: Record<string, ViewEntry> = fields.views;
  const { preprocess, data, sampling, attribution, grids, icons, render } = FIXTURE_RECIPE;
  return {
    format: 1,
    title: 'A fixture atlas',
    recipe: { file: `content/atlases/${fields.id}.yaml`, sha256: fixtureHash('recipe') },
    model: { folder: 'content/models/demo', sha256: fixtureHash('model') },
    focusClasses: attribution.classes,
    images: { count: data.count, skipped: 0, accuracy: 0.9 },
    parameters: { preprocess, data, sampling, attribution, grids, icons, render },
    activationGrids: {},
    neurons: {},
    patchExperiments: {},
    layouts: Object.fromEntries(Object.keys(views).map((id) => [id, FIXTURE_LAYOUT])),
    results: {},
    totals: { files: 0, bytes: 0 },
    versions: { stages: { activations: 2, layout: 2, grid: 2, icons: 2, render: 1 }, tfjs: '4.22.0', sharp: '0.34.5', node: process.version },
    backend: 'backend: none, a test fixture (tests/helpers/fixture-manifest.ts); nothing was computed',
    stages: [
      { stage: 'activations', status: 'cached', seconds: 0.1, detail: 'fixture' },
      ...Object.keys(views).map((view) => ({ stage: 'view', view, status: 'cached' as const, seconds: 0.02, detail: 'all cached' })),
    ],
    ...fields,
  };
}
