/**
 * manifest.json: one atlas's index of views and figures, with its provenance (recipe and model hashes, every
 * parameter, code versions) and what the pipeline measured. pipeline/stages/run.ts builds it, and only it; the
 * site reads it through reader.ts, and the methods appendix (src/lib/methods.ts) reports it.
 */
import type { Recipe } from '../recipes/schema.ts';
import type { LayoutParams } from '../stages/layout/layout.ts';
import type { ActivationGridEntry } from './activation-grid.ts';
import type { FORMAT_VERSION, ViewKind } from './format.ts';

export interface AtlasManifest {
  format: typeof FORMAT_VERSION;
  id: string;
  title?: string;
  /** The recipe file, relative to the project, and the SHA-256 of its bytes. */
  recipe: { file: string; sha256: string };
  model: { folder: string; sha256: string };
  /** Class names by output index (repeated names made distinct: models/labels.ts). */
  labels: string[];
  /** The classes whose exact attribution every sample carries. */
  focusClasses: string[];
  images: { count: number; skipped: number; accuracy: number };
  parameters: Pick<Recipe, 'preprocess' | 'data' | 'sampling' | 'attribution' | 'grids' | 'icons' | 'render'> & Partial<Pick<Recipe, 'legibility'>>;
  views: Record<string, ViewEntry>;
  activationGrids: Record<string, ActivationGridEntry>;
  neurons: Record<string, NeuronIndex>;
  patchExperiments: Record<string, PatchExperimentResult>;
  /** The layout parameters of each view. */
  layouts: Record<string, LayoutParams>;
  results: Record<string, ViewReport>;
  totals: { files: number; bytes: number };
  /** Code versions: each cached stage's, and the packages' (absent where not installed under node_modules). */
  versions: { stages: Record<string, number>; tfjs?: string; sharp?: string; node: string };
  /** The TensorFlow.js backend the build ran on, as the CLI reported it. */
  backend: string;
  /** What this build computed and what it took from the cache. */
  stages: StageReport[];
}

/** A view in the manifest's index: its folder (`path`, relative to the atlas) holds view.json. */
export interface ViewEntry {
  kind: ViewKind;
  layer: string;
  classes?: string[];
  title: string;
  path: string;
}

/** One line of a build's report: a stage, or a view's stages, computed or cached. */
export interface StageReport {
  stage: string;
  view?: string;
  status: 'computed' | 'cached';
  seconds: number;
  detail?: string;
}

/** What manifest.json says about a neuron figure (pipeline/stages/neurons writes it). */
export interface NeuronIndex {
  layer: string;
  channels: number[];
  title: string;
  /** The image, relative to the atlas folder. */
  path: string;
  size: number;
  steps: number;
}

/** A patch experiment's result (pipeline/stages/patches): the share of images each patch flipped. */
export interface PatchExperimentResult {
  id: string;
  from: string;
  to: string;
  /** Held-out images of `from` that the model classified correctly before patching. */
  images: number;
  patch: { view: string; size: number; cell: [number, number] };
  rows: { patch: 'icon' | 'random noise'; size: number; flipped: number; rate: number }[];
  /** With `outDir`: the patch, and one image before and after it was pasted on (paths relative to the atlas). */
  files?: { patch: string; example?: { image: number; size: number; before: string; after: string } };
}

/** What the pipeline measured of one view: manifest.json's results.<view>. */
export interface ViewReport {
  id: string;
  samples: number;
  trustworthiness?: number;
  /** How the layout's nearest neighbours were found (layout/layout.ts, neighbourSearchFor). */
  neighbourSearch?: 'exact' | 'approximate';
  /** Per grid level: kept cells, and the share of the map's square their icons cover. */
  grids: { size: number; cells: number; coverage: number }[];
  /** The grid size a viewer shows at its home view on a desktop (render/arrangement.ts, HOME_MAP_CSS_PIXELS). */
  homeGrid: number;
  /** With recipe.legibility, on layer views: the judge's scores per scored grid level. */
  legibility?: { judge: string; grids: LegibilityScore[] };
  render: { files: number; bytes: number; levels: { size: number; tiles: number; bytes: number }[]; key: string };
  icons: { computed: number; total: number };
  /** Wall seconds of this run per step (near 0 for cached steps). */
  seconds: Record<string, number>;
  /** Seconds the cached artifacts took when they were computed (for the methods appendix). */
  computedSeconds: { layout?: Record<string, number>; render?: number };
  /** Stages computed (not taken from the cache). */
  computed: string[];
}

/** The legibility judge's scores of one grid level (pipeline/stages/legibility). */
export interface LegibilityScore {
  /** Grid size (cells per side). */
  size: number;
  /** Cells scored: those with a top attributed class. */
  cells: number;
  /** Shares of those cells the judge assigns to their top class: the icons, random noise, short-run icons. */
  icons: number;
  noise: number;
  reference: number;
  referenceSteps: number;
}
