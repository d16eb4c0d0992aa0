/**
 * The public folder the test build (and bench:site, when the pipeline's output is absent) uses: a copy of
 * public/ without public/atlases, plus fixture atlases written by the render stage's fixture writer
 * (tests/fixtures/atlas-views.ts) under the demo's real view ids, so that the example article builds as it does
 * with the real pipeline. Never writes into public/atlases.
 *
 *   atlases/demo      mixed3b, mixed4b, mixed5a, mixed5a.class-shark, mixed5a.class-whale, mixed5a.compare-whale-shark,
 *                     one activation grid ("shark-baseball", pipeline/published/activation-grid.ts), three neuron figures,
 *                     the "baseball" patch experiment with its images, and the manifest's provenance fields (fixture
 *                     values) that <MethodsAppendix> and the article's <Value>s report
 *   atlases/hostile   one view whose class names carry HTML, for the test that labels are shown as text; its manifest
 *                     has no provenance, as an older pipeline's
 *   atlases/seams     one view whose pyramid is a continuous texture with no light pixels, for the seam test
 *
 * Reused between runs while the fixture code is unchanged (a stamp of its sources' hash).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ViewIndex } from '../../pipeline/published/format.ts';
import type { ActivationGridEntry, ActivationGridIndex } from '../../pipeline/published/activation-grid.ts';
import type { AtlasManifest, NeuronIndex, PatchExperimentResult, ViewEntry, ViewReport } from '../../pipeline/published/manifest.ts';
import { fixtureManifest, fixtureViewReport } from './fixture-manifest.ts';

export const FIXTURE_PUBLIC_DIR = path.resolve('tests/.tmp/public');
export const DEMO_VIEWS = ['mixed3b', 'mixed4b', 'mixed5a', 'mixed5a.class-shark', 'mixed5a.class-whale', 'mixed5a.compare-whale-shark'];
/** A label with markup in it: it must reach the page as text. */
export const HOSTILE_LABEL = '<img src=x onerror="window.__atlasInjected=1">kite';
export const ACTIVATION_GRID_ID = 'shark-baseball';
export const PATCH_EXPERIMENT_ID = 'baseball';

/** Grids 4–32 at 96 px per cell: a 3,072 px pyramid, so a figure opens on a coarse grid and zooming shows finer ones. */
const FIXTURE_OPTIONS = { sizes: [4, 8, 16, 32], cellPixels: 96 };

const SOURCES = [
  'tests/fixtures/atlas-views.ts',
  'tests/helpers/fixture-public.ts',
  'tests/helpers/fixture-manifest.ts',
  'pipeline/published/format.ts',
  'pipeline/published/manifest.ts',
];

