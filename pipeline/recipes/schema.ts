/**
 * Atlas recipes (content/atlases/<id>.yaml): everything an atlas is computed from, with the Distill/Lucid
 * reference parameters as defaults. Each stage hashes the part of the recipe it reads into its cache key.
 */
import { z } from 'zod';
import { preprocessSchema } from '../models/preprocess.ts';

const positiveInt = z.number().int().positive();
/** The id of a figure's data (a patch experiment, activation grid or neuron): it names a published folder. */
export const FIGURE_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const figureId = z.string().regex(FIGURE_ID_PATTERN, 'must be lower-case letters, digits and dashes');
const seed = z.number().int().nonnegative().default(0);

const data = z
  .object({
    /** The embedded synthetic world (the demo). */
    synthetic: z
      .object({ seed: z.number().int().nonnegative(), split: z.enum(['train', 'test']).default('test') })
      .strict()
      .optional(),
    /** A folder with one sub-folder of images per class. */
    folder: z.string().min(1).optional(),
    /** A CSV (path,label) or JSON Lines manifest; paths relative to `folder` or to the manifest's folder. */
    manifest: z.string().min(1).optional(),
    /** How many images to use (the first ones, in a seeded shuffle). Distill used 1M; 100k is often enough. */
    count: positiveInt.default(10_000),
  })
  .strict()
  .refine((d) => [d.synthetic, d.folder ?? d.manifest].filter(Boolean).length === 1, {
    message: 'give one source: synthetic, folder or manifest',
  });

const layout = z
  .object({
    method: z.literal('umap').default('umap'),
    /** UMAP n_neighbors: 50 for late layers; 200 for early ones (more global structure). */
    neighbors: positiveInt.default(50),
    minDist: z.number().min(0).max(1).default(0.05),
    metric: z.enum(['cosine', 'euclidean']).default('cosine'),
    /** Reduce to this many dimensions with PCA before the neighbour search (0: no PCA). */
    pca: z.number().int().nonnegative().default(50),
    /** Nearest neighbours: exact up to 50,000 samples and approximate (NN-descent) above, unless forced. */
    neighbourSearch: z.enum(['auto', 'exact', 'approximate']).default('auto'),
    epochs: positiveInt.optional(),
    seed,
    /** Each axis is clipped to these percentiles, given this margin, and scaled to [0, 1]. */
    clipPercentiles: z.tuple([z.number().min(0).max(50), z.number().min(50).max(100)]).default([1, 99]),
    margin: z.number().min(0).max(1).default(0.1),
  })
  .strict();

const layer = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), layout: layout.partial().optional(), grids: z.array(positiveInt).optional() }).strict(),
]);

/** Feature-visualization icons, one per kept grid cell (Lucid's optvis with the activation-atlas settings). */
const icons = z
  .object({
    /** optimize: feature visualization of the cell's mean activation; examples: the data-set crop nearest it. */
    mode: z.enum(['optimize', 'examples']).default('optimize'),
    /** Icon side in pixels (Distill: 80); at most the model's input size. */
    size: positiveInt.default(80),
    /** Optimization steps per icon (Distill: 512–1024). */
    steps: positiveInt.default(512),
    /** Independent attempts per icon; the one with the best final objective is kept. */
    attempts: positiveInt.default(1),
    learningRate: z.number().positive().default(0.05),
    /** Objective dot(act, dir) · cos(act, dir)^p. */
    cosinePower: z.number().min(0).default(2),
    /** Whiten the direction with the layer's activation covariance before optimizing. */
    whiten: z.boolean().default(false),
    parameterization: z.enum(['fourier', 'pixels']).default('fourier'),
    decorrelate: z.boolean().default(true),
    /** Steps at the start during which gradients pass through ReLUs as Lucid's "redirected ReLU" does. */
    redirectedReluSteps: z.number().int().nonnegative().default(16),
    /**
     * Warm start across grid levels. similar: a cell of a finer grid starts from the icon of the coarsest grid's
     * cell whose mean activation is nearest (cosine), optimized from noise, and runs warmStartSteps; parent: from
     * the icon of the next coarser cell under its centre (a chain of warm starts); none: every icon from noise.
     * The default, similar, was measured on the demo's mixed5a to end as high as icons from noise at four times
     * the steps, and to keep what a second network recognizes in them, which chains of parents lose
     * (npm run bench:atlas).
     */
    warmStart: z.enum(['none', 'similar', 'parent']).default('similar'),
    /** Steps of a warm-started icon (default: a quarter of steps). */
    warmStartSteps: positiveInt.optional(),
    /** Icons optimized together in one batch. */
    batch: positiveInt.default(32),
    seed,
  })
  .strict()
  .default({});

/**
 * The legibility score (pipeline/stages/legibility): a judge model, trained apart from the atlas's model on the
 * same classes and with the same input, classifies the icons of each layer view; the score is the share of cells
 * whose icon it assigns to the cell's top attributed class, reported beside random noise and short-run icons.
 */
