/**
 * Checks a built site: every internal href, src and srcset in every page, and every url() in every
 * stylesheet, must resolve to a file in the output under the configured base, and every #fragment to an id on
 * its target page. Each failure names the page and the broken URL.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, type HTMLElement } from 'node-html-parser';
import { normalizeBase } from './base-path.ts';

export interface LinkProblem {
  page: string;
  url: string;
  reason: string;
}

export interface LinkReport {
  pages: number;
  stylesheets: number;
  checked: number;
  problems: LinkProblem[];
}

const URL_ATTRIBUTES = ['href', 'src', 'poster', 'data-src'];

/** `site` (e.g. https://me.github.io) lets absolute URLs to the site itself, as in og:image, be checked too. */
export function checkLinks(outDir: string, base: string, site?: string): LinkReport {
  const prefix = normalizeBase(base);
  const origin = site ? new URL(site).origin : undefined;
  const files = listFiles(outDir);
  const idsByPage = new Map<string, Set<string>>();
  const problems: LinkProblem[] = [];
  let checked = 0;

  const pageIds = (file: string): Set<string> => {
    let ids = idsByPage.get(file);
    if (!ids) {
      const root = parse(readFileSync(file, 'utf8'));
      ids = new Set(root.querySelectorAll('[id]').map((el) => el.getAttribute('id')!));
      for (const anchor of root.querySelectorAll('a[name]')) ids.add(anchor.getAttribute('name')!);
      idsByPage.set(file, ids);
    }
    return ids;
  };

  const check = (fromFile: string, pageUrl: string, url: string) => {
    const page = path.relative(outDir, fromFile);
    const target = resolveInternal(url, pageUrl, origin);
    if (!target) return;
    checked++;
    if (!target.pathname.startsWith(prefix)) {
      problems.push({ page, url, reason: `points outside the base path ${prefix}` });
      return;
    }
    const file = fileFor(outDir, decodeURIComponent(target.pathname.slice(prefix.length)));
    if (!file) {
      problems.push({ page, url, reason: 'no such file in the build' });
      return;
    }
    const fragment = decodeURIComponent(target.hash.slice(1));
    if (fragment && file.endsWith('.html') && !pageIds(file).has(fragment)) {
      problems.push({ page, url, reason: `no element with id "${fragment}" on ${path.relative(outDir, file)}` });
    }
  };

  let pages = 0;
  let stylesheets = 0;
  for (const file of files) {
    const relative = path.relative(outDir, file).split(path.sep).join('/');
    const fileUrl = `http://site.invalid${prefix}${relative.replace(/(^|\/)index\.html$/, '$1')}`;
    if (file.endsWith('.html')) {
      pages++;
      const root = parse(readFileSync(file, 'utf8'));
      for (const url of urlsInPage(root)) check(file, fileUrl, url);
    } else if (file.endsWith('.css')) {
      stylesheets++;
      for (const url of urlsInCss(readFileSync(file, 'utf8'))) check(file, fileUrl, url);
    }
  }
  return { pages, stylesheets, checked, problems };
}

function urlsInPage(root: HTMLElement): string[] {
  const urls: string[] = [];
  for (const element of root.querySelectorAll('*')) {
    for (const name of URL_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value !== undefined) urls.push(value);
    }
    for (const name of ['srcset', 'imagesrcset']) {
      const value = element.getAttribute(name);
      if (value)
        urls.push(
          ...value
            .split(',')
            .map((candidate) => candidate.trim().split(/\s+/)[0]!)
            .filter(Boolean),
        );
    }
    const property = element.getAttribute('property') ?? element.getAttribute('name');
    if (element.tagName === 'META' && property && /^(og:image|og:url|twitter:image|citation_.*_url)$/.test(property)) {
      urls.push(element.getAttribute('content') ?? '');
    }
    const style = element.getAttribute('style');
    if (style) urls.push(...urlsInCss(style));
  }
  for (const style of root.querySelectorAll('style')) urls.push(...urlsInCss(style.textContent));
  return urls;
}

function urlsInCss(css: string): string[] {
  return [...css.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)].map((match) => match[2]!.trim());
}

/** The URL as an absolute one on the site, or undefined for external, data:, mailto: and similar. */
function resolveInternal(url: string, pageUrl: string, origin: string | undefined): URL | undefined {
  const trimmed = url.trim();
  if (!trimmed || /^(data|mailto|tel|javascript|blob):/i.test(trimmed)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//')) {
    if (!origin) return undefined;
    const absolute = new URL(trimmed.startsWith('//') ? `https:${trimmed}` : trimmed);
    if (absolute.origin !== origin) return undefined;
    return new URL(absolute.pathname + absolute.search + absolute.hash, pageUrl);
  }
  return new URL(trimmed, pageUrl);
}

/** The file a static host serves for a path: the file itself, or a folder's index.html, or "path.html". */
function fileFor(outDir: string, relativePath: string): string | undefined {
  const candidate = path.join(outDir, relativePath);
  if (!candidate.startsWith(outDir)) return undefined;
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  const index = path.join(candidate, 'index.html');
  if (existsSync(index)) return index;
  if (existsSync(`${candidate}.html`)) return `${candidate}.html`;
  return undefined;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(directory, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

export function formatLinkProblem(problem: LinkProblem): string {
  return `${problem.page}: ${problem.url} ${problem.reason}`;
}
