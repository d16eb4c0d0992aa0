/** Small helpers for MDX JSX nodes in an mdast tree (`<Cite key="…"/>`, `<Figure id="…">`). */
import type { Node } from 'unist';
import { UserError } from '../errors.ts';

export interface MdxJsxElement extends Node {
  type: 'mdxJsxFlowElement' | 'mdxJsxTextElement';
  name: string | null;
  attributes: Array<{ type: string; name?: string; value?: unknown }>;
  children: Node[];
}

export function isMdxElement(node: Node, name: string): node is MdxJsxElement {
  return (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && (node as MdxJsxElement).name === name;
}

/** A string attribute's value; an expression (`key={x}`) cannot be resolved at build time, so it is refused. */
export function stringAttribute(node: MdxJsxElement, name: string, where: string): string | undefined {
  const attribute = node.attributes.find((a) => a.type === 'mdxJsxAttribute' && a.name === name);
  if (!attribute) return undefined;
  if (typeof attribute.value === 'string') return attribute.value;
  throw new UserError(`${where}: <${node.name}> attribute "${name}" must be a plain string such as ${name}="value".`);
}

export function setStringAttribute(node: MdxJsxElement, name: string, value: string): void {
  node.attributes = node.attributes.filter((a) => !(a.type === 'mdxJsxAttribute' && a.name === name));
  node.attributes.push({ type: 'mdxJsxAttribute', name, value });
}

export function lineOf(node: Node): number | undefined {
  return node.position?.start.line;
}
