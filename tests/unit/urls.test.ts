/** Which links an article may render (pipeline/content/urls.ts). */
import { describe, expect, it } from 'vitest';
import { isSafeLink, isWebUrl, schemeOf } from '../../pipeline/content/urls.ts';

describe('links an article may render', () => {
  it('accepts http(s), mailto and relative links', () => {
    for (const link of ['https://distill.pub', 'HTTP://example.org/x', 'mailto:a@b.c', '/about/', '../x.pdf', '#fig-1', '?figure=x', 'notes/a:b'])
      expect(isSafeLink(link), link).toBe(true);
    expect(schemeOf('notes/a:b')).toBeUndefined();
  });

  it('refuses script and data URLs, however they are spelled', () => {
    for (const link of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:x',
      'java\tscript:x',
      'java\nscript:x',
      'data:text/html,<script>',
      'vbscript:x',
      'file:///etc/passwd',
    ]) {
      expect(isSafeLink(link), JSON.stringify(link)).toBe(false);
    }
  });

  it('wants a scheme where a full URL is asked for', () => {
    expect(isWebUrl('https://x.org')).toBe(true);
    expect(isWebUrl('/relative')).toBe(false);
  });
});
