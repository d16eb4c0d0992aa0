/**
 * Checks the atlas figures of an article against what the pipeline published, before anything is rendered:
 * <Atlas>, <ClassCompare>, <Scrolly> with its <Step>s, <AtlasLink>, <ActivationGrid>, <Neuron>, <PatchExperiment>,
 * <Value> and <MethodsAppendix>, and a cover taken from an atlas view (front matter cover: { atlas, view }). A name the pipeline did not produce (atlas, view, class, activation grid, neuron
 * figure, patch experiment, manifest path), a malformed region or a link to no atlas figure stops the build with
 * the file, the line and the name. It also fills in what components cannot see across the tree: a
 * Scrolly's views (from its steps), and each Step's atlas and number.
 */
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { Node } from 'unist';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { UserError } from '../errors.ts';
import { isMdxElement, lineOf, setStringAttribute, stringAttribute, type MdxJsxElement } from './mdx-nodes.ts';
import { comparisonViewId } from '../published/ids.ts';
import { readPublishedAtlas, type PublishedAtlas } from '../published/reader.ts';
import { BOX_HINT, POINTS_HINT, parseBox, parseList, parsePoints } from '../published/figure-props.ts';
import { VALUE_FORMATS, type ValueFormat } from '../published/manifest-value.ts';

export interface AtlasFiguresOptions {
  /** <publicDir>/atlases, where the pipeline published the atlases. */
  atlasesDir: string;
}

/** The elements that show an atlas and can be the target of an <AtlasLink>. */
const VIEWER_ELEMENTS = ['Atlas', 'ClassCompare', 'Scrolly'] as const;

interface Target {
  atlas: PublishedAtlas;
  views: string[];
  /** The viewer element's id. */
  id: string;
}

export default function remarkAtlasFigures(options: AtlasFiguresOptions) {
  return (tree: Node, file: VFile) => {
    const label = file.path ? path.relative(process.cwd(), file.path) : 'article';
    const targets = new Map<string, Target>();
    const checked = new Map<Node, Target>();
    const at = (node: Node) => `${label}:${lineOf(node)}`;
    checkCover(file, label, options.atlasesDir);

    visit(tree, (node) => {
      for (const name of VIEWER_ELEMENTS) {
        if (!isMdxElement(node, name)) continue;
        const target = checkViewer(node, at(node), options.atlasesDir);
        checked.set(node, target);
        const id = stringAttribute(node, 'id', at(node));
        if (id) targets.set(id, { ...target, id });
      }
      if (isMdxElement(node, 'ActivationGrid')) checkActivationGrid(node, at(node), options.atlasesDir);
      if (isMdxElement(node, 'Neuron')) checkNeuron(node, at(node), options.atlasesDir);
      if (isMdxElement(node, 'PatchExperiment')) checkPatchExperiment(node, at(node), options.atlasesDir);
      if (isMdxElement(node, 'Value')) checkValue(node, at(node), options.atlasesDir);
      // The methods section reads the atlas's manifest.json: the atlas must exist.
      if (isMdxElement(node, 'MethodsAppendix')) atlasOf(node, at(node), options.atlasesDir);
    });

    // A <Figure id="…"> wrapping a viewer is a target under the figure's id too; the viewer gets an id from it.
    visit(tree, (node) => {
      if (!isMdxElement(node, 'Figure')) return;
      const id = stringAttribute(node, 'id', at(node));
      if (!id || targets.has(id)) return;
      let inner: MdxJsxElement | undefined;
      visit(node, (child) => {
        if (!inner && checked.has(child)) inner = child as MdxJsxElement;
      });
      if (!inner) return;
      if (!stringAttribute(inner, 'id', at(inner))) setStringAttribute(inner, 'id', `${id}-atlas`);
      const target = { ...checked.get(inner)!, id: stringAttribute(inner, 'id', at(inner))! };
      targets.set(id, target);
      targets.set(target.id, target);
    });
    // Every viewer needs an id: deep links and links from the text name figures by it.
    let unnamed = 0;
    for (const [node, target] of checked) {
      const element = node as MdxJsxElement;
      if (!stringAttribute(element, 'id', at(element))) setStringAttribute(element, 'id', `atlas-figure-${++unnamed}`);
      target.id = stringAttribute(element, 'id', at(element))!;
    }

    visit(tree, (node) => {
      if (!isMdxElement(node, 'AtlasLink')) return;
      const where = at(node);
      const to = stringAttribute(node, 'to', where);
      if (!to)
        throw new UserError(
          `${where}: <AtlasLink> needs a "to" attribute naming the id of an atlas figure, e.g. <AtlasLink to="fig-atlas" box="0.2 0.2 0.5 0.5">.`,
        );
      const target = targets.get(to);
      if (!target) {
        const known = [...targets.keys()];
        throw new UserError(
          `${where}: <AtlasLink to="${to}"> names no atlas figure; ${known.length ? `atlas figure ids here are ${known.join(', ')}` : 'give an <Atlas> or its <Figure> an id'}.`,
        );
      }
      const view = stringAttribute(node, 'view', where);
      if (view && !target.views.includes(view)) {
        throw new UserError(
          `${where}: <AtlasLink view="${view}"> is not a view that figure "${to}" shows (${target.views.join(', ')}); add it to that figure's views or fix the name.`,
        );
      }
      checkFocus(node, target.atlas, where);
      checkBox(node, where);
      checkHighlight(node, where);
      setStringAttribute(node, 'figure', target.id);
      setStringAttribute(node, 'atlas', target.atlas.name);
    });
  };
}

