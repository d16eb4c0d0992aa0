import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinks, formatLinkProblem } from '../../pipeline/site/check-links.ts';

function site(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-links-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('link checker', () => {
  it('accepts a site whose links all resolve under the base', () => {
    const root = site({
      'index.html': '<a href="/repo/article/">a</a><a href="article/#intro">b</a><img src="/repo/img/a.png" srcset="/repo/img/a.png 1x">',
      'article/index.html':
        '<h2 id="intro">Intro</h2><a href="../">home</a><a href="#intro">self</a><a href="https://example.org/x">ext</a><link rel="stylesheet" href="/repo/s.css">',
      'img/a.png': 'png',
      's.css': '.x { background: url(img/a.png) } .y { background: url("data:image/png;base64,AA") }',
    });
    const report = checkLinks(root, '/repo/');
    expect(report.problems).toEqual([]);
    expect(report.pages).toBe(2);
    expect(report.stylesheets).toBe(1);
    expect(report.checked).toBe(8);
  });

  it('names the page and URL of each broken link', () => {
    const root = site({
      'index.html': '<a href="/article/">no base</a><a href="/repo/missing/">gone</a><img src="img/b.png">',
      'article/index.html': '<a href="/repo/#nowhere">bad fragment</a><meta property="og:image" content="https://me.example/repo/og.png">',
      's.css': '.x { background: url(/repo/img/none.png) }',
    });
    const report = checkLinks(root, '/repo/', 'https://me.example');
    expect(report.problems.map(formatLinkProblem)).toEqual([
      'article/index.html: /repo/#nowhere no element with id "nowhere" on index.html',
      'article/index.html: https://me.example/repo/og.png no such file in the build',
      'index.html: /article/ points outside the base path /repo/',
      'index.html: /repo/missing/ no such file in the build',
      'index.html: img/b.png no such file in the build',
      's.css: /repo/img/none.png no such file in the build',
    ]);
  });
});
