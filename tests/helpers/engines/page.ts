/**
 * A page of the test site in any engine, with what the tests ask of it written once: finding elements (by CSS,
 * text and visibility), reading them, clicking, hovering, filling, tapping, waiting, screenshots of a region,
 * the page's errors and its tile requests. Every driver call has a deadline: a driver that stops answering is
 * killed, and the error names the engine.
 */
import sharp from 'sharp';
import type { Capability, DriverPage, Engine, EngineBrowser, Point } from './driver.ts';
import type { TestServer } from './test-server.ts';

/** Elements matching `css`, optionally only those whose text contains `text`, or that are visible; the nth. */
export type Target = string | { css: string; text?: string; visible?: boolean; nth?: number };
export type Box = { x: number; y: number; width: number; height: number };

/** How long one driver command may take before the engine counts as hung. */
export const DRIVER_DEADLINE_MS = 25_000;

/**
 * Runs a function on the elements a target names, in the page. Plain JavaScript in a string, because functions
 * compiled by the test runner may call helpers (such as esbuild's __name) that do not exist in the page.
 */
const ON_ELEMENTS = new Function(
  'arg',
  `var t = arg.target;
  var all = Array.prototype.slice.call(document.querySelectorAll(t.css));
  var matches = all.filter(function (e) {
    if (t.text != null && (e.textContent || '').indexOf(t.text) < 0) return false;
    if (t.visible) {
      var r = e.getBoundingClientRect();
      if (!(r.width > 0 && r.height > 0) || getComputedStyle(e).visibility === 'hidden') return false;
    }
    return true;
  });
  var fn = (0, eval)('(' + arg.source + ')');
  if (arg.many) return fn(matches, arg.arg);
  var element = matches[t.nth || 0];
  if (!element) {
    if (arg.orElse !== undefined) return arg.orElse;
    throw new Error('No element matches ' + JSON.stringify(t) + ' (' + matches.length + ' matches)');
  }
  return fn(element, arg.arg);`,
) as (arg: unknown) => unknown;

/** Runs one driver command; if it does not answer in time, kills the engine's processes and says which engine hung. */
export async function withDeadline<T>(
  engine: Engine,
  browser: EngineBrowser,
  what: string,
  command: () => Promise<T>,
  deadlineMs = DRIVER_DEADLINE_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      browser.kill();
      reject(new Error(`${engine.name} hung: "${what}" had no answer within ${deadlineMs / 1000} s, so its processes were killed.`));
    }, deadlineMs);
  });
  try {
    return await Promise.race([command(), hung]);
  } finally {
    clearTimeout(timer);
  }
}

export class TestPage {
  private readonly flushedErrors: string[] = [];
  private readonly firstRequest: number;

  constructor(
    readonly engine: Engine,
    private readonly browser: EngineBrowser,
    private readonly driver: DriverPage,
    readonly server: TestServer,
    private readonly onClose: () => void = () => {},
  ) {
    this.firstRequest = server.requests.length;
  }

  /** One driver command, with its engine's deadline. */
  call<T>(what: string, command: () => Promise<T>): Promise<T> {
    return withDeadline(this.engine, this.browser, what, command);
  }

  /** Whether this engine's driver can do what a test needs (Engine.cannot says why not). */
  can(capability: Capability): boolean {
    return !this.engine.cannot[capability];
  }

  // ——— the page ———

  async goto(path: string): Promise<void> {
    this.flushedErrors.push(...(await this.pageErrors()));
    await this.call(`open ${path}`, () => this.driver.goto(this.server.url + path));
  }