const legibility = z
  .object({
    /** The judge's model folder (model.json, weights, labels.json), relative to the project root. */
    judge: z.string().min(1),
    /** Grid sizes scored in each layer view (default: the grid the view's home view shows). */
    grids: z.array(positiveInt).min(1).optional(),
    /** Steps of the reference icons, optimized from noise for the same cells. */
    referenceSteps: positiveInt.default(24),
    /** Seed of the random-noise reference images. */
    seed,
  })
  .strict()
  .optional();

/** Composing grid levels into deep-zoom pyramids. */
const render = z
  .object({
    /** Pixels per cell at the finest grid level (default: the icon size). */
    cellPixels: positiveInt.optional(),
    format: z.enum(['jpeg', 'webp']).default('jpeg'),
    quality: z.number().int().min(1).max(100).default(85),
    tileSize: positiveInt.default(254),
    overlap: z.number().int().nonnegative().default(1),
    background: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #ffffff')
      .default('#ffffff'),
    /** Side in pixels of the data-set example thumbnails shown in tooltips (0: none; default 48). */
    examplePixels: z.number().int().nonnegative().optional(),
  })
  .strict()
  .default({});

export const recipeSchema = z
  .object({
    title: z.string().min(1).optional(),
    /** A TF.js model folder (model.json and weights), relative to the project root. */
    model: z.string().min(1),
    /** Class names in output order; default: labels.json in the model folder. */
    labels: z.string().min(1).optional(),
    preprocess: preprocessSchema,
    data,
    layers: z.array(layer).min(1, 'must name at least one layer'),
    /** Spatial positions sampled per image and layer: a number (seeded), or "all" (every position). */
    sampling: z
      .object({ positionsPerImage: z.union([positiveInt, z.literal('all')]).default(1), seed })
      .strict()
      .default({}),
    attribution: z
      .object({
        /** Per sample, the k classes with the largest attribution h·∇logit are kept. */
        topK: positiveInt.default(5),
        /** Classes whose attribution is kept for every sample (for class focus and comparisons). */
        classes: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({}),
    layout: layout.default({}),
    grids: z
      .object({
        /** Cells per side, coarse to fine (Distill: 20, 40, 80, 160; 320 for the last layers). */
        sizes: z.array(positiveInt).min(1).default([20, 40, 80, 160]),
        /** A cell is kept when it holds more than this many samples. */
        minCount: z.number().int().nonnegative().default(5),
      })
      .strict()
      .default({}),
    /**
     * Class atlases: the samples whose attribution to `class` is the largest (winner) or among their `top`
     * largest, with their own layout and grids. On `layer` (default: the last layer).
     */
    classAtlases: z
      .array(
        z
          .object({
            class: z.string().min(1),
            layer: z.string().min(1).optional(),
            filter: z.enum(['winner', 'top']).default('top'),
            top: positiveInt.default(3),
            layout: layout.partial().optional(),
            /** Grid sizes of this view (default: the layer's). */
            grids: z.array(positiveInt).min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    icons,
    legibility,
    render,
    /**
     * Patch experiments: paste the icon of an atlas cell (`patch`: view, grid size, cell [x, y]) onto up to
     * `images` held-out images classified as `from`, at each of `sizes` pixels, and count how often the
     * prediction turns to `to`; a random-noise patch of the same size is the control.
     */
    patchExperiments: z
      .array(
        z
          .object({
            id: figureId,
            from: z.string().min(1),
            to: z.string().min(1),
            patch: z
              .object({ view: z.string().min(1), size: positiveInt, cell: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]) })
              .strict(),
            sizes: z.array(positiveInt).min(1).default([16]),
            images: positiveInt.default(500),
            seed,
          })
          .strict(),
      )
      .default([]),
    /**
     * Activation grids: one image of the data set (by its index, as the data source lists it) with an icon at
     * every position of `layer` strong enough to draw, for the <ActivationGrid> figure.
     */
    activationGrids: z
      .array(
        z
          .object({
            id: figureId,
            layer: z.string().min(1),
            image: z.number().int().nonnegative(),
            title: z.string().min(1).optional(),
            /** The image's true class, shown with the figure. */
            label: z.string().min(1).optional(),
            /** Optimization steps of its icons (default: the icons' steps); its icons are drawn small, one per position. */
            steps: positiveInt.optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * Feature visualizations of single neurons and of neuron combinations (Distill's "neuron" and "pairwise
     * interaction" figures): one image maximizing the sum of `channels` of `layer` at its centre position, for
     * the <Neuron> figure. `steps` defaults to the icons' steps.
     */
    neurons: z
      .array(
        z
          .object({
            id: figureId,
            layer: z.string().min(1),
            channels: z.array(z.number().int().nonnegative()).min(1).max(4),
            title: z.string().min(1).optional(),
            steps: positiveInt.optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * Two-class comparisons: the samples with either class among their `top` attributions, placed with
     * x = attribution(right) − attribution(left) (clipped at its 99th percentile) and y = a 1-D layout.
     */
    comparisons: z
      .array(
        z
          .object({
            classes: z.tuple([z.string().min(1), z.string().min(1)]),
            layer: z.string().min(1).optional(),
            top: positiveInt.default(3),
            grids: z.array(positiveInt).min(1).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeLayer = z.infer<typeof layer>;
