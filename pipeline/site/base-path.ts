/** URLs under the site's base path (GitHub Pages serves a project site at /<repository>/). */

/** "/my-repo" or "my-repo/" → "/my-repo/"; "" or "/" → "/". */
export function normalizeBase(base: string | undefined): string {
  const trimmed = (base ?? '').trim().replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

/**
 * Prefixes a root-relative URL ("/images/a.png") with the base; leaves relative, external, protocol-relative,
 * fragment-only and already-prefixed URLs alone, so applying it twice changes nothing.
 */
export function withBase(url: string, base: string): string {
  const prefix = normalizeBase(base);
  if (!url.startsWith('/') || url.startsWith('//') || prefix === '/') return url;
  if (url === prefix.slice(0, -1) || url.startsWith(prefix)) return url;
  return prefix + url.slice(1);
}

/** The same for each URL of a srcset ("a.png 1x, b.png 2x"). */
export function srcsetWithBase(srcset: string, base: string): string {
  return srcset
    .split(',')
    .map((candidate) => {
      const [url, ...descriptor] = candidate.trim().split(/\s+/);
      return [withBase(url ?? '', base), ...descriptor].join(' ');
    })
    .join(', ');
}
