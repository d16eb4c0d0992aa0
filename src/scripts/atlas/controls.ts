/**
 * The controls a figure component renders around its map: zoom and home buttons,
 * full screen, copy link, the view choices and the focus class. Each reports to its AtlasFigure.
 */
import type { AtlasFigure, FocusSign } from './figure.ts';

export function connectControls(figure: AtlasFigure): void {
  const on = (selector: string, handler: () => void) => figure.element.querySelector(selector)?.addEventListener('click', handler);
  const zoomBy = (factor: number) => {
    figure.viewer.viewport.zoomBy(factor);
    figure.viewer.viewport.applyConstraints();
    figure.movedByControl();
  };
  on('[data-action="zoom-in"]', () => zoomBy(1.6));
  on('[data-action="zoom-out"]', () => zoomBy(1 / 1.6));
  on('[data-action="home"]', () => {
    figure.viewer.viewport.goHome();
    figure.movedByControl();
  });
  on('[data-action="full-screen"]', () => void toggleFullScreen(figure.element));
  on('[data-action="copy-link"]', () => void copyLink(figure));
  document.addEventListener('fullscreenchange', () => {
    const full = document.fullscreenElement === figure.element;
    figure.element.classList.toggle('is-full-screen', full);
    figure.element.querySelector('[data-action="full-screen"]')?.setAttribute('aria-pressed', String(full));
    // Nothing around a full-screen figure to scroll: let one finger pan again.
    figure.viewer.setCooperativeGestures(!full);
  });

  for (const radio of figure.element.querySelectorAll<HTMLInputElement>('.atlas-views input[type="radio"]')) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      void figure.showView(radio.value);
      figure.choseByReader();
    });
  }
  syncViewControls(figure);

  const input = figure.element.querySelector<HTMLInputElement>('.atlas-focus-input');
  const sign = figure.element.querySelector<HTMLSelectElement>('.atlas-focus-sign');
  const chooseFocus = () => {
    const typed = input?.value.trim().toLowerCase() ?? '';
    const label = figure.config.labels.find((name) => name.toLowerCase() === typed) ?? null;
    if (typed && !label) return;
    figure.setFocus(label, (sign?.value as FocusSign | undefined) ?? 'towards');
    figure.choseByReader();
  };
  input?.addEventListener('input', chooseFocus);
  input?.addEventListener('change', chooseFocus);
  sign?.addEventListener('change', chooseFocus);
}

/** The view choices and the description follow the view shown. */
export function syncViewControls(figure: AtlasFigure): void {
  for (const radio of figure.element.querySelectorAll<HTMLInputElement>('.atlas-views input[type="radio"]')) {
    radio.checked = radio.value === figure.view.id;
  }
  const description = figure.element.querySelector<HTMLElement>('.atlas-description');
  if (description) description.textContent = figure.view.description;
}

async function toggleFullScreen(element: HTMLElement): Promise<void> {
  if (document.fullscreenElement === element) await document.exitFullscreen();
  else if (element.requestFullscreen) await element.requestFullscreen().catch(() => undefined);
}

/** Puts the figure's deep link in the address bar and, where allowed, on the clipboard. */
async function copyLink(figure: AtlasFigure): Promise<void> {
  const link = figure.link();
  history.replaceState(history.state, '', link);
  const status = figure.element.querySelector<HTMLElement>('.atlas-status');
  try {
    await navigator.clipboard.writeText(link);
    if (status) status.textContent = 'Link copied.';
  } catch {
    // No clipboard (an insecure origin, a refused permission): the address bar has the link.
    if (status) status.textContent = 'The address bar now links to this view.';
  }
  window.setTimeout(() => status && (status.textContent = ''), 4000);
}
