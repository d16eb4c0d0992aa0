/**
 * A text alternative for a view, generated from its data: which classes dominate each region of the map.
 * The map is split into a 3 × 3 grid of regions; in each, every cell votes for its top class with its
 * point count. Regions without cells are left out.
 */
import type { CellRecord, ViewIndex } from '../../published/format.ts';

const REGION_NAMES = [
  ['top left', 'top', 'top right'],
  ['left', 'centre', 'right'],
  ['bottom left', 'bottom', 'bottom right'],
];

export function describeView(index: Pick<ViewIndex, 'kind' | 'layer' | 'classes' | 'labels' | 'samples'>, size: number, cells: CellRecord[]): string {
  const tallies = REGION_NAMES.map((row) => row.map(() => new Map<number, number>()));
  for (const cell of cells) {
    const top = cell.classes[0]?.[0];
    if (top === undefined) continue;
    const region = tallies[Math.min(2, Math.floor((3 * (cell.y + 0.5)) / size))]![Math.min(2, Math.floor((3 * (cell.x + 0.5)) / size))]!;
    region.set(top, (region.get(top) ?? 0) + cell.count);
  }
  const parts: string[] = [];
  tallies.forEach((row, r) =>
    row.forEach((tally, c) => {
      const total = [...tally.values()].reduce((a, b) => a + b, 0);
      if (!total) return;
      const ranked = [...tally].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const name = (label: number) => index.labels[label] ?? `class ${label}`;
      const [first, second] = ranked;
      const phrase = !second || first![1] / total >= 0.6 ? name(first![0]) : `${name(first![0])} and ${name(second[0])}`;
      parts.push(`${capitalize(REGION_NAMES[r]![c]!)}: mostly ${phrase}.`);
    }),
  );
  const what =
    index.kind === 'class'
      ? `Activation atlas of layer ${index.layer} for the class ${index.classes?.[0] ?? ''}`
      : index.kind === 'comparison'
        ? `Comparison of ${index.classes?.[0] ?? ''} (left) and ${index.classes?.[1] ?? ''} (right) in layer ${index.layer}`
        : `Activation atlas of layer ${index.layer}`;
  return [`${what}, ${index.samples.toLocaleString('en-US')} samples; cells are labelled by the class they most support.`, ...parts].join(' ');
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
