/** Site settings (content/site.yaml) and URL helpers for pages and components. */
import { parse } from 'yaml';
import siteYaml from '../../content/site.yaml?raw';
import { siteSchema } from '../../pipeline/content/schema.ts';
import { withBase } from '../../pipeline/site/base-path.ts';

export const site = siteSchema.parse(parse(siteYaml));

/** A root-relative path ("/reading/") under the configured base ("/my-repo/reading/"). */
export function href(path: string): string {
  return withBase(path, import.meta.env.BASE_URL);
}

/** An absolute URL on the published site, for canonical links, Open Graph and citations. */
export function absoluteUrl(path: string, origin: URL | undefined): string {
  return new URL(href(path), origin ?? 'http://localhost:4321').toString();
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function longDate(date: Date): string {
  return date.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}
