/**
 * Headless Chromium through playwright-core, using the system's Chromium (Debian's `chromium` package), since
 * Playwright's own browser download is not available offline. `findChromium()` says where it is, or why not.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  return CANDIDATES.find((candidate): candidate is string => Boolean(candidate && existsSync(candidate)));
}

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found; install Debian\'s "chromium" package or set CHROMIUM_PATH.');
  // playwright-core's launch() gives every browser a fresh temporary profile (--user-data-dir) of its own.
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}
