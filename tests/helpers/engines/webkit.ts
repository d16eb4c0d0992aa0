/**
 * WebKit: WebKitGTK's MiniBrowser (Debian's libwebkit2gtk-4.1-0, the engine Safari is built on), driven by
 * Debian's WebKitWebDriver (webkit2gtk-driver) through webdriverio, in a virtual X display (xvfb). One display
 * and one driver per test suite; each page is a WebDriver session of its own, so a fresh MiniBrowser.
 *
 * WebKitGTK takes the device scale, reduced motion and the colour scheme from GTK, that is from its environment
 * (GDK_SCALE, a settings.ini under XDG_CONFIG_HOME, GTK_THEME): minibrowser.sh sets them per session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Key, remote } from 'webdriverio';
import type { DriverPage, Engine, EngineBrowser, PageOptions, Point } from './driver.ts';

const DRIVER = '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';
const WRAPPER = path.resolve('tests/helpers/engines/minibrowser.sh');

function findMiniBrowser(): string | undefined {
  if (process.env.MINIBROWSER_PATH) return process.env.MINIBROWSER_PATH;
  const lib = '/usr/lib';
  if (!existsSync(lib)) return undefined;
  return readdirSync(lib)
    .map((dir) => path.join(lib, dir, 'webkit2gtk-4.1', 'MiniBrowser'))
    .find((candidate) => existsSync(candidate));
}

export const webkit: Engine = {
  id: 'webkit',
  name: 'WebKit (WebKitGTK)',
  install: 'apt-get install -y webkit2gtk-driver xvfb',
  missing() {
    if (!existsSync(DRIVER)) return `no ${DRIVER} (Debian package webkit2gtk-driver)`;
    if (!findMiniBrowser()) return 'no webkit2gtk-4.1/MiniBrowser (Debian package libwebkit2gtk-4.1-0)';
    if (!existsSync(XVFB)) return `no ${XVFB} (Debian package xvfb)`;
    return undefined;
  },
  cannot: {
    touch: 'WebKitGTK’s WebDriver sends touch actions to the page as mouse events (pointerType "mouse"), so taps and pinches cannot be emulated',
    'touch-scroll': 'WebKitGTK’s WebDriver has no touch input (its touch actions are mouse events)',
    print: 'WebKitWebDriver has no command to emulate print media',
    clipboard: 'WebKit shows the reader a Paste button before a script may read the clipboard, and WebDriver cannot press it',
  },
  async launch(): Promise<EngineBrowser> {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'atlas-webkit-'));
    const processes: ChildProcess[] = [];
    const kill = () => {
      for (const child of processes) if (child.pid && child.exitCode === null) tryKill(-child.pid);
      rmSync(scratch, { recursive: true, force: true });
    };
    try {
      const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1920x1280x24', '-nolisten', 'tcp'], {
        detached: true,
        stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      });
      processes.push(xvfb);
      const display = await new Promise<string>((resolve, reject) => {
        let text = '';
        (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\n')) resolve(`:${text.trim()}`);
        });
        xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it opened a display.`)));
      });
      let driver = await startDriver(display, processes);
      return {
        async newPage(options) {
          const args = sessionArguments(options, scratch);
          try {
            return await withinSeconds(SESSION_SECONDS, webkitPage(driver.port, args, options));
          } catch {
            // A session that does not start (seen on a loaded machine, after an earlier session ended badly):
            // a fresh driver, once.
            tryKill(-driver.process.pid!);
            driver = await startDriver(display, processes);
            return withinSeconds(SESSION_SECONDS, webkitPage(driver.port, args, options));
          }
        },
        close: async () => kill(),
        kill,
      };
    } catch (error) {
      kill();
      throw error;
    }
  },
};

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** How long one MiniBrowser session may take to start. */
const SESSION_SECONDS = 15;