function checkViewer(node: MdxJsxElement, where: string, atlasesDir: string): Target {
  const atlas = atlasOf(node, where, atlasesDir);
  const views = viewsOf(node, atlas, where);
  checkFocus(node, atlas, where);
  checkBox(node, where);
  if (node.name === 'Scrolly') {
    let number = 0;
    visit(node, (child) => {
      if (!isMdxElement(child, 'Step')) return;
      const stepWhere = `${where.replace(/:\d*$/, '')}:${lineOf(child)}`;
      number++;
      const view = stringAttribute(child, 'view', stepWhere);
      if (view) {
        atlas.view(view, `${stepWhere}: <Step view="${view}">`);
        if (!views.includes(view)) views.push(view);
      }
      checkFocus(child, atlas, stepWhere);
      checkBox(child, stepWhere);
      checkHighlight(child, stepWhere);
      setStringAttribute(child, 'atlas', atlas.name);
      setStringAttribute(child, 'number', String(number));
      if (!view) setStringAttribute(child, 'view', views[0]!);
    });
    if (!number) throw new UserError(`${where}: <Scrolly> needs <Step> children, one per paragraph of the story.`);
    setStringAttribute(node, 'views', views.join(' '));
  }
  return { atlas, views, id: '' };
}

function atlasOf(node: MdxJsxElement, where: string, atlasesDir: string): PublishedAtlas {
  return readPublishedAtlas(atlasesDir, stringAttribute(node, 'atlas', where), `${where}: <${node.name}>`);
}

/** The views a viewer element offers, first the one it opens with; each must exist. */
function viewsOf(node: MdxJsxElement, atlas: PublishedAtlas, where: string): string[] {
  if (node.name === 'ClassCompare') {
    const view = stringAttribute(node, 'view', where) ?? comparisonView(node, atlas, where);
    atlas.view(view, `${where}: <ClassCompare view="${view}">`);
    return [view];
  }
  const view = stringAttribute(node, 'view', where);
  const listed = parseList(stringAttribute(node, 'views', where));
  const views = [...new Set([...(view ? [view] : []), ...listed])];
  if (!views.length) {
    throw new UserError(`${where}: <${node.name}> needs a "view" (or "views") attribute; atlas "${atlas.name}" has ${Object.keys(atlas.views).join(', ')}.`);
  }
  for (const id of views) atlas.view(id, `${where}: <${node.name} view="${id}">`);
  return views;
}

/** <ClassCompare layer="mixed5a" classes="whale shark"> → "mixed5a.compare-whale-shark". */
function comparisonView(node: MdxJsxElement, atlas: PublishedAtlas, where: string): string {
  const layer = stringAttribute(node, 'layer', where);
  const classes = parseList(stringAttribute(node, 'classes', where));
  if (!layer || classes.length !== 2) {
    throw new UserError(`${where}: <ClassCompare> needs view="<layer>.compare-<a>-<b>", or layer="…" and classes="a b" naming two classes.`);
  }
  for (const name of classes) atlas.requireClass(name, `${where}: <ClassCompare classes="${classes.join(' ')}">: "${name}"`);
  return comparisonViewId(layer, classes[0]!, classes[1]!);
}

