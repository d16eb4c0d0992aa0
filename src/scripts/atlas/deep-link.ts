/**
 * Deep links: the page URL records one figure's view as query parameters, and the figure's id as the fragment so
 * that the browser scrolls to it:  ?figure=fig-layers&atlas=demo&view=mixed4b&box=0.1,0.2,0.4,0.5&focus=shark#fig-layers
 * (a scrollytelling figure records &step=N). Anything that does not parse, or names what the figure does not
 * have, is dropped, so a garbled link opens the default view.
 */
import { parseBox } from '../../../pipeline/published/figure-props.ts';
import type { Box, FigureConfig, ViewState } from './config.ts';

export interface DeepLink {
  figure: string;
  atlas?: string;
  view?: string;
  box?: string;
  focus?: string;
  step?: string;
}

const PARAMETERS = ['figure', 'atlas', 'view', 'box', 'focus', 'step'] as const;

/** The deep link in a query string, if it names a figure. */
export function readDeepLink(search: string): DeepLink | undefined {
  const query = new URLSearchParams(search);
  const figure = query.get('figure');
  if (!figure || !/^[A-Za-z][\w-]*$/.test(figure)) return undefined;
  const link: DeepLink = { figure };
  for (const name of PARAMETERS.slice(1)) {
    const value = query.get(name);
    if (value !== null) link[name] = value;
  }
  return link;
}

/** The state a link asks of a figure, keeping only what is valid for it; undefined when it is for another atlas. */
export function stateFromLink(link: DeepLink, config: FigureConfig): (ViewState & { step?: number }) | undefined {
  if (link.atlas !== undefined && link.atlas !== config.atlas) return undefined;
  const view = config.views.some((v) => v.id === link.view) ? link.view! : config.initial.view;
  const state: ViewState & { step?: number } = { view };
  const box = parseBox(link.box);
  if (box) state.box = box;
  if (link.focus !== undefined && config.labels.includes(link.focus)) state.focus = link.focus;
  const step = Number(link.step);
  if (link.step !== undefined && Number.isInteger(step) && step >= 1) state.step = step;
  return state;
}

/** The URL of this page with a figure's state recorded (other query parameters are kept). */
export function deepLinkUrl(figure: string, atlas: string, state: ViewState & { step?: number }, base = location.href): string {
  const url = new URL(base);
  for (const name of PARAMETERS) url.searchParams.delete(name);
  url.searchParams.set('figure', figure);
  url.searchParams.set('atlas', atlas);
  url.searchParams.set('view', state.view);
  if (state.box) url.searchParams.set('box', formatBox(state.box));
  if (state.focus) url.searchParams.set('focus', state.focus);
  if (state.step) url.searchParams.set('step', String(state.step));
  url.hash = figure;
  return url.toString();
}

export function formatBox(box: Box): string {
  return box
    .map(
      (value) =>
        Math.min(1, Math.max(0, value))
          .toFixed(4)
          .replace(/\.?0+$/, '') || '0',
    )
    .join(',');
}
