import path from 'node:path';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import { VFile } from 'vfile';
import remarkAtlasFigures from '../../pipeline/markdown/remark-atlas-figures.ts';
import { methodsOf, type MethodsManifest } from '../../src/lib/methods.ts';
import { count, megabytes, seconds } from '../../src/lib/prose.ts';

const RENDER_KEY = '095fb378b767ed8cb094df5853e8093228a69758438e6af856041dabb7acf5cd';
const layout = { neighbors: 50, minDist: 0.05, metric: 'cosine' as const, pca: 50, seed: 1, clipPercentiles: [1, 99], margin: 0.1 };
/** A field a newer pipeline might add: the appendix still lists it. */
const newerIcons = { jitter: 4 };

/** The shape pipeline/stages/run.ts writes, with the demo's values (two views of the six). */
const full: MethodsManifest = {
  id: 'demo',
  title: 'The demo network, trained on the synthetic world',
  recipe: { file: 'content/atlases/demo.yaml', sha256: 'dc129aafeafcf8353fb8544943ec79398fd28be797dabbf52ef1f17f938d3f68' },
  model: { folder: 'content/models/demo', sha256: '27be3284ed04028b60e37e7547b62909302dffbf51ffef1a84ef5654bea6674a' },
  labels: ['whale', 'shark', 'fish', 'boat'],
  images: { count: 20000, skipped: 0, accuracy: 0.99725 },
  parameters: {
    preprocess: { size: 64, range: [0, 1], channels: 'rgb', resize: 'crop' },
    data: { synthetic: { seed: 20261129, split: 'test' }, count: 20000 },
    sampling: { positionsPerImage: 1, seed: 1 },
    attribution: { topK: 5, classes: ['whale', 'shark'] },
    grids: { sizes: [10, 20, 40], minCount: 5 },
    icons: {
      mode: 'optimize',
      size: 64,
      steps: 24,
      attempts: 1,
      learningRate: 0.1,
      cosinePower: 2,
      whiten: false,
      parameterization: 'fourier',
      decorrelate: true,
      redirectedReluSteps: 16,
      batch: 16,
      seed: 0,
      ...newerIcons,
    },
    render: { format: 'jpeg', quality: 85, tileSize: 254, overlap: 1, background: '#ffffff' },
  },
  views: {
    mixed3b: { kind: 'layer', layer: 'mixed3b', title: 'Activation atlas of mixed3b', path: 'mixed3b' },
    'mixed5a.compare-whale-shark': {
      kind: 'comparison',
      layer: 'mixed5a',
      classes: ['whale', 'shark'],
      title: '“whale” against “shark” at mixed5a',
      path: 'mixed5a.compare-whale-shark',
    },
  },
  layouts: { mixed3b: { ...layout, neighbors: 200, metric: 'euclidean' as const }, 'mixed5a.compare-whale-shark': layout, other: layout },
  results: {
    mixed3b: {
      samples: 20000,
      trustworthiness: 0.9851668618911749,
      grids: [
        { size: 10, cells: 41, coverage: 0.51 },
        { size: 20, cells: 78, coverage: 0.38 },
        { size: 40, cells: 163, coverage: 0.3 },
      ],
      homeGrid: 20,
      legibility: { judge: 'content/models/demo-judge', grids: [{ size: 20, cells: 78, icons: 0.8, noise: 0.05, reference: 0.5, referenceSteps: 24 }] },
      render: { files: 205, bytes: 914113, levels: [{ size: 10, tiles: 22, bytes: 119305 }], key: RENDER_KEY },
      icons: { computed: 0, total: 282 },
      computedSeconds: { layout: { pca: 2.789956549, neighbours: 6.3164702749999995, umap: 32.67126473700001 } },
    },
    'mixed5a.compare-whale-shark': {
      samples: 4476,
      trustworthiness: 0.9816694063926941,
      grids: [{ size: 10, cells: 31 }],
      render: { files: 70, bytes: 525196 },
      icons: { total: 97 },
    },
  },
  totals: { files: 835, bytes: 5282527 },
  versions: { stages: { activations: 1, layout: 1, grid: 2, icons: 1, render: 1 }, tfjs: '4.22.0', sharp: '0.34.5', node: 'v20.20.2' },
  backend: 'backend: wasm, the best available (tensorflow: @tensorflow/tfjs-node is not installed)',
  stages: [
    { stage: 'activations', status: 'cached', seconds: 0.4454977530000001, detail: '79 chunks, 0 computed' },
    { stage: 'view', view: 'mixed3b', status: 'computed', seconds: 41.93, detail: 'layout, grids' },
    { stage: 'view', view: 'mixed5a.compare-whale-shark', status: 'cached', seconds: 0.01, detail: 'all cached' },
  ],
  patchExperiments: { baseball: { from: 'whale', to: 'shark', images: 500 } },
};

