/** Atlas recipes: reference defaults filled in; every mistake named by file and field. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecipe } from '../../pipeline/recipes/read.ts';
import { fixtureModels } from '../fixtures/models.ts';

let root: string;
let model: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'atlas-recipe-'));
  model = path.relative(root, (await fixtureModels()).mobilenet);
});

function recipe(text: string): string {
  const file = path.join(root, `r${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

const minimal = () => `model: ${model}\npreprocess: { size: 64, range: [-1, 1] }\ndata: { synthetic: { seed: 1 }, count: 500 }\nlayers: [conv_pw_5_relu]\n`;

describe('atlas recipes', () => {
  it('fills in the reference parameters', () => {
    const r = readRecipe(recipe(minimal()), root);
    expect(r.layout).toMatchObject({ method: 'umap', neighbors: 50, minDist: 0.05, metric: 'cosine', clipPercentiles: [1, 99], margin: 0.1 });
    expect(r.grids).toEqual({ sizes: [20, 40, 80, 160], minCount: 5 });
    expect(r.attribution).toEqual({ topK: 5, classes: [] });
    expect(r.sampling).toEqual({ positionsPerImage: 1, seed: 0 });
    expect(r.data).toMatchObject({ synthetic: { seed: 1, split: 'test' }, count: 500 });
  });

  it('names the file and the field of each mistake', () => {
    const label = (file: string) => path.relative(root, file).replace(/\./g, '\\.');
    const bad = recipe(minimal().replace('neighbors', 'x').replace('layers: [conv_pw_5_relu]', 'layers: []'));
    expect(() => readRecipe(bad, root)).toThrowError(new RegExp(`^${label(bad)}: field "layers" must name at least one layer\\.$`));
    const typo = recipe(`${minimal()}layuot: { neighbors: 15 }\n`);
    expect(() => readRecipe(typo, root)).toThrowError(`${path.relative(root, typo)}: unknown field "layuot": remove it or check the spelling.`);
    const wrongType = recipe(`${minimal()}layout: { neighbors: many }\n`);
    expect(() => readRecipe(wrongType, root)).toThrowError(/field "layout\.neighbors" must be a number, not a string\.$/);
    const twoSources = recipe(minimal().replace('data: { synthetic: { seed: 1 }, count: 500 }', 'data: { synthetic: { seed: 1 }, folder: photos }'));
    expect(() => readRecipe(twoSources, root)).toThrowError(/field "data" give one source: synthetic, folder or manifest\.$/);
  });

  it('says when the model or the data folder is not there', () => {
    const noModel = recipe(minimal().replace(`model: ${model}`, 'model: models/none'));
    expect(() => readRecipe(noModel, root)).toThrowError(/field "model" names models\/none, which holds no model\.json/);
    const noFolder = recipe(minimal().replace('data: { synthetic: { seed: 1 }, count: 500 }', 'data: { folder: photos }'));
    expect(() => readRecipe(noFolder, root)).toThrowError(/field "data\.folder" names photos, which does not exist\./);
  });
});

describe('the demo recipe', () => {
  it('parses, and names classes and layers the demo network has', async () => {
    const { readFileSync } = await import('node:fs');
    const r = readRecipe(path.resolve('content/atlases/demo.yaml'), process.cwd());
    const labels = JSON.parse(readFileSync(path.resolve(r.model, 'labels.json'), 'utf8')) as string[];
    for (const name of r.attribution.classes) expect(labels).toContain(name);
    const model = JSON.parse(readFileSync(path.resolve(r.model, 'model.json'), 'utf8'));
    const topology = model.modelTopology.model_config ?? model.modelTopology;
    const layerNames = topology.config.layers.map((l: { name: string }) => l.name);
    for (const layer of r.layers) expect(layerNames).toContain(layer);
  });
});
