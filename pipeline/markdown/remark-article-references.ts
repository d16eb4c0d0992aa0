/**
 * Numbers what an article refers to, at build time:
 * - `<Figure id="…">` gets its figure number; `<Ref to="…"/>` becomes a link reading "Figure N" with a preview;
 * - `<Cite key="a, b"/>` becomes "[1, 2]", numbered in order of first use, with a preview of the entries;
 * - the cited references, in that order, are put on the front matter as `references` for the bibliography.
 * Unknown keys and figure ids stop the build with the file, line and name.
 */
import path from 'node:path';
import type { Node, Parent } from 'unist';
import type { VFile } from 'vfile';
import { SKIP, visit } from 'unist-util-visit';
import { UserError } from '../errors.ts';
import { citationLabel, formatReferenceHtml, formatReferenceText, scholarReference } from '../citations/format.ts';
import { loadBibliography } from './bibliography-file.ts';
import { isMdxElement, lineOf, setStringAttribute, stringAttribute, type MdxJsxElement } from './mdx-nodes.ts';

export interface CitedReference {
  key: string;
  /** Element id of the bibliography entry. */
  id: string;
  number: number;
  html: string;
  text: string;
  /** The entry as Google Scholar's citation_reference meta tag reads it. */
  scholar: string;
}

export interface ArticleReferencesOptions {
  /** Folder that `bibliography: name.bib` in front matter is resolved against. */
  bibliographyDir: string;
}

export function referenceId(key: string): string {
  return `bib-${key.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

export default function remarkArticleReferences(options: ArticleReferencesOptions) {
  return (tree: Node, file: VFile) => {
    const frontmatter = frontmatterOf(file);
    const label = file.path ? path.relative(process.cwd(), file.path) : 'article';
    numberFigures(tree, label);
    const references = numberCitations(tree, label, frontmatter, options);
    frontmatter.references = references;
  };
}

function frontmatterOf(file: VFile): Record<string, unknown> {
  const data = file.data as { astro?: { frontmatter?: Record<string, unknown> } };
  data.astro ??= {};
  data.astro.frontmatter ??= {};
  return data.astro.frontmatter;
}

function numberFigures(tree: Node, label: string): void {
  const numbers = new Map<string, number>();
  let count = 0;
  visit(tree, (node) => {
    if (!isMdxElement(node, 'Figure')) return;
    count++;
    const id = stringAttribute(node, 'id', `${label}:${lineOf(node)}`);
    if (id) {
      if (numbers.has(id)) throw new UserError(`${label}:${lineOf(node)}: figure id "${id}" is used twice; give each <Figure> its own id.`);
      numbers.set(id, count);
    }
    setStringAttribute(node, 'number', String(count));
  });

  replaceElements(tree, 'Ref', (node) => {
    const where = `${label}:${lineOf(node)}`;
    const target = stringAttribute(node, 'to', where);
    if (!target) throw new UserError(`${where}: <Ref> needs a "to" attribute naming a figure id, e.g. <Ref to="fig-atlas" />.`);
    const number = numbers.get(target);
    if (number === undefined) {
      const known = [...numbers.keys()];
      throw new UserError(
        `${where}: <Ref to="${target}"> names no figure; ${known.length ? `figure ids in this article are ${known.join(', ')}` : 'this article has no <Figure id="…">'}.`,
      );
    }
    return phrasing('a', { href: `#${target}`, className: ['figure-ref'], dataPreview: target }, `Figure ${number}`);
  });
}

function numberCitations(tree: Node, label: string, frontmatter: Record<string, unknown>, options: ArticleReferencesOptions): CitedReference[] {
  const cited = new Map<string, CitedReference>();
  let bibliography: ReturnType<typeof loadBibliography> | undefined;

  replaceElements(tree, 'Cite', (node) => {
    const where = `${label}:${lineOf(node)}`;
    const keys = (stringAttribute(node, 'key', where) ?? '').split(/[\s,]+/).filter(Boolean);
    if (!keys.length) throw new UserError(`${where}: <Cite> needs a "key" attribute with one or more BibTeX keys, e.g. <Cite key="carter2019activation" />.`);
    if (typeof frontmatter.bibliography !== 'string') {
      throw new UserError(`${where}: <Cite key="${keys.join(',')}"> needs a bibliography; add "bibliography: name.bib" to the front matter.`);
    }
    bibliography ??= loadBibliography(options.bibliographyDir, frontmatter.bibliography, label);
    const entries = keys.map((key) => {
      const reference = bibliography!.get(key);
      if (!reference) {
        throw new UserError(`${where}: citation key "${key}" is not in ${frontmatter.bibliography}; add the entry or fix the key.`);
      }
      let entry = cited.get(key);
      if (!entry) {
        entry = {
          key,
          id: referenceId(key),
          number: cited.size + 1,
          html: formatReferenceHtml(reference),
          text: formatReferenceText(reference),
          scholar: scholarReference(reference),
        };
        cited.set(key, entry);
      }
      return entry;
    });
    const text = citationLabel(entries.map((entry) => entry.number));
    return phrasing(
      'a',
      {
        href: `#${entries[0]!.id}`,
        className: ['citation'],
        dataPreview: entries.map((entry) => entry.id).join(' '),
        ariaLabel: `Reference${entries.length > 1 ? 's' : ''} ${text.slice(1, -1)}`,
      },
      text,
    );
  });
  return [...cited.values()];
}

/** An mdast node that remark-rehype turns into a plain HTML element (via data.hName/hProperties/hChildren). */
function phrasing(tagName: string, properties: Record<string, unknown>, text: string): Node {
  return {
    type: 'articleReference',
    data: { hName: tagName, hProperties: properties, hChildren: [{ type: 'text', value: text }] },
  } as Node;
}

function replaceElements(tree: Node, name: string, replace: (node: MdxJsxElement) => Node): void {
  visit(tree, (node, index, parent: Parent | undefined) => {
    if (!isMdxElement(node, name) || !parent || index === undefined) return;
    parent.children[index] = replace(node);
    return SKIP;
  });
}
