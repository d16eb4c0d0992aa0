/**
 * Scrollytelling: the step whose card crosses the middle of the window sets the sticky figure's view (region,
 * layer, focus, highlighted cells). With prefers-reduced-motion the view jumps instead of flying.
 */
import { parseBox, parsePoints } from '../../../pipeline/published/figure-props.ts';
import type { AtlasFigure } from './figure.ts';

export function setUpScrolly(scrolly: HTMLElement, mount: (element: HTMLElement) => Promise<AtlasFigure>): void {
  const element = scrolly.querySelector<HTMLElement>('.atlas-figure');
  const steps = [...scrolly.querySelectorAll<HTMLElement>('.scrolly-step')];
  if (!element || !steps.length) return;
  let active: HTMLElement | undefined;

  const activate = async (step: HTMLElement) => {
    if (active === step) return;
    active?.classList.remove('is-active');
    active = step;
    step.classList.add('is-active');
    const figure = await mount(element);
    if (active !== step) return;
    const number = Number(step.dataset.number);
    figure.step = number;
    scrolly.dataset.step = String(number);
    await figure.apply({
      view: step.dataset.view ?? figure.view.id,
      box: parseBox(step.dataset.box),
      focus: step.dataset.focus || null,
      highlight: parsePoints(step.dataset.highlight) ?? [],
    });
  };

  // A thin band across the middle of the window: the step inside it is the current one.
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.isIntersecting) void activate(entry.target as HTMLElement);
    },
    { rootMargin: '-48% 0px -48% 0px' },
  );
  for (const step of steps) observer.observe(step);
}
