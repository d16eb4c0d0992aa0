/**
 * Neuron figures (Distill's "neuron" and "pairwise interaction" panels): one feature visualization per recipe
 * `neurons` entry, maximizing the sum of its channels at the layer's centre position. Goes through the icons
 * stage and its cache with cosinePower 0, which makes the direction objective Lucid's plain neuron objective
 * (the sum of the channels' values) instead of an atlas icon's magnitude × cosine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheStore } from '../../cache/store.ts';
import { tf } from '../../engine/tf.ts';
import { UserError } from '../../errors.ts';
import type { Recipe } from '../../recipes/schema.ts';
import { cachedIcons, iconKeys, iconTasks, runIcons, type IconsInput } from '../../icons/stage.ts';
import { probeLayer } from '../../icons/tasks.ts';
import type { NeuronIndex } from '../../published/manifest.ts';
import type { FigureRun } from '../figure-run.ts';

export type NeuronSpec = Recipe['neurons'][number];

export async function runNeuron(source: FigureRun<NeuronSpec>): Promise<(NeuronIndex & { id: string; rendered: boolean }) | undefined> {
  const { recipe, spec } = source;
  const where = `${path.relative(source.root, recipe.file)}: neurons "${spec.id}"`;
  const modelFolder = path.resolve(source.root, recipe.model);
  const probe = await source.pool.call(iconTasks.probeLayer, { model: modelFolder, layer: spec.layer, preprocess: recipe.preprocess }).catch((error: Error) => {
    throw new UserError(
      `${where}: layer "${spec.layer}" cannot be visualized (${error.message}); list the model's layers with npm run atlas -- model inspect ${recipe.model}.`,
    );
  });
  const depth = probe.shape.at(-1)!;
  const outside = spec.channels.filter((channel) => channel >= depth);
  if (outside.length) throw new UserError(`${where}: channel ${outside.join(', ')} is out of range; layer ${spec.layer} has channels 0–${depth - 1}.`);

  const steps = spec.steps ?? recipe.icons.steps;
  const result = await runIcons({
    ...neuronIcon(source, depth),
    modelFolder,
    cache: source.cache,
    pool: source.pool,
    ...(source.only ? { only: source.only } : {}),
  });
  // A shard's share (the icon is another shard's): nothing to write.
  if (!result.complete) return undefined;
  const file = path.join('neurons', `${spec.id}.png`);
  mkdirSync(path.join(source.outDir, 'neurons'), { recursive: true });
  writeFileSync(path.join(source.outDir, file), result.icons[0]!);
  const title = spec.title ?? `${spec.layer}, ${spec.channels.length > 1 ? 'channels' : 'channel'} ${spec.channels.join(' + ')}`;
  return {
    id: spec.id,
    layer: spec.layer,
    channels: spec.channels,
    title,
    path: file.split(path.sep).join('/'),
    size: recipe.icons.size,
    steps,
    rendered: result.computed > 0,
  };
}

type NeuronSource = { recipe: Recipe; spec: NeuronSpec; modelHash: string };

/** What the icons stage is asked for: Lucid's neuron objective on the sum of the channels. */
function neuronIcon(source: NeuronSource, depth: number): Omit<IconsInput, 'modelFolder' | 'cache' | 'pool'> {
  const direction = new Float32Array(depth);
  for (const channel of source.spec.channels) direction[channel] = 1;
  const steps = source.spec.steps ?? source.recipe.icons.steps;
  return {
    modelHash: source.modelHash,
    layer: source.spec.layer,
    directions: direction,
    depth,
    params: { ...source.recipe.icons, steps, cosinePower: 0, whiten: false },
    preprocess: source.recipe.preprocess,
  };
}

/** Whether a neuron figure's icon is in the cache; the layer's channel count comes from one forward pass of zeros. */
export async function neuronStatus(
  source: NeuronSource & { root: string; cache: CacheStore },
): Promise<{ fresh: boolean; why: string; done: number; total: number }> {
  await tf.ready(); // any backend tells a shape
  const { shape } = await probeLayer({ model: path.resolve(source.root, source.recipe.model), layer: source.spec.layer, preprocess: source.recipe.preprocess });
  const depth = shape.at(-1)!;
  if (source.spec.channels.some((channel) => channel >= depth))
    return { fresh: false, why: `channel out of range (${source.spec.layer} has ${depth}); atlas build says which`, done: 0, total: 1 };
  const cached = cachedIcons(source.cache, iconKeys(neuronIcon(source, depth)).keys);
  return { fresh: cached === 1, why: cached ? 'icon cached' : 'icon to draw', done: cached, total: 1 };
}
