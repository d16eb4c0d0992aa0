/**
 * Makes root-relative links written in MDX ("[x](/other-article/)", "<img src="/images/a.png">") work under a
 * base path, by prefixing them at build time. Covers plain HTML elements and the literal string attributes of
 * JSX elements, since MDX keeps `<img>` written as JSX out of the HTML tree.
 */
import type { Node } from 'unist';
import { visit } from 'unist-util-visit';
import { srcsetWithBase, withBase } from '../site/base-path.ts';

const URL_ATTRIBUTES = new Set(['href', 'src', 'poster', 'data', 'action', 'cite']);

interface Element extends Node {
  properties?: Record<string, unknown>;
  attributes?: Array<{ type: string; name?: string; value?: unknown }>;
}

export default function rehypeBaseLinks(options: { base: string }) {
  const rewrite = (name: string, value: string) =>
    name === 'srcset' || name === 'srcSet' ? srcsetWithBase(value, options.base) : withBase(value, options.base);

  return (tree: Node) => {
    visit(tree, (node: Element) => {
      if (node.type === 'element' && node.properties) {
        for (const [name, value] of Object.entries(node.properties)) {
          if (typeof value === 'string' && (URL_ATTRIBUTES.has(name) || name === 'srcSet')) node.properties[name] = rewrite(name, value);
        }
      } else if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.attributes) {
        for (const attribute of node.attributes) {
          if (
            attribute.type === 'mdxJsxAttribute' &&
            typeof attribute.value === 'string' &&
            attribute.name &&
            (URL_ATTRIBUTES.has(attribute.name) || attribute.name.toLowerCase() === 'srcset')
          ) {
            attribute.value = rewrite(attribute.name, attribute.value);
          }
        }
      }
    });
  };
}