  url(): Promise<string> {
    return this.call('read the URL', () => this.driver.url());
  }

  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
    return this.call('run a script', () => this.driver.evaluate(fn, arg as A));
  }

  /** Runs `fn(element, arg)` on the element `target` names (it must exist, unless `orElse` is given). */
  on<T, A = undefined>(target: Target, fn: (element: HTMLElement, arg: A) => T, arg?: A, orElse?: T): Promise<T> {
    const request = { target: normalise(target), source: fn.toString(), arg, orElse };
    return this.call(`read ${describe(target)}`, () => this.driver.evaluate(ON_ELEMENTS, request)) as Promise<T>;
  }

  /** Runs `fn(elements, arg)` on every element `target` names. */
  onAll<T, A = undefined>(target: Target, fn: (elements: HTMLElement[], arg: A) => T, arg?: A): Promise<T> {
    const request = { target: normalise(target), source: fn.toString(), arg, many: true };
    return this.call(`read ${describe(target)}`, () => this.driver.evaluate(ON_ELEMENTS, request)) as Promise<T>;
  }

  count(target: Target): Promise<number> {
    return this.onAll(target, (elements) => elements.length);
  }

  /** Whether the element exists, has a size and is not hidden (as Playwright defines visible). */
  visible(target: Target): Promise<boolean> {
    return this.on(
      target,
      (e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
      },
      undefined,
      false,
    );
  }

  text(target: Target): Promise<string> {
    return this.on(target, (e) => e.innerText);
  }

  texts(target: Target): Promise<string[]> {
    return this.onAll(target, (elements) => elements.map((e) => e.innerText));
  }

  attribute(target: Target, name: string): Promise<string | null> {
    return this.on(target, (e, attribute) => e.getAttribute(attribute), name);
  }

  dataset(target: Target): Promise<Record<string, string>> {
    return this.on(target, (e) => ({ ...e.dataset }) as Record<string, string>);
  }

  box(target: Target): Promise<Box> {
    return this.on(target, (e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
  }

  /** Scrolls the element into view (to the middle of the window by default, at once) and lets the page settle a frame. */
  async scrollIntoView(target: Target, block: ScrollLogicalPosition = 'center'): Promise<void> {
    // 'instant': the article scrolls smoothly, and a test must not read positions mid-scroll.
    await this.on(target, (e, where) => e.scrollIntoView({ block: where, inline: 'nearest', behavior: 'instant' as ScrollBehavior }), block);
    // Waited for here, not with requestAnimationFrame in the page: a page without scripts may run no callbacks.
    await this.wait(50);
  }

  /**
   * The middle of the element's first box (a link may wrap over lines), once the element is in the window and
   * has stopped moving (the page may still be scrolling smoothly, or a figure flying), as Playwright waits.
   */
  private async middle(target: Target): Promise<Point> {
    const firstBox = () =>
      this.on(target, (e) => {
        const r = e.getClientRects()[0] ?? e.getBoundingClientRect();
        return {
          x: r.x,
          y: r.y,
          width: r.width,
          height: r.height,
          scroll: `${scrollX},${scrollY}`,
          inView: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
        };
      });
    // At rest: the same box and the same page scroll three reads in a row (a loaded engine scrolls in bursts).
    let same = 0;
    let before = await firstBox();
    for (let attempt = 0; attempt < 200; attempt++) {
      await this.wait(50);
      const box = await firstBox();
      if (!box.inView) {
        await this.scrollIntoView(target);
        same = 0;
        before = await firstBox();
        continue;
      }
      same = box.x === before.x && box.y === before.y && box.width === before.width && box.scroll === before.scroll ? same + 1 : 0;
      if (same >= 2) return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      before = box;
    }
    throw new Error(`${this.engine.name}: ${describe(target)} never came to rest in the window.`);
  }

  /**
   * Clicks the middle of the element, and makes sure the element got the click: on a loaded machine the page may
   * still move between reading where the element is and clicking there, and then the click is repeated.
   */
  async click(target: Target): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const point = await this.middle(target);
      await this.on(target, (e) => {
        const flagged = e as HTMLElement & { __testClicked?: boolean };
        flagged.__testClicked = false;
        e.addEventListener('click', () => (flagged.__testClicked = true), { once: true, capture: true });
      });
      await this.call(`click ${describe(target)}`, () => this.driver.mouseClick(point));
      // An element that is gone (the click navigated) got its click.
      const received = await this.on(target, (e) => (e as HTMLElement & { __testClicked?: boolean }).__testClicked !== false, undefined, true).catch(
        () => true,
      );
      if (received) return;
    }
    throw new Error(`${this.engine.name}: ${describe(target)} did not get the click, three times.`);
  }

  async hover(target: Target): Promise<void> {
    const point = await this.middle(target);
    await this.mouse(point);
  }

  mouse(point: Point): Promise<void> {
    return this.call('move the mouse', () => this.driver.mouseMove(point));
  }

  /**
   * Focuses the element as a keyboard user reaches it: Tab from the focusable element before it, so that every
   * engine treats the focus as keyboard focus (:focus-visible). Focuses it directly where Tab went elsewhere.
   */
  async focus(target: Target): Promise<void> {
    const before = await this.on(target, (e) => {
      const focusable = Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')).filter(
        (candidate) => candidate.tabIndex >= 0 && !(candidate as HTMLButtonElement).disabled && candidate.getClientRects().length > 0,
      );
      const previous = focusable[focusable.indexOf(e) - 1];
      previous?.focus();
      return Boolean(previous);
    });
    if (before) {
      const from = await this.evaluate(() => document.activeElement?.outerHTML ?? '');
      await this.press('Tab');
      // Some engines handle the key after the command returns: wait until focus has moved, or give up.
      for (let i = 0; i < 80 && (await this.evaluate(() => document.activeElement?.outerHTML ?? '')) === from; i++) await this.wait(25);
    }
    await this.on(target, (e) => {
      if (document.activeElement !== e) e.focus();
    });
  }

  /** Sets a field's value as typing would end, with the input and change events a page listens for. */
  async fill(target: Target, value: string): Promise<void> {
    await this.on(
      target,
      (e, text) => {
        const input = e as HTMLInputElement;
        input.focus();
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      },
      value,
    );
  }

  press(key: string): Promise<void> {
    return this.call(`press ${key}`, () => this.driver.press(key));
  }

  async tap(target: Target | Point): Promise<void> {
    const point = typeof target === 'object' && 'x' in target ? target : await this.middle(target);
    if (!this.driver.tap) throw new Error(`${this.engine.name} cannot tap: ${this.engine.cannot.touch}`);
    await this.call('tap', () => this.driver.tap!(point));
  }

  touchDrag(from: Point[], to: Point[]): Promise<void> {
    if (!this.driver.touchDrag) throw new Error(`${this.engine.name} cannot touch: ${this.engine.cannot.touch}`);
    return this.call('touch and drag', () => this.driver.touchDrag!(from, to));
  }

  emulatePrint(): Promise<void> {
    if (!this.driver.emulatePrint) throw new Error(`${this.engine.name} cannot emulate print: ${this.engine.cannot.print}`);
    return this.call('emulate print', () => this.driver.emulatePrint!());
  }

  readClipboard(): Promise<string> {
    if (!this.driver.readClipboard) throw new Error(`${this.engine.name} cannot read the clipboard: ${this.engine.cannot.clipboard}`);
    return this.call('read the clipboard', () => this.driver.readClipboard!());
  }

  /** A screenshot of the window, or of the part of a region (CSS pixels) that is in the window, as a PNG at device pixels. */
  async screenshot(clip?: Box): Promise<Buffer> {
    const png = await this.call('take a screenshot', () => this.driver.screenshot());
    if (!clip) return png;
    const { width: shotWidth = 0, height: shotHeight = 0 } = await sharp(png).metadata();
    const scale = shotWidth / (await this.evaluate(() => window.innerWidth));
    const left = Math.max(0, Math.round(clip.x * scale));
    const top = Math.max(0, Math.round(clip.y * scale));
    const right = Math.min(shotWidth, Math.round((clip.x + clip.width) * scale));
    const bottom = Math.min(shotHeight, Math.round((clip.y + clip.height) * scale));
    if (right <= left || bottom <= top) throw new Error(`${this.engine.name}: the region to screenshot is outside the window.`);
    return sharp(png)
      .extract({ left, top, width: right - left, height: bottom - top })
      .png()
      .toBuffer();
  }

  /**
   * Waits until `target` exists (for example a figure with data-ready and data-loaded set). 45 s: on a loaded
   * 2-core runner WebKit once took over 30 s to load a deep-linked figure that takes 5 s on an idle one.
   */
  async waitFor(target: Target, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.count(target)) === 0) {
      if (Date.now() > deadline) throw new Error(`${this.engine.name}: nothing matched ${describe(target)} within ${timeoutMs / 1000} s.`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Waits until the page has no request open (the server sees every request). */
  idle(): Promise<void> {
    return this.server.idle();
  }

  /** Requests for tiles this page made. */
  tiles(): string[] {
    return this.server.requests
      .slice(this.firstRequest)
      .map((r) => r.url)
      .filter((url) => url.includes('/tiles_files/'));
  }

  /** Everything that went wrong: failed requests (status ≥ 400), uncaught errors, rejections, console errors. */
  async errors(): Promise<string[]> {
    const failed = this.server.requests
      .slice(this.firstRequest)
      .filter((r) => r.status >= 400)
      .map((r) => `HTTP ${r.status}: ${r.url}`);
    return [...failed, ...this.flushedErrors, ...(await this.pageErrors())];
  }

  private async pageErrors(): Promise<string[]> {
    // A page without scripts has no recorder (and nothing to record).
    return this.evaluate(() => (window as unknown as { __testErrors?: string[] }).__testErrors ?? []).catch(() => []);
  }

  async close(): Promise<void> {
    this.onClose();
    await this.call('close the page', () => this.driver.close());
  }
}

function normalise(target: Target) {
  return typeof target === 'string' ? { css: target } : target;
}

function describe(target: Target): string {
  const t = normalise(target);
  return `${t.css}${t.text ? ` with text "${t.text}"` : ''}${t.nth ? ` #${t.nth}` : ''}`;
}
