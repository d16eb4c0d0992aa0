/**
 * The atlas figures' entry point, small and loaded with the page: each figure's viewer (and OpenSeadragon with
 * it) is imported and started only when the figure nears the viewport, when a link in the text flies to it, or
 * when the page was opened with a deep link to it.
 */
import { parseBox, parsePoints } from '../../../pipeline/published/figure-props.ts';
import type { AtlasFigure } from './figure.ts';
import { readDeepLink, stateFromLink } from './deep-link.ts';
import { setUpScrolly } from './scrolly.ts';

/** Start loading a figure this far before it scrolls into view. */
const NEAR_VIEWPORT = '600px 0px';

const started = new Map<HTMLElement, Promise<AtlasFigure>>();

export function mountFigure(element: HTMLElement): Promise<AtlasFigure> {
  let figure = started.get(element);
  if (!figure) {
    figure = import('./figure.ts').then(({ AtlasFigure }) => new AtlasFigure(element));
    started.set(element, figure);
  }
  return figure;
}

export function startAtlasFigures(): void {
  const elements = [...document.querySelectorAll<HTMLElement>('.atlas-figure')];
  if (!elements.length) return;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        void mountFigure(entry.target as HTMLElement);
      }
    },
    { rootMargin: NEAR_VIEWPORT },
  );
  for (const element of elements) observer.observe(element);
  for (const scrolly of document.querySelectorAll<HTMLElement>('.scrolly')) setUpScrolly(scrolly, mountFigure);
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest<HTMLAnchorElement>('a.atlas-link');
    if (link && !event.defaultPrevented && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey) {
      event.preventDefault();
      void followAtlasLink(link);
    }
  });
  void openDeepLink();
}

/** <AtlasLink>: brings its figure into view and flies it to the link's view, region and focus. */
async function followAtlasLink(link: HTMLAnchorElement): Promise<void> {
  const element = document.getElementById(link.dataset.figure ?? '');
  if (!element?.classList.contains('atlas-figure')) return;
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  element.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'center' });
  const figure = await mountFigure(element);
  await figure.apply({
    view: link.dataset.view ?? figure.view.id,
    box: parseBox(link.dataset.box),
    ...(link.dataset.focus !== undefined ? { focus: link.dataset.focus || null } : {}),
    highlight: parsePoints(link.dataset.highlight),
  });
  history.replaceState(history.state, '', figure.link());
}

/** A page opened with ?figure=…: that figure starts at once in the recorded state. */
async function openDeepLink(): Promise<void> {
  const link = readDeepLink(location.search);
  const element = link && document.getElementById(link.figure);
  if (!link || !element?.classList.contains('atlas-figure')) return;
  const figure = await mountFigure(element);
  const state = stateFromLink(link, figure.config);
  if (!state) return;
  const scrolly = element.closest<HTMLElement>('.scrolly');
  if (scrolly && state.step) {
    const step = scrolly.querySelector<HTMLElement>(`.scrolly-step[data-number="${state.step}"]`);
    step?.scrollIntoView({ block: 'center' });
    return;
  }
  await figure.apply(state, { animate: false });
}
