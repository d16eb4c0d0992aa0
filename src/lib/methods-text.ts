/** The methods appendix's paragraphs, one function per part, from the manifest (methods.ts puts them together). */
import type { Absent, Need, Parameters, MethodsManifest } from './methods.ts';
import { NOT_RECORDED, decimal, isNumber, count, megabytes, list, plural, ordinal, capitalize, percentOf } from './prose.ts';

export function dataText(manifest: MethodsManifest, data: Parameters['data'], preprocess: Parameters['preprocess'], need: Need, absent: Absent): string {
  const images = need(manifest.images, 'images');
  const sentences: string[] = [];
  const source = !data
    ? 'images'
    : data.synthetic
      ? `images of the embedded synthetic world (seed ${data.synthetic.seed ?? NOT_RECORDED}, ${data.synthetic.split ?? 'test'} split)`
      : data.manifest
        ? `images listed in ${data.manifest}`
        : data.folder
          ? `images from the folder ${data.folder} (one sub-folder per class)`
          : 'images';
  const howMany = isNumber(images?.count) ? count(images.count) : isNumber(data?.count) ? `up to ${count(data.count)}` : undefined;
  sentences.push(
    howMany ? `The atlas was computed from ${howMany} ${source}.` : `The atlas was computed from ${source}; ${absent('their number', 'images.count')}`,
  );
  if (isNumber(images?.skipped)) {
    sentences.push(
      images.skipped
        ? `${plural(images.skipped, 'image')} could not be read and ${images.skipped === 1 ? 'was' : 'were'} skipped (listed in data-report.json next to the manifest).`
        : 'No image was skipped as unreadable.',
    );
  }
  const labels = manifest.labels?.length;
  const model = manifest.model?.folder ? `The model, ${manifest.model.folder},` : 'The model';
  if (isNumber(images?.accuracy)) {
    sentences.push(
      `${model} classifies ${decimal(images.accuracy * 100, 1)} % of them correctly (top-1${labels ? `, among ${plural(labels, 'class', 'classes')}` : ''}).`,
    );
  } else {
    sentences.push(absent('The model’s accuracy on them', 'images.accuracy'));
  }
  sentences.push(preprocess ? preprocessText(preprocess) : absent('Preprocessing', 'parameters.preprocess'));
  return sentences.join(' ');
}

export function preprocessText(p: NonNullable<Parameters['preprocess']>): string {
  const [height, width] = typeof p.size === 'number' ? [p.size, p.size] : (p.size ?? []);
  const size = height && width ? `${count(height)} × ${count(width)} px` : 'the model’s input size';
  const fit =
    p.resize === 'stretch'
      ? `stretched to ${size}`
      : p.resize === 'pad'
        ? `fitted inside ${size} and padded with black`
        : `scaled to cover ${size} with the overflow cut off`;
  const values = p.range
    ? `pixel values scaled from 0–255 to [${p.range.join(', ')}]`
    : p.mean || p.std
      ? `each channel normalized as (x − mean) / std with mean [${(p.mean ?? [0, 0, 0]).join(', ')}] and std [${(p.std ?? [1, 1, 1]).join(', ')}] (0–255 units)`
      : 'pixel values left at 0–255';
  return `Each image is ${fit}, with ${values}, in ${(p.channels ?? 'rgb').toUpperCase()} channel order.`;
}

export function samplingText(sampling: Parameters['sampling'], absent: Absent): string {
  if (!sampling) return absent('How activations were sampled', 'parameters.sampling');
  const seed = isNumber(sampling.seed) ? ` (seed ${sampling.seed})` : '';
  const n = sampling.positionsPerImage;
  const which =
    n === 'all'
      ? 'every spatial position of each layer is sampled'
      : n === 1 || n === undefined
        ? `one spatial position of each layer is chosen at random${seed}, as in Distill’s atlases`
        : `${count(n)} spatial positions of each layer are chosen at random${seed}`;
  return `From each image, ${which}; a sample is the layer’s activation vector at that position.`;
}

