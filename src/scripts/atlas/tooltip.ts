/**
 * The cell tooltip: the top five classes with their attributions, "average of N activations" and the data-set
 * examples nearest the cell's mean, cut from the chunk's sprite. Every label goes in as text, never as HTML.
 */
import type { ClientView } from './config.ts';
import type { LocatedCell } from './cells.ts';

const TOP_CLASSES = 5;
const EXAMPLES_SHOWN = 4;

export function fillTooltip(box: HTMLElement, located: LocatedCell, view: ClientView, labels: string[]): void {
  const { cell, size } = located;
  const top = cell.classes.slice(0, TOP_CLASSES);
  const largest = Math.max(1e-9, ...top.map(([, value]) => Math.abs(value)));

  const list = element('ol', 'atlas-tip-classes');
  for (const [label, value] of top) {
    const item = element('li');
    const name = element('span', 'atlas-tip-name', labels[label] ?? `class ${label}`);
    const bar = element('span', `atlas-tip-bar${value < 0 ? ' is-negative' : ''}`);
    bar.style.setProperty('--share', (Math.abs(value) / largest).toFixed(3));
    const number = element('span', 'atlas-tip-value', formatAttribution(value));
    item.append(name, bar, number);
    list.append(item);
  }

  const parts: Node[] = [list, element('p', 'atlas-tip-count', `average of ${cell.count.toLocaleString('en-US')} activations`)];
  if (view.examples > 0 && cell.examples.length) {
    const strip = element('div', 'atlas-tip-examples');
    const sprite = `url("${view.url}examples/${size}/${located.chunk}.jpg")`;
    for (let column = 0; column < Math.min(EXAMPLES_SHOWN, cell.examples.length); column++) {
      const tile = element('span', 'atlas-tip-example');
      tile.style.backgroundImage = sprite;
      tile.style.backgroundPosition = `${-column * view.examples}px ${-located.row * view.examples}px`;
      tile.style.width = tile.style.height = `${view.examples}px`;
      strip.append(tile);
    }
    strip.setAttribute('aria-hidden', 'true');
    parts.push(strip);
  }
  const heading = element('p', 'atlas-tip-where', `cell ${cell.x}, ${cell.y} of the ${size} × ${size} grid`);
  box.replaceChildren(heading, ...parts);
}

/** Three significant digits at most, without exponents: 123, 12.3, 1.23, 0.023. */
export function formatAttribution(value: number): string {
  const size = Math.abs(value);
  const text = size >= 100 ? value.toFixed(0) : size >= 10 ? value.toFixed(1) : size >= 1 ? value.toFixed(2) : String(Number(value.toPrecision(2)));
  return value < 0 ? text.replace('-', '−') : text;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