async function startDriver(display: string, processes: ChildProcess[]): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const driver = spawn(DRIVER, [`--port=${port}`], { detached: true, stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  processes.push(driver);
  await waitForDriver(port);
  return { port, process: driver };
}

function withinSeconds<T>(seconds: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no WebDriver session within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForDriver(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`http://127.0.0.1:${port}/status`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on port ${port} within 10 s.`);
}

/** MiniBrowser's arguments for a page: its environment (through minibrowser.sh) and its WebKitSettings. */
function sessionArguments(options: PageOptions, scratch: string): string[] {
  if (!Number.isInteger(options.deviceScaleFactor)) throw new Error(`WebKitGTK scales by whole numbers only, not ${options.deviceScaleFactor}.`);
  const config = path.join(scratch, options.reducedMotion ? 'reduced-motion' : 'motion');
  mkdirSync(path.join(config, 'gtk-3.0'), { recursive: true });
  writeFileSync(path.join(config, 'gtk-3.0', 'settings.ini'), `[Settings]\ngtk-enable-animations=${options.reducedMotion ? 0 : 1}\n`);
  return [
    `--binary=${findMiniBrowser()}`,
    `--env=GDK_SCALE=${options.deviceScaleFactor}`,
    `--env=XDG_CONFIG_HOME=${config}`,
    `--env=GTK_THEME=${options.colorScheme === 'dark' ? 'Adwaita:dark' : 'Adwaita'}`,
    `--enable-javascript=${options.javaScript}`,
    // Safari's "Press Tab to highlight each item on a webpage", which keyboard readers turn on: Tab reaches links.
    '--enable-tabs-to-links=true',
    '--full-screen',
    '--automation',
  ];
}

const KEYS: Record<string, string> = {
  Shift: Key.Shift,
  Enter: Key.Enter,
  Escape: Key.Escape,
  Tab: Key.Tab,
  ArrowLeft: Key.ArrowLeft,
  ArrowRight: Key.ArrowRight,
  ArrowUp: Key.ArrowUp,
  ArrowDown: Key.ArrowDown,
};

async function webkitPage(port: number, args: string[], options: PageOptions): Promise<DriverPage> {
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: {
      browserName: 'MiniBrowser',
      // WebKitWebDriver speaks classic WebDriver; webdriverio would otherwise ask for BiDi and be refused.
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: WRAPPER, args },
    } as WebdriverIO.Capabilities,
  });
  // MiniBrowser runs full-screen (no toolbar, so no minimum width and no chrome): the window is the viewport.
  // GTK applies a size asynchronously: wait until the page has it, or a late resize event would reach the page
  // under test (and close what resizing closes, such as a preview).
  const { width, height } = options.viewport;
  await browser.setWindowSize(width, height);
  let seen = '';
  await browser.waitUntil(
    async () => {
      seen = (await browser.execute(() => [window.innerWidth, window.innerHeight])).join(' × ');
      return seen === `${width} × ${height}`;
    },
    { timeout: 10_000, interval: 50, timeoutMsg: `MiniBrowser's viewport is ${seen}, not the ${width} × ${height} asked for` },
  );
  const at = ({ x, y }: Point) => ({ x: Math.round(x), y: Math.round(y), origin: 'viewport' as const });
  return {
    goto: (url) => browser.url(url).then(() => undefined),
    url: () => browser.getUrl(),
    evaluate: (fn, arg) => browser.execute(fn as never, arg) as never,
    // skipRelease: a released pointer would leave the page, and close what hovering opened.
    mouseMove: (point) =>
      browser
        .action('pointer', { parameters: { pointerType: 'mouse' } })
        .move(at(point))
        .perform(true),
    mouseClick: (point) =>
      browser
        .action('pointer', { parameters: { pointerType: 'mouse' } })
        .move(at(point))
        .down({ button: 0 })
        .up({ button: 0 })
        .perform(true),
    press: (key) => browser.keys([KEYS[key] ?? key]),
    screenshot: async () => Buffer.from(await browser.takeScreenshot(), 'base64'),
    close: () => browser.deleteSession(),
  };
}