export async function writeFixturePublic(dir = FIXTURE_PUBLIC_DIR): Promise<string> {
  const stamp = createHash('sha256');
  for (const file of [...SOURCES, ...listFiles('pipeline/stages/render')]) stamp.update(file).update(readFileSync(file));
  for (const file of listFiles('public').filter((f) => !f.startsWith(path.join('public', 'atlases')))) stamp.update(file).update(readFileSync(file));
  const key = stamp.digest('hex');
  const stampFile = path.join(dir, '.fixture-stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === key) return dir;

  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync('public', staging, { recursive: true, filter: (source) => path.relative('public', source).split(path.sep)[0] !== 'atlases' });
  const { writeFixtureAtlas } = await import('../fixtures/atlas-views.ts');
  const atlases = path.join(staging, 'atlases');
  const [a, b] = await Promise.all([
    writeFixtureAtlas(path.join(staging, 'fixture-a'), { atlas: 'demo', seed: 7, ...FIXTURE_OPTIONS }),
    writeFixtureAtlas(path.join(staging, 'fixture-b'), { atlas: 'demo', seed: 11, ...FIXTURE_OPTIONS }),
  ]);
  // The fixture writer names its views after one layer, mixed4b; the demo's ids are given to copies of them.
  const sources: Record<string, [string, string, string[]?]> = {
    mixed3b: [b.dir, 'mixed4b'],
    mixed4b: [a.dir, 'mixed4b'],
    mixed5a: [b.dir, 'mixed4b'],
    'mixed5a.class-shark': [a.dir, 'mixed4b.class-whale', ['shark']],
    'mixed5a.class-whale': [a.dir, 'mixed4b.class-whale', ['whale']],
    'mixed5a.compare-whale-shark': [a.dir, 'mixed4b.compare-whale-shark', ['whale', 'shark']],
  };
  const demo = path.join(atlases, 'demo');
  const views: Record<string, ViewEntry> = {};
  for (const [id, [from, view, classes]] of Object.entries(sources)) {
    const layer = id.split('.')[0]!;
    const index = copyView(path.join(from, view), path.join(demo, id), { view: id, layer, classes });
    views[id] = { kind: index.kind, layer, ...(index.classes ? { classes: index.classes } : {}), title: index.title, path: id };
  }
  const labels = a.manifest.labels;
  const activationGrids: Record<string, ActivationGridEntry> = {
    [ACTIVATION_GRID_ID]: await writeActivationGrid(path.join(demo, 'activation-grids', ACTIVATION_GRID_ID), labels),
  };
  const neurons = await writeNeurons(demo);
  const patchExperiments = { [PATCH_EXPERIMENT_ID]: await writePatchExperiment(demo) };
  writeJson(
    path.join(demo, 'manifest.json'),
    fixtureManifest({
      id: 'demo',
      title: 'A fixture atlas under the demo view ids',
      labels,
      views,
      activationGrids,
      neurons,
      patchExperiments,
      ...measured(demo, views),
    }),
  );

  // An atlas whose class names carry markup, for the test that labels are shown as text.
  const hostileLabels = labels.map((label) => (label === 'kite' ? HOSTILE_LABEL : label));
  const hostile = path.join(atlases, 'hostile');
  copyView(path.join(a.dir, 'mixed4b'), path.join(hostile, 'mixed4b'), { view: 'mixed4b', layer: 'mixed4b', labels: hostileLabels });
  // Its manifest is an older pipeline's: the index alone, no provenance (the methods section says what it lacks).
  const sparse: Pick<AtlasManifest, 'id' | 'title' | 'labels' | 'views'> = {
    id: 'hostile',
    title: 'Labels with markup',
    labels: hostileLabels,
    views: { mixed4b: { ...a.manifest.views.mixed4b!, path: 'mixed4b' } },
  };
  writeJson(path.join(hostile, 'manifest.json'), sparse);

  // An atlas whose map is one continuous texture, for the seam test: any light line in it is the viewer's.
  const seams = path.join(atlases, 'seams');
  const seamsIndex = copyView(path.join(b.dir, 'mixed4b'), path.join(seams, 'mixed3b'), { view: 'mixed3b', layer: 'mixed3b' });
  await writeTexturePyramid(path.join(seams, 'mixed3b'), seamsIndex);
  writeJson(
    path.join(seams, 'manifest.json'),
    fixtureManifest({ id: 'seams', title: 'A continuous texture', labels, views: { mixed3b: { ...b.manifest.views.mixed4b!, path: 'mixed3b' } } }),
  );

  rmSync(a.dir, { recursive: true, force: true });
  rmSync(b.dir, { recursive: true, force: true });
  writeFileSync(path.join(staging, '.fixture-stamp'), key);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/**
 * What the pipeline would have measured of the fixture views (the rest of the manifest is fixtureManifest's):
 * their real sample and cell counts, files and bytes, and fixture scores.
 */
function measured(demo: string, views: Record<string, ViewEntry>): Pick<AtlasManifest, 'results' | 'totals'> {
  const results: Record<string, ViewReport> = {};
  let [files, bytes] = [0, 0];
  for (const id of Object.keys(views)) {
    const index = JSON.parse(readFileSync(path.join(demo, id, 'view.json'), 'utf8')) as ViewIndex;
    const viewFiles = listFiles(path.join(demo, id));
    const viewBytes = viewFiles.reduce((sum, file) => sum + statSync(file).size, 0);
    files += viewFiles.length;
    bytes += viewBytes;
    const report = fixtureViewReport(id, {
      samples: index.samples,
      trustworthiness: 0.95,
      grids: index.levels.map((level) => ({ size: level.size, cells: level.cells, coverage: 0.4 })),
      computedSeconds: { layout: { pca: 0.5, neighbours: 1.5, umap: 10 } },
    });
    // Sizes 10 and 20, the demo's home-view grid and its finest, as the example article reads them.
    const legibility = {
      judge: 'content/models/demo-judge',
      grids: [10, 20].map((size) => ({ size, cells: index.levels.at(-1)!.cells, icons: 0.7, noise: 0.05, reference: 0.45, referenceSteps: 24 })),
    };
    results[id] = { ...report, render: { ...report.render, files: viewFiles.length, bytes: viewBytes }, ...(index.kind === 'layer' ? { legibility } : {}) };
  }
  return { results, totals: { files, bytes } };
}

/** Copies a view's folder and rewrites the fields of its view.json that name it. */
function copyView(from: string, to: string, changes: { view: string; layer: string; classes?: string[]; labels?: string[] }): ViewIndex {
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
  const file = path.join(to, 'view.json');
  const index = JSON.parse(readFileSync(file, 'utf8')) as ViewIndex;
  index.view = changes.view;
  index.layer = changes.layer;
  if (changes.classes) index.classes = changes.classes;
  if (changes.labels) index.labels = changes.labels;
  index.title =
    index.kind === 'layer'
      ? `Layer ${changes.layer}`
      : index.kind === 'class'
        ? `Layer ${changes.layer}: ${index.classes![0]}`
        : `Layer ${changes.layer}: ${index.classes!.join(' or ')}`;
  writeJson(file, index);
  return index;
}

/** A 7 × 7 activation grid over a 224 px image: icons in the fixture's class colours, strongest in the middle. */
async function writeActivationGrid(dir: string, labels: string[]): Promise<{ layer: string; title: string; path: string }> {
  mkdirSync(dir, { recursive: true });
  const { iconImage, FIXTURE_COLOURS } = await import('../fixtures/atlas-views.ts');
  const rows = 7;
  const columns = 7;
  const iconSize = 48;
  const perRow = 7;
  const [r, g, b] = FIXTURE_COLOURS[0]!;
  await sharp({ create: { width: 224, height: 224, channels: 3, background: { r, g, b } } })
    .jpeg({ quality: 80 })
    .toFile(path.join(dir, 'image.jpg'));
  const positions: ActivationGridIndex['positions'] = [];
  const icons: Buffer[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const distance = Math.hypot(row - 3, column - 3) / Math.hypot(3, 3);
      const magnitude = Number((1 - distance * 0.9).toFixed(3));
      // Whale in the middle, the baseball (shark) in one corner, water (fish) elsewhere.
      const label = row >= 5 && column >= 5 ? 1 : distance < 0.5 ? 0 : 2;
      const weak = magnitude < 0.2;
      positions.push({
        row,
        column,
        magnitude,
        icon: weak ? -1 : icons.length,
        classes: [
          [label, Number((0.5 * magnitude).toFixed(3))],
          [(label + 1) % labels.length, 0.05],
        ],
      });
      if (!weak)
        icons.push(
          await sharp(await iconImage(label, iconSize))
            .png()
            .toBuffer(),
        );
    }
  }
  const spriteRows = Math.ceil(icons.length / perRow);
  await sharp({ create: { width: perRow * iconSize, height: spriteRows * iconSize, channels: 3, background: '#ffffff' } })
    .composite(icons.map((input, i) => ({ input, left: (i % perRow) * iconSize, top: Math.floor(i / perRow) * iconSize })))
    .jpeg({ quality: 80 })
    .toFile(path.join(dir, 'icons.jpg'));
  const index: ActivationGridIndex = {
    version: 1,
    atlas: 'demo',
    id: ACTIVATION_GRID_ID,
    layer: 'mixed4b',
    title: 'A whale photo with a baseball, at layer mixed4b',
    image: { file: 'image.jpg', width: 224, height: 224, label: 'whale' },
    rows,
    columns,
    icons: { file: 'icons.jpg', size: iconSize, perRow },
    labels,
    positions,
    description: 'Activation grid of a whale image at layer mixed4b, 7 × 7 positions: whale in the middle, shark in the bottom-right corner, fish elsewhere.',
  };
  writeJson(path.join(dir, 'grid.json'), index);
  return { layer: 'mixed4b', title: index.title, path: `activation-grids/${ACTIVATION_GRID_ID}` };
}

/** The demo recipe's neuron figures (pipeline/stages/neurons), drawn as coloured squares. */
async function writeNeurons(demo: string): Promise<Record<string, NeuronIndex>> {
  const { iconImage } = await import('../fixtures/atlas-views.ts');
  mkdirSync(path.join(demo, 'neurons'), { recursive: true });
  const specs = [
    ['channel-25', [25]],
    ['channel-88', [88]],
    ['channels-25-88', [25, 88]],
  ] as const;
  const neurons: Record<string, NeuronIndex> = {};
  for (const [i, [id, channels]] of specs.entries()) {
    const file = `neurons/${id}.png`;
    await sharp(await iconImage(i, 64))
      .png()
      .toFile(path.join(demo, file));
    neurons[id] = {
      layer: 'mixed4b',
      channels: [...channels],
      title: `mixed4b, ${channels.length > 1 ? 'channels' : 'channel'} ${channels.join(' + ')}`,
      path: file,
      size: 64,
      steps: 8,
    };
  }
  return neurons;
}

/** The demo recipe's patch experiment (pipeline/stages/patches): fixture flip rates and its three images. */
async function writePatchExperiment(demo: string): Promise<PatchExperimentResult> {
  const { iconImage } = await import('../fixtures/atlas-views.ts');
  const folder = `patches/${PATCH_EXPERIMENT_ID}`;
  mkdirSync(path.join(demo, folder), { recursive: true });
  await sharp(await iconImage(1, 20))
    .png()
    .toFile(path.join(demo, folder, 'patch.png'));
  const whale = await sharp(await iconImage(0, 64))
    .png()
    .toBuffer();
  await sharp(whale).toFile(path.join(demo, folder, 'before.png'));
  await sharp(whale)
    .composite([
      {
        input: await sharp(await iconImage(1, 20))
          .png()
          .toBuffer(),
        left: 30,
        top: 10,
      },
    ])
    .toFile(path.join(demo, folder, 'after.png'));
  const images = 200;
  const rows = [12, 16, 20, 24].flatMap((size, i) => [
    { patch: 'icon' as const, size, flipped: 20 + 40 * i, rate: (20 + 40 * i) / images },
    { patch: 'random noise' as const, size, flipped: 1 + i, rate: (1 + i) / images },
  ]);
  return {
    id: PATCH_EXPERIMENT_ID,
    from: 'whale',
    to: 'shark',
    images,
    patch: { view: 'mixed4b', size: 20, cell: [11, 18] },
    rows,
    files: { patch: `${folder}/patch.png`, example: { image: 28, size: 20, before: `${folder}/before.png`, after: `${folder}/after.png` } },
  };
}

/**
 * Replaces a view's pyramid with one cut, as the render stage cuts its pyramids (libvips' Deep Zoom tiler, the
 * view's tile size, overlap and format), from a texture with no light pixels: mid-tone waves of colour.
 */
async function writeTexturePyramid(viewDir: string, index: ViewIndex): Promise<void> {
  const { width, tileSize, overlap } = index.image;
  const pixels = Buffer.alloc(width * width * 3);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = 110 + 60 * Math.sin(x / 37);
      pixels[i + 1] = 100 + 50 * Math.sin(y / 53);
      pixels[i + 2] = 120 + 50 * Math.sin((x + y) / 71);
    }
  }
  rmSync(path.join(viewDir, 'tiles_files'), { recursive: true, force: true });
  const base = path.join(viewDir, 'texture');
  await sharp(pixels, { raw: { width, height: width, channels: 3 } })
    .jpeg({ quality: 85 })
    .tile({ size: tileSize, overlap, layout: 'dz' })
    .toFile(base);
  renameSync(`${base}_files`, path.join(viewDir, 'tiles_files'));
  rmSync(`${base}.dzi`, { force: true });
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
