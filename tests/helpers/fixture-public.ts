/**
 * The public folder the test build (and bench:site, when the pipeline's output is absent) uses: a copy of
 * public/ without public/atlases, plus fixture atlases written by the render stage's fixture writer
 * (tests/fixtures/atlas-views.ts) under the demo's real view ids, so that the example article builds as it does
 * with the real pipeline. Never writes into public/atlases.
 *
 *   atlases/demo      mixed3b, mixed4b, mixed5a, mixed5a.class-shark, mixed5a.class-whale, mixed5a.compare-whale-shark,
 *                     and one activation grid ("whale-baseball", src/lib/activation-grid-format.ts)
 *   atlases/hostile   one view whose class names carry HTML, for the test that labels are shown as text
 *
 * Reused between runs while the fixture code is unchanged (a stamp of its sources' hash).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ManifestViews, ViewIndex } from '../../pipeline/stages/render/format.ts';
import type { ActivationGridIndex, ManifestActivationGrids } from '../../src/lib/activation-grid-format.ts';

export const FIXTURE_PUBLIC_DIR = path.resolve('tests/.tmp/public');
export const DEMO_VIEWS = ['mixed3b', 'mixed4b', 'mixed5a', 'mixed5a.class-shark', 'mixed5a.class-whale', 'mixed5a.compare-whale-shark'];
/** A label with markup in it: it must reach the page as text. */
export const HOSTILE_LABEL = '<img src=x onerror="window.__atlasInjected=1">kite';
export const ACTIVATION_GRID_ID = 'whale-baseball';

/** Grids 4–32 at 96 px per cell: a 3,072 px pyramid, so a figure opens on a coarse grid and zooming shows finer ones. */
const FIXTURE_OPTIONS = { sizes: [4, 8, 16, 32], cellPixels: 96 };

const SOURCES = ['tests/fixtures/atlas-views.ts', 'tests/helpers/fixture-public.ts', 'pipeline/stages/render/format.ts'];

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
  const views: ManifestViews['views'] = {};
  for (const [id, [from, view, classes]] of Object.entries(sources)) {
    const layer = id.split('.')[0]!;
    const index = copyView(path.join(from, view), path.join(demo, id), { view: id, layer, classes });
    views[id] = { kind: index.kind, layer, ...(index.classes ? { classes: index.classes } : {}), title: index.title, path: id };
  }
  const labels = a.manifest.labels;
  const activationGrids: ManifestActivationGrids['activationGrids'] = {
    [ACTIVATION_GRID_ID]: await writeActivationGrid(path.join(demo, 'activation-grids', ACTIVATION_GRID_ID), labels),
  };
  writeJson(path.join(demo, 'manifest.json'), { id: 'demo', title: 'A fixture atlas under the demo view ids', labels, views, activationGrids });

  // An atlas whose class names carry markup, for the test that labels are shown as text.
  const hostileLabels = labels.map((label) => (label === 'kite' ? HOSTILE_LABEL : label));
  const hostile = path.join(atlases, 'hostile');
  copyView(path.join(a.dir, 'mixed4b'), path.join(hostile, 'mixed4b'), { view: 'mixed4b', layer: 'mixed4b', labels: hostileLabels });
  writeJson(path.join(hostile, 'manifest.json'), {
    id: 'hostile',
    title: 'Labels with markup',
    labels: hostileLabels,
    views: { mixed4b: { ...a.manifest.views.mixed4b!, path: 'mixed4b' } },
  });

  rmSync(a.dir, { recursive: true, force: true });
  rmSync(b.dir, { recursive: true, force: true });
  writeFileSync(path.join(staging, '.fixture-stamp'), key);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
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
    index.kind === 'layer' ? `Layer ${changes.layer}` : index.kind === 'class' ? `Layer ${changes.layer}: ${index.classes![0]}` : `Layer ${changes.layer}: ${index.classes!.join(' or ')}`;
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
      positions.push({ row, column, magnitude, icon: weak ? -1 : icons.length, classes: [[label, Number((0.5 * magnitude).toFixed(3))], [(label + 1) % labels.length, 0.05]] });
      if (!weak) icons.push(await sharp(await iconImage(label, iconSize)).png().toBuffer());
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

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
