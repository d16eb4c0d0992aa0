/**
 * A model's class names as the atlas shows them. Real label lists repeat names (ImageNet's Darknet list has
 * "crane" at two indices, a bird and a machine, and "maillot" at two): each repeated name is shown with its
 * index, "crane (134)" and "crane (517)", so that a tooltip never shows two classes under one name, and a data
 * label that says only "crane" is refused, asking which is meant.
 */
import { UserError } from '../errors.ts';

export interface DistinctLabels {
  /** One name per output index, repeated names suffixed with their index. */
  names: string[];
  /** Each repeated name and its indices. */
  duplicates: Map<string, number[]>;
}

export function distinctLabels(raw: string[]): DistinctLabels {
  const indices = new Map<string, number[]>();
  raw.forEach((name, index) => indices.set(name, [...(indices.get(name) ?? []), index]));
  const duplicates = new Map([...indices].filter(([, list]) => list.length > 1));
  return { names: raw.map((name, index) => (duplicates.has(name) ? `${name} (${index})` : name)), duplicates };
}

/** One warning sentence for a labels file with repeated names, or undefined. */
export function describeDuplicates(file: string, duplicates: Map<string, number[]>): string | undefined {
  if (!duplicates.size) return undefined;
  const listed = [...duplicates].map(([name, list]) => `"${name}" at ${list.join(' and ')}`).join(', ');
  return `${file}: the same class name is given to several outputs (${listed}); the atlas shows them as ${[...duplicates].map(([name, list]) => list.map((i) => `"${name} (${i})"`).join(' and ')).join(', ')}.`;
}

/** Stops when a data label names a repeated class without saying which. */
export function requireDistinct(label: string, duplicates: Map<string, number[]>, where: string): void {
  const list = duplicates.get(label);
  if (list) throw new UserError(`${where}: the label "${label}" names ${list.length} classes of the model (${list.join(' and ')}); use ${list.map((i) => `"${label} (${i})"`).join(' or ')}.`);
}