/** highlight="x y; x y …": the same rule for <AtlasLink> and <Step>. */
function checkHighlight(node: MdxJsxElement, where: string): void {
  const highlight = stringAttribute(node, 'highlight', where);
  if (highlight !== undefined && !parsePoints(highlight)) throw new UserError(`${where}: <${node.name} highlight="${highlight}"> must be ${POINTS_HINT}.`);
}

function checkFocus(node: MdxJsxElement, atlas: PublishedAtlas, where: string): void {
  const focus = stringAttribute(node, 'focus', where);
  if (focus) atlas.requireClass(focus, `${where}: <${node.name} focus="${focus}">`);
}

function checkBox(node: MdxJsxElement, where: string): void {
  const box = stringAttribute(node, 'box', where);
  if (box !== undefined && !parseBox(box)) throw new UserError(`${where}: <${node.name} box="${box}"> must be ${BOX_HINT}.`);
}

function checkNeuron(node: MdxJsxElement, where: string, atlasesDir: string): void {
  const atlas = atlasOf(node, where, atlasesDir);
  const neuron = stringAttribute(node, 'neuron', where);
  if (!neuron) throw new UserError(`${where}: <Neuron> needs a "neuron" attribute naming one of the recipe's neurons entries.`);
  atlas.neuron(neuron, `${where}: <Neuron neuron="${neuron}">`);
}

function checkPatchExperiment(node: MdxJsxElement, where: string, atlasesDir: string): void {
  const atlas = atlasOf(node, where, atlasesDir);
  const experiment = stringAttribute(node, 'experiment', where);
  if (!experiment) throw new UserError(`${where}: <PatchExperiment> needs an "experiment" attribute naming one of the recipe's patchExperiments entries.`);
  atlas.patchExperiment(experiment, `${where}: <PatchExperiment experiment="${experiment}">`);
}

function checkValue(node: MdxJsxElement, where: string, atlasesDir: string): void {
  const atlas = atlasOf(node, where, atlasesDir);
  const valuePath = stringAttribute(node, 'path', where);
  if (!valuePath) throw new UserError(`${where}: <Value> needs a "path" attribute into the atlas's manifest.json, e.g. path="images.count".`);
  const format = stringAttribute(node, 'format', where);
  if (format && !VALUE_FORMATS.includes(format as ValueFormat))
    throw new UserError(`${where}: <Value format="${format}"> is not a format; use one of ${VALUE_FORMATS.join(', ')}.`);
  atlas.value(valuePath, `${where}: <Value path="${valuePath}">`);
}

/** A cover from an atlas view must name a published atlas and one of its views. */
function checkCover(file: VFile, label: string, atlasesDir: string): void {
  const frontmatter = (file.data as { astro?: { frontmatter?: { cover?: { atlas?: unknown; view?: unknown } } } }).astro?.frontmatter;
  const cover = frontmatter?.cover;
  if (!cover || (cover.atlas === undefined && cover.view === undefined)) return;
  const where = `${label}:${coverLine(file)}`;
  const atlas = readPublishedAtlas(atlasesDir, String(cover.atlas ?? ''), `${where}: cover.atlas`);
  atlas.view(String(cover.view), `${where}: cover.view "${String(cover.view)}"`);
}

/** The line of the front matter's cover key (its atlas: line when the cover spans several lines). */
function coverLine(file: VFile): number {
  if (!file.path || !existsSync(file.path)) return 1;
  const lines = readFileSync(file.path, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^cover\s*:/.test(line));
  if (start < 0) return 1;
  for (let i = start + 1; i < lines.length && /^\s/.test(lines[i]!); i++) if (/^\s+atlas\s*:/.test(lines[i]!)) return i + 1;
  return start + 1;
}

function checkActivationGrid(node: MdxJsxElement, where: string, atlasesDir: string): void {
  const atlas = atlasOf(node, where, atlasesDir);
  const grid = stringAttribute(node, 'grid', where);
  if (!grid) throw new UserError(`${where}: <ActivationGrid> needs a "grid" attribute naming one of the atlas's activation grids.`);
  atlas.activationGrid(grid, `${where}: <ActivationGrid grid="${grid}">`);
}
