/**
 * What every browser engine's driver must do for the tests, and nothing more: open a page as a reader would
 * (viewport, device pixel ratio, touch, reduced motion, colour scheme, scripts on or off), run a function in it,
 * move and click the mouse, press keys, touch, and take a screenshot. Everything else the tests need (finding
 * elements, clicking them, waiting) is written once on top of this, in page.ts.
 */

export interface PageOptions {
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  /** A phone: touch input and a mobile viewport where the engine can emulate them. */
  mobile: boolean;
  reducedMotion: boolean;
  colorScheme: 'light' | 'dark';
  javaScript: boolean;
}

export type Point = { x: number; y: number };

export interface DriverPage {
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  /** Runs `fn(arg)` in the page and returns its (JSON-serialisable) result. */
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  mouseMove(point: Point): Promise<void>;
  mouseClick(point: Point): Promise<void>;
  /** A key by its KeyboardEvent.key name: 'Enter', 'Escape', 'ArrowRight', '+'. */
  press(key: string): Promise<void>;
  /** The viewport as a PNG, at device pixels. */
  screenshot(): Promise<Buffer>;
  /** Touch, where the engine's driver can send touch input (see Engine.cannot). */
  tap?(point: Point): Promise<void>;
  /** Fingers go down at `from` and move together to `to` (one finger scrolls, two pinch). */
  touchDrag?(from: Point[], to: Point[]): Promise<void>;
  /** Switches the page to print media, where the engine's driver can. */
  emulatePrint?(): Promise<void>;
  /** Reads the clipboard, where the engine lets a test do that. */
  readClipboard?(): Promise<string>;
  close(): Promise<void>;
}

export interface EngineBrowser {
  newPage(options: PageOptions): Promise<DriverPage>;
  /** Closes every process the engine started, politely. */
  close(): Promise<void>;
  /** Kills every process the engine started, now: for a driver that stopped answering. */
  kill(): void;
}

/** Things a test may need that not every engine's driver can do. */
/** touch: taps and pinches reach the page as touch; touch-scroll: a one-finger drag also scrolls the page. */
export type Capability = 'touch' | 'touch-scroll' | 'print' | 'clipboard';

export interface Engine {
  id: 'chromium' | 'firefox' | 'webkit';
  /** For test names and messages: "WebKit (WebKitGTK MiniBrowser)". */
  name: string;
  /** What to install where it is missing. */
  install: string;
  /** Why the engine cannot run here (undefined where it can). */
  missing(): string | undefined;
  /** What this engine's driver cannot do, and why, for the tests that need it to skip saying so. */
  cannot: Partial<Record<Capability, string>>;
  launch(): Promise<EngineBrowser>;
}