describe('the methods appendix of a full manifest', () => {
  const methods = methodsOf(full, 'demo');

  it('describes the data, the sampling and the attribution with the manifest’s numbers', () => {
    expect(methods.manifestPath).toBe('public/atlases/demo/manifest.json');
    expect(methods.text.data).toBe(
      'The atlas was computed from 20,000 images of the embedded synthetic world (seed 20261129, test split). No image was skipped as unreadable. ' +
        'The model, content/models/demo, classifies 99.7 % of them correctly (top-1, among 4 classes). ' +
        'Each image is scaled to cover 64 × 64 px with the overflow cut off, with pixel values scaled from 0–255 to [0, 1], in RGB channel order.',
    );
    expect(methods.text.sampling).toContain('one spatial position of each layer is chosen at random (seed 1)');
    expect(methods.text.attribution).toContain(
      'The 5 classes with the largest attribution are kept for each sample, and the attributions to whale and shark for every sample',
    );
  });

  it('gives one row per view: samples, trustworthiness to 3 decimals, grids, icons, files, megabytes and layout seconds', () => {
    expect(methods.views.map((row) => row.id)).toEqual(['mixed3b', 'mixed5a.compare-whale-shark']);
    expect(methods.views[0]).toEqual({
      id: 'mixed3b',
      title: 'Activation atlas of mixed3b',
      kind: 'layer',
      layer: 'mixed3b',
      samples: '20,000',
      trustworthiness: '0.985',
      grids: ['10² → 41', '20² → 78', '40² → 163'],
      coverage: '38 %',
      homeGrid: '20²',
      icons: '282',
      files: '205',
      megabytes: '0.9',
      layoutSeconds: '41.8',
      layoutBreakdown: '2.8 + 6.3 + 32.7',
    });
    // No computedSeconds: the layout time is shown as not recorded rather than as 0.
    expect(methods.views[1]).toMatchObject({ samples: '4,476', trustworthiness: '0.982', layoutSeconds: '—', layoutBreakdown: undefined });
    expect(methods.totals).toEqual({ files: '835', megabytes: '5.3' });
  });

  it('reports the judge network’s legibility beside its two references', () => {
    expect(methods.text.legibility).toContain('a judge network (content/models/demo-judge), trained apart from the atlas’s model on the same classes');
    expect(methods.text.legibility).toContain('Scores: mixed3b at grid 20, 80 % of 78 icons (noise 5 %, 24-step icons 50 %).');
    expect(methodsOf({ ...full, results: { mixed3b: { samples: 1 } } }, 'demo').text.legibility).toBeUndefined();
  });

  it('writes the shared layout parameters once and names the views that differ', () => {
    expect(methods.text.layout).toContain(
      'reduced to 50 dimensions by PCA, their 50 nearest neighbours found by cosine distance, and laid out in 2-D by UMAP (minimum distance 0.05, seed 1)',
    );
    expect(methods.text.layout).toContain('clipped to its 1st–99th percentile, given a 10 % margin');
    expect(methods.text.layout).toContain('These differ per view: mixed3b: neighbours 200, metric euclidean.');
    expect(methods.text.layout).toContain('A comparison uses a layout only for its vertical axis');
    expect(methods.text.layout).not.toContain('approximate');
  });

  it('says which views found their neighbours approximately', () => {
    const views = Object.keys(full.layouts!);
    const withSearch = (search: (id: string) => 'exact' | 'approximate') => ({
      ...full,
      results: Object.fromEntries(views.map((id) => [id, { ...full.results?.[id], neighbourSearch: search(id) }])),
    });
    expect(
      methodsOf(
        withSearch((id) => (id === views[0] ? 'approximate' : 'exact')),
        'demo',
      ).text.layout,
    ).toContain(
      `The neighbours of ${views[0]} are approximate: random-projection trees give each sample a first guess, which NN-descent (Dong et al. 2011) improves from its neighbours’ neighbours; the other views’ are exact.`,
    );
    expect(
      methodsOf(
        withSearch(() => 'approximate'),
        'demo',
      ).text.layout,
    ).toContain('Every view’s neighbours are approximate:');
  });

  it('lists every icon parameter, including ones it does not know', () => {
    expect(methods.text.icons).toContain(
      'a 64 px image parameterized in Fourier space with decorrelated colour, optimized with Adam (learning rate 0.1) for 24 steps',
    );
    expect(methods.text.icons).toContain('16 icons are optimized together per batch');
    expect(methods.text.icons).toContain('Other icon parameters: jitter 4.');
  });

  it('reports the backend, versions, this build’s stages and the hashes shortened to 12 digits', () => {
    expect(methods.text.compute).toContain('“backend: wasm, the best available (tensorflow: @tensorflow/tfjs-node is not installed)”');
    expect(methods.text.compute).toContain('TensorFlow.js 4.22.0, sharp 0.34.5 and Node v20.20.2');
    expect(methods.text.compute).toContain('activations 1, layout 1, grid 2, icons 1, render 1');
    expect(methods.stages[1]).toEqual({ stage: 'view', view: 'mixed3b', status: 'computed', seconds: '41.9', detail: 'layout, grids' });
    expect(methods.stages[2]!.seconds).toBe('< 0.1');
    expect(methods.stagesSummary).toBe('The build that wrote this manifest ran 3 steps in 42.4 s, 2 taken from the cache, 1 computed.');
    expect(methods.hashes.map((row) => [row.field, row.hash.short])).toEqual([
      ['recipe.sha256', 'dc129aafeafc'],
      ['model.sha256', '27be3284ed04'],
      ['results["mixed3b"].render.key', '095fb378b767'],
    ]);
    expect(methods.hashes[2]!.hash.full).toBe(RENDER_KEY);
    expect(methods.text.experiments).toBe(
      'The manifest also records 1 patch experiment: baseball (500 whale images, towards shark); its results are under patchExperiments.',
    );
    expect(methods.missing).toEqual([]);
  });
});

