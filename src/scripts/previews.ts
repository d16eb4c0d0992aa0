/**
 * Previews for citations, footnotes and figure references: one box, shown on hover (mouse or pen), on keyboard
 * focus and on a first tap (a second tap follows the link). Escape closes it. Content is cloned from the
 * page with its ids and triggers removed, so a preview never opens another preview.
 */
const TRIGGERS = 'a[data-preview], a[data-footnote-ref]';
const SHOW_DELAY_MS = 120;
const HIDE_DELAY_MS = 250;

export function setUpPreviews(): void {
  const box = document.getElementById('preview-box');
  if (!box) return;
  const triggers = [...document.querySelectorAll<HTMLAnchorElement>(TRIGGERS)].filter((t) => !box.contains(t));
  let current: HTMLAnchorElement | null = null;
  let timer: number | undefined;

  const later = (delay: number, work: () => void) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(work, delay);
  };

  const show = (trigger: HTMLAnchorElement) => {
    window.clearTimeout(timer);
    if (current === trigger && !box.hidden) return;
    const content = previewContent(trigger);
    if (!content) return;
    current?.removeAttribute('aria-describedby');
    box.replaceChildren(content);
    box.hidden = false;
    box.dataset.kind = kindOf(trigger);
    place(box, trigger);
    trigger.setAttribute('aria-describedby', box.id);
    current = trigger;
  };

  const hide = () => {
    window.clearTimeout(timer);
    box.hidden = true;
    box.replaceChildren();
    current?.removeAttribute('aria-describedby');
    current = null;
  };

  for (const trigger of triggers) {
    let pointerType = '';
    // Whether this trigger's preview was open before the tap; the tap itself focuses the link and opens it.
    let openBeforeTap = false;
    trigger.addEventListener('pointerdown', (event) => {
      pointerType = event.pointerType;
      openBeforeTap = current === trigger && !box.hidden;
    });
    trigger.addEventListener('pointerenter', (event) => {
      if (event.pointerType !== 'touch') later(SHOW_DELAY_MS, () => show(trigger));
    });
    trigger.addEventListener('pointerleave', (event) => {
      if (event.pointerType !== 'touch') later(HIDE_DELAY_MS, hide);
    });
    trigger.addEventListener('focus', () => show(trigger));
    trigger.addEventListener('blur', (event) => {
      if (!box.contains(event.relatedTarget as Node | null)) later(HIDE_DELAY_MS, hide);
    });
    trigger.addEventListener('click', (event) => {
      // On touch there is no hover: the first tap previews, a second tap on the same link follows it.
      if (pointerType === 'touch' && !openBeforeTap) {
        event.preventDefault();
        show(trigger);
      }
      pointerType = '';
    });
  }

  box.addEventListener('pointerenter', () => window.clearTimeout(timer));
  box.addEventListener('pointerleave', (event) => {
    if (event.pointerType !== 'touch') later(HIDE_DELAY_MS, hide);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !box.hidden) hide();
  });
  document.addEventListener('pointerdown', (event) => {
    const target = event.target as Node;
    if (!box.hidden && !box.contains(target) && !triggers.some((t) => t.contains(target))) hide();
  });
  window.addEventListener('resize', hide);
  // For anyone waiting on the page (the browser tests): previews now open.
  box.dataset.ready = 'true';
}

function kindOf(trigger: HTMLElement): string {
  if (trigger.hasAttribute('data-footnote-ref')) return 'footnote';
  return trigger.classList.contains('figure-ref') ? 'figure' : 'citation';
}

/** The preview for a trigger: the footnote's text, the cited entries, or the figure. */
function previewContent(trigger: HTMLAnchorElement): DocumentFragment | null {
  const ids = trigger.hasAttribute('data-footnote-ref')
    ? [decodeURIComponent(trigger.hash.slice(1))]
    : (trigger.dataset.preview ?? '').split(/\s+/).filter(Boolean);
  const fragment = document.createDocumentFragment();
  for (const id of ids) {
    const source = document.getElementById(id);
    if (!source) continue;
    const copy = source.cloneNode(true) as HTMLElement;
    disarm(copy);
    if (source.tagName === 'LI') {
      const item = document.createElement('div');
      item.className = 'preview-item';
      const number = source.getAttribute('value') ?? String([...source.parentElement!.children].indexOf(source) + 1);
      item.dataset.number = number;
      item.append(...copy.childNodes);
      fragment.append(item);
    } else {
      fragment.append(copy);
    }
  }
  return fragment.childNodes.length ? fragment : null;
}

/** Strips ids, preview triggers and footnote back-links from cloned content. */
function disarm(element: HTMLElement): void {
  // A live atlas does not survive cloning (canvases come out blank): preview its still picture instead.
  for (const atlas of element.querySelectorAll<HTMLElement>('.atlas-figure')) {
    const still = atlas.querySelector<HTMLImageElement>('img.atlas-placeholder');
    if (still) {
      const picture = still.cloneNode() as HTMLImageElement;
      picture.className = 'atlas-preview-still';
      atlas.replaceWith(picture);
    } else atlas.remove();
  }
  for (const backref of element.querySelectorAll('[data-footnote-backref]')) backref.remove();
  for (const node of [element, ...element.querySelectorAll<HTMLElement>('*')]) {
    node.removeAttribute('id');
    node.removeAttribute('data-preview');
    node.removeAttribute('data-footnote-ref');
    node.removeAttribute('aria-describedby');
    if (node.tagName === 'A' || node.tagName === 'BUTTON') node.setAttribute('tabindex', '-1');
  }
}

/** Below the trigger, or above it when the window has no room below; always inside the window. */
function place(box: HTMLElement, trigger: HTMLElement): void {
  const margin = 8;
  const rect = trigger.getBoundingClientRect();
  box.style.left = '0px';
  box.style.top = '0px';
  const width = box.offsetWidth;
  const height = box.offsetHeight;
  const left = Math.min(Math.max(rect.left - 16, margin), window.innerWidth - width - margin);
  const below = rect.bottom + margin;
  const top = below + height > window.innerHeight && rect.top - height - margin > 0 ? rect.top - height - margin : below;
  box.style.left = `${Math.max(left, margin) + window.scrollX}px`;
  box.style.top = `${top + window.scrollY}px`;
}
