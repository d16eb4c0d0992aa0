/**
 * Which links an article may render. A `javascript:` (or `data:`, `vbscript:`, …) URL in front matter or a BibTeX
 * entry would become a live link on the published page, so only these are accepted: http(s), mailto, and relative
 * links (a path, a #fragment, a ?query). Browsers ignore tabs, newlines and leading spaces in a scheme
 * ("java\tscript:"), so those are removed before the scheme is read.
 */
const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto']);

/** The URL's scheme as a browser reads it, lower-cased, or undefined for a relative link. */
export function schemeOf(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const normal = value.replace(/[\u0000-\u0020\u007f]/g, '');
  return /^([a-z][a-z0-9+.-]*):/i.exec(normal)?.[1]?.toLowerCase();
}

export function isSafeLink(value: string): boolean {
  const scheme = schemeOf(value);
  return scheme === undefined || ALLOWED_SCHEMES.has(scheme);
}

/** A full URL a reader can follow: http(s) or mailto. */
export function isWebUrl(value: string): boolean {
  const scheme = schemeOf(value);
  return scheme !== undefined && ALLOWED_SCHEMES.has(scheme);
}