describe('the methods appendix of a sparse manifest', () => {
  const sparse: MethodsManifest = {
    id: 'old',
    title: 'An older manifest',
    views: { mixed4b: { kind: 'layer', layer: 'mixed4b', title: 'Layer mixed4b', path: 'mixed4b' } },
  };
  const methods = methodsOf(sparse, 'old');

  it('still gives every part, saying plainly what the manifest does not record', () => {
    expect(methods.text.data).toBe(
      'The atlas was computed from images; their number is not recorded in this manifest (no images.count). The model’s accuracy on them is not recorded in this manifest (no images.accuracy). Preprocessing is not recorded in this manifest (no parameters.preprocess).',
    );
    expect(methods.text.layout).toBe('Layout parameters are not recorded in this manifest (no layouts).');
    expect(methods.text.compute).toBe(
      'The compute backend is not recorded in this manifest (no backend). Software versions are not recorded in this manifest (no versions).',
    );
    expect(methods.stagesSummary).toBe('This build’s stage timings are not recorded in this manifest (no stages).');
    expect(methods.views).toEqual([
      {
        id: 'mixed4b',
        title: 'Layer mixed4b',
        kind: 'layer',
        layer: 'mixed4b',
        samples: '—',
        trustworthiness: '—',
        grids: [],
        coverage: '—',
        icons: '—',
        files: '—',
        megabytes: '—',
        layoutSeconds: '—',
        layoutBreakdown: undefined,
      },
    ]);
    expect(methods.hashes).toEqual([]);
    expect(methods.totals).toBeUndefined();
    expect(methods.missing).toEqual(['parameters', 'images', 'layouts', 'backend', 'versions', 'results', 'stages', 'recipe.sha256', 'model.sha256']);
  });

  it('reports a missing part of the parameters by its own name, and a view without results', () => {
    const methods = methodsOf({ ...full, parameters: { ...full.parameters, sampling: undefined }, results: { mixed3b: full.results!.mixed3b! } }, 'demo');
    expect(methods.text.sampling).toBe('How activations were sampled is not recorded in this manifest (no parameters.sampling).');
    expect(methods.missing).toEqual(['parameters.sampling', 'results["mixed5a.compare-whale-shark"]']);
    expect(methods.views[1]!.samples).toBe('—');
  });

  it('formats numbers in English', () => {
    expect(count(1234567)).toBe('1,234,567');
    expect(count(undefined)).toBe('—');
    expect(seconds(448.2)).toBe('448');
    expect(seconds(0.01)).toBe('< 0.1');
    expect(megabytes(5282527)).toBe('5.3');
  });
});

describe('<MethodsAppendix> in an article', () => {
  const root = path.resolve(`tests/.tmp/methods-${process.pid}`);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const check = (mdx: string) => {
    const atlases = path.join(root, 'atlases');
    mkdirSync(path.join(atlases, 'demo'), { recursive: true });
    writeFileSync(
      path.join(atlases, 'demo', 'manifest.json'),
      JSON.stringify({ id: 'demo', labels: ['whale'], views: { a: { kind: 'layer', layer: 'a', title: 'A', path: 'a' } } }),
    );
    const file = new VFile({ path: path.resolve('content/articles/test.mdx'), value: mdx });
    const processor = unified().use(remarkParse).use(remarkMdx).use(remarkAtlasFigures, { atlasesDir: atlases });
    return () => processor.runSync(processor.parse(file), file);
  };

  it('needs an atlas the pipeline produced', () => {
    expect(check('\n<MethodsAppendix atlas="demo" />')).not.toThrow();
    expect(check('\n<MethodsAppendix atlas="dem" />')).toThrow(
      /^content\/articles\/test\.mdx:2: <MethodsAppendix>: atlas "dem" was not produced by the pipeline \(no .*atlases\/dem\/manifest\.json\)/,
    );
    expect(check('<MethodsAppendix />')).toThrow(/^content\/articles\/test\.mdx:1: <MethodsAppendix> needs an "atlas" attribute/);
  });
});