export function attributionText(attribution: Parameters['attribution'], absent: Absent): string {
  const rule = 'A sample h is attributed to class c by h · ∇ₕ logit_c, the linear approximation of its effect on that class’s logit.';
  if (!attribution) return `${rule} ${absent('Which attributions were kept', 'parameters.attribution')}`;
  const top = isNumber(attribution.topK)
    ? `The ${count(attribution.topK)} classes with the largest attribution are kept for each sample`
    : 'The classes with the largest attribution are kept for each sample';
  const classes = attribution.classes?.length
    ? `, and the attributions to ${list(attribution.classes)} for every sample (for class focus, class atlases and comparisons)`
    : '';
  return `${rule} ${top}${classes}.`;
}

/** Layout parameters that every view shares, written once; views that differ are named with what differs. */
export function layoutText(manifest: MethodsManifest, views: [string, NonNullable<MethodsManifest['views']>[string]][], need: Need, absent: Absent): string {
  const layouts = need(manifest.layouts, 'layouts');
  if (!layouts || !Object.keys(layouts).length) return absent('Layout parameters', 'layouts');
  const entries = Object.entries(layouts).flatMap(([id, params]) => (params ? [[id, new Map<string, unknown>(Object.entries(params))] as const] : []));
  const canonical = (params: Map<string, unknown>) => JSON.stringify([...params].sort(([a], [b]) => (a < b ? -1 : 1)));
  const tally = new Map<string, number>();
  for (const [, params] of entries) tally.set(canonical(params), (tally.get(canonical(params)) ?? 0) + 1);
  const common = entries.find(([, params]) => canonical(params) === [...tally].sort((a, b) => b[1] - a[1])[0]![0])![1];

  const l = layouts[entries.find(([, params]) => params === common)![0]]!;
  const reduce = isNumber(l.pca) && l.pca > 0 ? `reduced to ${count(l.pca)} dimensions by PCA, ` : '';
  const knn = `their ${isNumber(l.neighbors) ? count(l.neighbors) : NOT_RECORDED} nearest neighbours found by ${l.metric ?? NOT_RECORDED} distance`;
  const umap = `and laid out in 2-D by UMAP (minimum distance ${l.minDist ?? NOT_RECORDED}${isNumber(l.epochs) ? `, ${count(l.epochs)} epochs` : ''}${isNumber(l.seed) ? `, seed ${l.seed}` : ''})`;
  const clip =
    l.clipPercentiles?.length === 2
      ? `; each axis is then clipped to its ${ordinal(l.clipPercentiles[0]!)}–${ordinal(l.clipPercentiles[1]!)} percentile${isNumber(l.margin) ? `, given a ${decimal(l.margin * 100, 0)} % margin` : ''} and scaled to [0, 1]`
      : '';
  const sentences = [`Each view’s samples are ${reduce}${knn}, ${umap}${clip}.`];
  const approximate = Object.entries(manifest.results ?? {}).flatMap(([id, result]) => (result?.neighbourSearch === 'approximate' ? [id] : []));
  if (approximate.length) {
    const all = approximate.length === entries.length;
    sentences.push(
      `${all ? 'Every view’s neighbours are' : `The neighbours of ${list(approximate)} are`} approximate: random-projection trees give each sample a first guess, which NN-descent (Dong et al. 2011) improves from its neighbours’ neighbours${all ? '' : '; the other views’ are exact'}.`,
    );
  }

  const names: Record<string, string> = { neighbors: 'neighbours', minDist: 'minimum distance', pca: 'PCA dimensions' };
  const differences = entries
    .filter(([, params]) => params !== common)
    .map(([id, params]) => {
      const changed = [...new Set([...params.keys(), ...common.keys()])].filter((key) => JSON.stringify(params.get(key)) !== JSON.stringify(common.get(key)));
      return `${id}: ${changed.map((key) => `${names[key] ?? key} ${params.get(key) === undefined ? 'default' : JSON.stringify(params.get(key)).replace(/"/g, '')}`).join(', ')}`;
    })
    .filter((line) => !line.endsWith(': '));
  if (differences.length) sentences.push(`These differ per view: ${differences.join('; ')}.`);
  else if (entries.length > 1) sentences.push('Every view uses these parameters.');
  if (views.some(([, view]) => view.kind === 'comparison')) {
    sentences.push(
      'A comparison uses a layout only for its vertical axis (1-D, with these parameters); across, it places each sample by the difference of its attributions to the two classes.',
    );
  }
  return sentences.join(' ');
}

export function gridsText(grids: Parameters['grids'], absent: Absent): string {
  if (!grids) return absent('Grid parameters', 'parameters.grids');
  const sizes = grids.sizes?.length ? `Grids of ${list(grids.sizes.map(count))} cells per side` : 'Grids';
  const kept = isNumber(grids.minCount)
    ? `a cell is kept when it holds more than ${plural(grids.minCount, 'sample')}`
    : 'a cell is kept when it holds enough samples';
  return `${sizes} are laid over each map (a class atlas or comparison may use fewer; see the table); ${kept}, its activation is the mean of its samples’ activations, and its classes the mean of their attributions.`;
}

const ICON_KEYS = [
  'mode',
  'size',
  'steps',
  'warmStart',
  'warmStartSteps',
  'attempts',
  'learningRate',
  'cosinePower',
  'whiten',
  'parameterization',
  'decorrelate',
  'redirectedReluSteps',
  'batch',
  'seed',
];

export function iconsText(icons: Parameters['icons'], absent: Absent): string {
  if (!icons) return absent('Icon parameters', 'parameters.icons');
  const i = icons;
  const size = isNumber(i.size) ? `${count(i.size)} px` : 'an';
  const sentences: string[] = [];
  if (i.mode === 'examples') {
    sentences.push(`Each kept cell is drawn as the data-set crop (${size}) whose activation is nearest the cell’s mean activation.`);
  } else {
    const param =
      i.parameterization === 'pixels'
        ? 'parameterized as pixels'
        : `parameterized in Fourier space${i.decorrelate === false ? '' : ' with decorrelated colour'}`;
    const steps = isNumber(i.steps) ? `for ${plural(i.steps, 'step')}` : '';
    const lr = isNumber(i.learningRate) ? ` (learning rate ${i.learningRate})` : '';
    const power = isNumber(i.cosinePower) ? i.cosinePower : 'p';
    sentences.push(
      `Each kept cell is drawn as a feature-visualization icon of its mean activation (the direction): a ${size} image ${param}, optimized with Adam${lr} ${steps} to maximize dot(act, dir) · cos(act, dir)^${power} at the centre position, through random jitter, scale and rotation.`,
    );
    const details = [
      isNumber(i.redirectedReluSteps) && i.redirectedReluSteps > 0
        ? `gradients pass through ReLUs for the first ${plural(i.redirectedReluSteps, 'step')} (redirected ReLU)`
        : '',
      i.whiten === undefined ? '' : i.whiten ? 'the direction is whitened by the layer’s activation covariance' : 'the direction is not whitened',
      isNumber(i.attempts) ? (i.attempts > 1 ? `the best of ${count(i.attempts)} attempts is kept` : 'one attempt per icon') : '',
      isNumber(i.batch) ? `${count(i.batch)} icons are optimized together per batch` : '',
      isNumber(i.seed) ? `seed ${i.seed}` : '',
    ].filter(Boolean);
    if (details.length) sentences.push(`${capitalize(details.join('; '))}.`);
    if (i.warmStart === 'parent') {
      const warmSteps = isNumber(i.warmStartSteps) ? i.warmStartSteps : isNumber(i.steps) ? Math.max(1, Math.round(i.steps / 4)) : undefined;
      sentences.push(
        `On every grid but the coarsest, a cell’s icon starts from the icon of the coarser cell under its centre and is optimized for ${warmSteps === undefined ? 'fewer steps' : plural(warmSteps, 'step')} more (a warm start); a cell whose parent was not kept starts from noise.`,
      );
    }
  }
  // Fields a newer pipeline adds are still shown, so the section never hides a parameter.
  const others = Object.entries(icons).filter(([key]) => !ICON_KEYS.includes(key));
  if (others.length) sentences.push(`Other icon parameters: ${others.map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ')}.`);
  return sentences.join(' ');
}

/** What the judge network made of the icons, per layer view and scored grid, beside its two references. */
export function legibilityText(manifest: MethodsManifest): string | undefined {
  const scored = Object.entries(manifest.results ?? {}).flatMap(([id, result]) => (result.legibility?.grids ?? []).map((grid) => ({ id, grid })));
  if (!scored.length) return undefined;
  const judge = manifest.parameters?.legibility?.judge ?? Object.values(manifest.results ?? {}).find((r) => r.legibility?.judge)?.legibility?.judge;
  const steps = scored[0]!.grid.referenceSteps;
  const each = scored.map(({ id, grid }) =>
    isNumber(grid.icons) && isNumber(grid.cells)
      ? `${id} at grid ${count(grid.size)}, ${percentOf(grid.icons)} of ${count(grid.cells)} icons (noise ${isNumber(grid.noise) ? percentOf(grid.noise) : NOT_RECORDED}, ${isNumber(grid.referenceSteps) ? `${count(grid.referenceSteps)}-step` : 'short-run'} icons ${isNumber(grid.reference) ? percentOf(grid.reference) : NOT_RECORDED})`
      : `${id}: ${NOT_RECORDED}`,
  );
  return (
    `Legibility: a judge network${judge ? ` (${judge})` : ''}, trained apart from the atlas’s model on the same classes, classifies every icon of a grid; an icon counts as legible when the judge names its cell’s top attributed class. ` +
    `Features that transfer to an independently trained network are features, not adversarial noise. ` +
    `References: seeded random-noise images, and icons of the same cells optimized from noise for only ${isNumber(steps) ? plural(steps, 'step') : 'a few steps'}. ` +
    `Scores: ${list(each)}.`
  );
}

export function renderText(manifest: MethodsManifest, render: Parameters['render'], absent: Absent): string {
  const sentences: string[] = [];
  if (!render) sentences.push(absent('Rendering parameters', 'parameters.render'));
  else {
    const perCell = isNumber(render.cellPixels) ? `${count(render.cellPixels)} px per cell` : 'the icon size per cell';
    const tiles = `${isNumber(render.tileSize) ? `${count(render.tileSize)} px ` : ''}${(render.format ?? 'jpeg').toUpperCase()} tiles`;
    const details = [
      isNumber(render.quality) ? `quality ${render.quality}` : '',
      isNumber(render.overlap) ? `${render.overlap} px overlap` : '',
      render.background ? `background ${render.background}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    sentences.push(
      `Each grid level is drawn at ${perCell}, and the levels of a view are composed into one deep-zoom pyramid of ${tiles}${details ? ` (${details})` : ''}.`,
    );
  }
  const totals = manifest.totals;
  if (isNumber(totals?.files) && isNumber(totals?.bytes))
    sentences.push(`All views together take ${plural(totals.files, 'file')}, ${megabytes(totals.bytes)} MB.`);
  return sentences.join(' ');
}

export function computeText(manifest: MethodsManifest, need: Need, absent: Absent): string {
  const sentences: string[] = [];
  const backend = need(manifest.backend, 'backend');
  sentences.push(backend ? `The pipeline’s compute engine reported: “${backend.replace(/\.$/, '')}”.` : absent('The compute backend', 'backend'));
  const versions = need(manifest.versions, 'versions');
  if (versions) {
    const tools = [
      versions.tfjs && `TensorFlow.js ${versions.tfjs}`,
      versions.sharp && `sharp ${versions.sharp}`,
      versions.node && `Node ${versions.node}`,
    ].filter((tool): tool is string => Boolean(tool));
    if (tools.length) sentences.push(`Software: ${list(tools)}.`);
    const stages = Object.entries(versions.stages ?? {});
    if (stages.length) {
      sentences.push(
        `Stage code versions (a cached result is reused only while its stage’s version and inputs are unchanged): ${stages.map(([name, version]) => `${name} ${version}`).join(', ')}.`,
      );
    }
  } else sentences.push(absent('Software versions', 'versions'));
  return sentences.join(' ');
}

export function experimentsText(manifest: MethodsManifest): string | undefined {
  const experiments = Object.entries(manifest.patchExperiments ?? {});
  if (!experiments.length) return undefined;
  const each = experiments.map(([id, e]) => `${id} (${e.images !== undefined ? `${count(e.images)} ` : ''}${e.from ?? '?'} images, towards ${e.to ?? '?'})`);
  return `The manifest also records ${plural(experiments.length, 'patch experiment')}: ${list(each)}; its results are under patchExperiments.`;
}
