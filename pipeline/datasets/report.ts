/**
 * The data report: which of a recipe's images were left out and why, and which image labels name no class of the
 * model. Paths are relative to the data folder (with / separators), so that the report, which is published with
 * the atlas, never carries a path of the machine that built it.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Skipped } from './sources.ts';

export interface UnknownLabel {
  label: string;
  images: number;
  /** Up to three images with this label. */
  examples: string[];
}

export interface DataReport {
  skipped: Skipped[];
  unknownLabels: UnknownLabel[];
}

/** A path as the report shows it: relative to the data folder where it is inside it, else its file name. */
export function reportPath(file: string, dataFolder: string): string {
  if (!path.isAbsolute(file)) return file.split(path.sep).join('/');
  const relative = path.relative(dataFolder, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(file) : relative.split(path.sep).join('/');
}

export function relativeSkipped(skipped: Skipped[], dataFolder: string): Skipped[] {
  return skipped.map(({ file, reason }) => ({ file: reportPath(file, dataFolder), reason }));
}

/** Counts the images whose label is not a class of the model, with a few examples of each. */
export function unknownLabelsOf(entries: { file: string; label: string }[], classes: string[], dataFolder: string): UnknownLabel[] {
  const known = new Set(classes);
  const found = new Map<string, UnknownLabel>();
  for (const entry of entries) {
    if (known.has(entry.label)) continue;
    const unknown = found.get(entry.label) ?? { label: entry.label, images: 0, examples: [] };
    unknown.images++;
    if (unknown.examples.length < 3) unknown.examples.push(reportPath(entry.file, dataFolder));
    found.set(entry.label, unknown);
  }
  return [...found.values()].sort((a, b) => b.images - a.images || a.label.localeCompare(b.label));
}

export function writeDataReport(file: string, report: DataReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, file);
}

/** One line for the build log about labels that name no class, or undefined when there are none. */
export function describeUnknownLabels(unknown: UnknownLabel[]): string | undefined {
  if (!unknown.length) return undefined;
  const images = unknown.reduce((sum, u) => sum + u.images, 0);
  const listed = unknown
    .slice(0, 5)
    .map((u) => `"${u.label}" (${u.images}, e.g. ${u.examples[0]})`)
    .join(', ');
  return `${images} image${images === 1 ? '' : 's'} carry a label that is no class of the model: ${listed}${unknown.length > 5 ? `, and ${unknown.length - 5} more` : ''}. They are in the atlas but not in the model's accuracy; name them after the model's classes to count them.`;
}
