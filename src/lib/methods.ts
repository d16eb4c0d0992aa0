/**
 * The methods appendix as data: what <MethodsAppendix> shows, derived from an atlas's manifest.json (written by
 * pipeline/stages/run.ts). Pure, so it is tested on its own (tests/unit/methods.test.ts). Every manifest field is
 * treated as optional: a manifest from an older pipeline or a fixture still gives a section, in which each
 * absent field is said to be absent (and listed in `missing`) rather than guessed.
 */
import type { AtlasManifest } from '../../pipeline/published/manifest.ts';
import { NOT_RECORDED, decimal, isNumber, count, seconds, megabytes, shortHash, plural, percentOf } from './prose.ts';
import {
  dataText,
  samplingText,
  attributionText,
  layoutText,
  gridsText,
  iconsText,
  legibilityText,
  renderText,
  computeText,
  experimentsText,
} from './methods-text.ts';

/** Every field optional, at every depth (records keep their entries): an older pipeline's manifest may lack any. */
type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? string extends keyof T
      ? { [K in keyof T]: DeepPartial<T[K]> }
      : { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** The manifest as the methods appendix reads it: the pipeline's own type (AtlasManifest), every field optional. */
export type MethodsManifest = DeepPartial<AtlasManifest>;
export type ViewResult = NonNullable<MethodsManifest['results']>[string];
export type LegibilityResult = NonNullable<NonNullable<ViewResult['legibility']>['grids']>[number];

export interface Hash {
  full: string;
  /** The first 12 hex digits, as the text shows it. */
  short: string;
}

export interface ViewRow {
  id: string;
  title: string;
  kind: string;
  layer: string;
  samples: string;
  trustworthiness: string;
  /** One entry per grid level, e.g. "20² → 78". */
  grids: string[];
  /** Share of the map's square covered by icons at the home view, e.g. "41 %", with its grid, e.g. "20²". */
  coverage: string;
  homeGrid?: string;
  icons: string;
  files: string;
  megabytes: string;
  /** Seconds the layout took when it was computed (PCA + neighbours + UMAP), or "—". */
  layoutSeconds: string;
  /** The same as PCA + neighbours + UMAP seconds, e.g. "2.8 + 6.3 + 32.7". */
  layoutBreakdown?: string;
}

export interface StageRow {
  stage: string;
  view: string;
  status: string;
  seconds: string;
  detail: string;
}

export interface HashRow {
  what: string;
  /** Where the hash is in the manifest, e.g. "recipe.sha256". */
  field: string;
  hash: Hash;
}

export interface Methods {
  atlas: string;
  title?: string;
  /** Where the pipeline writes the manifest, relative to the project: public/atlases/<atlas>/manifest.json. */
  manifestPath: string;
  recipeFile?: string;
  text: {
    data: string;
    sampling: string;
    attribution: string;
    layout: string;
    grids: string;
    icons: string;
    legibility?: string;
    render: string;
    compute: string;
    experiments?: string;
  };
  views: ViewRow[];
  /** The views table's last row: files and megabytes of every view together. */
  totals?: { files: string; megabytes: string };
  stages: StageRow[];
  /** One sentence summing up this build's stages, or a note that the manifest has none. */
  stagesSummary: string;
  hashes: HashRow[];
  /** Manifest fields this section needed and did not find, as dotted paths. */
  missing: string[];
}

export function methodsOf(manifest: MethodsManifest, atlas: string): Methods {
  const missing: string[] = [];
  // Each paragraph reads its part of the manifest through `need`, which records what is absent.
  const need = <T>(value: T | undefined, field: string): T | undefined => {
    if (value === undefined || value === null) missing.push(field);
    return value ?? undefined;
  };
  const absent = (what: string, field: string) => `${what} ${what.endsWith('s') ? 'are' : 'is'} not recorded in this manifest (no ${field}).`;

  const parameters: Parameters = need(manifest.parameters, 'parameters') ?? {};
  // A missing parameters object is reported once, not once per part.
  const p = <K extends keyof Parameters>(key: K): Parameters[K] => (manifest.parameters ? need(parameters[key], `parameters.${key}`) : undefined);
  const views = Object.entries(manifest.views ?? {});
  if (!manifest.views) missing.push('views');

  const text = {
    data: dataText(manifest, p('data'), p('preprocess'), need, absent),
    sampling: samplingText(p('sampling'), absent),
    attribution: attributionText(p('attribution'), absent),
    layout: layoutText(manifest, views, need, absent),
    grids: gridsText(p('grids'), absent),
    icons: iconsText(p('icons'), absent),
    legibility: legibilityText(manifest),
    render: renderText(manifest, p('render'), absent),
    compute: computeText(manifest, need, absent),
    experiments: experimentsText(manifest),
  };

  const results = need(manifest.results, 'results') ?? {};
  const rows = views.map(([id, view]) => viewRow(id, view, results[id], manifest.results ? missing : []));
  const totals = manifest.totals;
  const stages = need(manifest.stages, 'stages') ?? [];

  const hashes: HashRow[] = [];
  const recipeHash = need(manifest.recipe?.sha256, 'recipe.sha256');
  if (recipeHash) hashes.push({ what: `Recipe ${manifest.recipe?.file ?? ''}`.trim(), field: 'recipe.sha256', hash: shortHash(recipeHash) });
  const modelHash = need(manifest.model?.sha256, 'model.sha256');
  if (modelHash) hashes.push({ what: `Model ${manifest.model?.folder ?? ''}`.trim(), field: 'model.sha256', hash: shortHash(modelHash) });
  for (const [id] of views) {
    const key = results[id]?.render?.key;
    if (key) hashes.push({ what: `Render key of ${id}`, field: `results["${id}"].render.key`, hash: shortHash(key) });
  }

  return {
    atlas,
    title: manifest.title,
    manifestPath: `public/atlases/${atlas}/manifest.json`,
    recipeFile: manifest.recipe?.file,
    text,
    views: rows,
    totals: isNumber(totals?.files) && isNumber(totals?.bytes) ? { files: count(totals.files), megabytes: megabytes(totals.bytes) } : undefined,
    stages: stages.map((s) => ({
      stage: s.stage ?? NOT_RECORDED,
      view: s.view ?? '',
      status: s.status ?? NOT_RECORDED,
      seconds: isNumber(s.seconds) ? seconds(s.seconds) : NOT_RECORDED,
      detail: s.detail ?? '',
    })),
    stagesSummary: stagesSummary(stages, manifest.stages !== undefined),
    hashes,
    missing: [...new Set(missing)],
  };
}

export type Need = <T>(value: T | undefined, field: string) => T | undefined;
export type Absent = (what: string, field: string) => string;
export type Parameters = NonNullable<MethodsManifest['parameters']>;

function viewRow(id: string, view: NonNullable<MethodsManifest['views']>[string], result: ViewResult | undefined, missing: string[]): ViewRow {
  if (!result) missing.push(`results["${id}"]`);
  const layout = result?.computedSeconds?.layout;
  const parts = layout ? (['pca', 'neighbours', 'umap'] as const).filter((key) => isNumber(layout[key])) : [];
  const total = parts.reduce((sum, key) => sum + layout![key]!, 0);
  return {
    id,
    title: view.title ?? id,
    kind: view.kind ?? NOT_RECORDED,
    layer: view.layer ?? NOT_RECORDED,
    samples: count(result?.samples),
    trustworthiness: isNumber(result?.trustworthiness) ? decimal(result.trustworthiness, 3) : NOT_RECORDED,
    grids: (result?.grids ?? []).map((grid) => `${count(grid.size)}² → ${count(grid.cells)}`),
    ...homeCoverage(result),
    icons: count(result?.icons?.total),
    files: count(result?.render?.files),
    megabytes: isNumber(result?.render?.bytes) ? megabytes(result.render.bytes) : NOT_RECORDED,
    layoutSeconds: parts.length ? seconds(total) : NOT_RECORDED,
    layoutBreakdown: parts.length ? parts.map((key) => seconds(layout![key]!)).join(' + ') : undefined,
  };
}

/** The coverage of the grid the home view shows, e.g. { coverage: "41 %", homeGrid: "20²" }. */
function homeCoverage(result: ViewResult | undefined): { coverage: string; homeGrid?: string } {
  const home = result?.grids?.find((grid) => grid.size === result.homeGrid);
  if (!home || !isNumber(home.coverage)) return { coverage: NOT_RECORDED };
  return { coverage: percentOf(home.coverage), homeGrid: `${count(home.size)}²` };
}

function stagesSummary(stages: NonNullable<MethodsManifest['stages']>, recorded: boolean): string {
  if (!recorded) return 'This build’s stage timings are not recorded in this manifest (no stages).';
  if (!stages.length) return 'The manifest lists no stages for this build.';
  const total = stages.reduce((sum, s) => sum + (isNumber(s.seconds) ? s.seconds : 0), 0);
  const cached = stages.filter((s) => s.status === 'cached').length;
  const what =
    cached === stages.length
      ? 'all taken from the cache'
      : cached
        ? `${count(cached)} taken from the cache, ${count(stages.length - cached)} computed`
        : 'all computed';
  return `The build that wrote this manifest ran ${plural(stages.length, 'step')} in ${seconds(total)} s, ${what}.`;
}
