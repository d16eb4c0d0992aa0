/**
 * A model's class names as the atlas shows them. Real label lists repeat names (ImageNet's Darknet list has
 * "crane" at two indices, a bird and a machine, and "maillot" at two): each repeated name is shown with its
 * index, "crane (134)" and "crane (517)", so that a tooltip never shows two classes under one name, and a data
 * label that says only "crane" is refused, asking which is meant.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
  if (list)
    throw new UserError(
      `${where}: the label "${label}" names ${list.length} classes of the model (${list.join(' and ')}); use ${list.map((i) => `"${label} (${i})"`).join(' or ')}.`,
    );
}

/** A model folder's labels.json, for a model named by `where` (the judge of the legibility score, …). */
export function readModelLabels(folder: string, where: string): string[] {
  const file = path.join(folder, 'labels.json');
  if (!existsSync(file)) throw new UserError(`${where}: the model has no labels.json; add one (a JSON list of class names in output order).`);
  return readLabelsFile(file, process.cwd());
}

export function readLabelsFile(file: string, root: string): string[] {
  const labels = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string' || (l && typeof l === 'object' && 'label' in l))) {
    throw new UserError(`${path.relative(root, file)}: must be a JSON list of class names.`);
  }
  const { names, duplicates } = distinctLabels(labels.map((l) => (typeof l === 'string' ? l : String((l as { label: unknown }).label))));
  const warning = describeDuplicates(path.relative(root, file) || file, duplicates);
  if (warning && !warned.has(file)) {
    warned.add(file);
    console.warn(`warning: ${warning}`);
  }
  duplicatesOf.set(names, duplicates);
  return names;
}

/** Labels files already warned about (status and build both read them). */
const warned = new Set<string>();
/** The repeated names of each labels list read. */
const duplicatesOf = new WeakMap<string[], Map<string, number[]>>();

/** The repeated names of a list readLabelsFile returned (none for any other list). */
export function duplicatesIn(labels: string[]): Map<string, number[]> {
  return duplicatesOf.get(labels) ?? new Map();
}
