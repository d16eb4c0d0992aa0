import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import remarkRehype from 'remark-rehype';
import type { Node } from 'unist';
import { normalizeBase, srcsetWithBase, withBase } from '../../pipeline/site/base-path.ts';
import rehypeBaseLinks from '../../pipeline/markdown/rehype-base-links.ts';

describe('base paths', () => {
  it('normalizes the base from the environment', () => {
    expect(normalizeBase(undefined)).toBe('/');
    expect(normalizeBase('')).toBe('/');
    expect(normalizeBase('my-repo')).toBe('/my-repo/');
    expect(normalizeBase('/my-repo')).toBe('/my-repo/');
    expect(normalizeBase('/a/b/')).toBe('/a/b/');
  });

  it('prefixes root-relative URLs once, and nothing else', () => {
    expect(withBase('/images/a.png', '/repo/')).toBe('/repo/images/a.png');
    expect(withBase('/repo/images/a.png', '/repo/')).toBe('/repo/images/a.png');
    expect(withBase('/', '/repo/')).toBe('/repo/');
    expect(withBase('images/a.png', '/repo/')).toBe('images/a.png');
    expect(withBase('#fig-1', '/repo/')).toBe('#fig-1');
    expect(withBase('//cdn.example/x', '/repo/')).toBe('//cdn.example/x');
    expect(withBase('https://example.org/x', '/repo/')).toBe('https://example.org/x');
    expect(withBase('/images/a.png', '/')).toBe('/images/a.png');
    expect(srcsetWithBase('/a.png 1x, /b.png 2x', '/repo/')).toBe('/repo/a.png 1x, /repo/b.png 2x');
  });

  it('rewrites links written in MDX, as markdown and as JSX', async () => {
    const processor = unified()
      .use(remarkParse)
      .use(remarkMdx)
      .use(remarkRehype, { passThrough: ['mdxJsxFlowElement', 'mdxJsxTextElement'] })
      .use(rehypeBaseLinks, { base: '/repo/' });
    const tree = (await processor.run(
      processor.parse('[index](/) and ![x](/images/x.png) and [away](https://example.org/)\n\n<img src="/images/y.png" alt="" />'),
    )) as Node;
    const urls: string[] = [];
    const collect = (node: any) => {
      if (node.properties?.href) urls.push(node.properties.href);
      if (node.properties?.src) urls.push(node.properties.src);
      for (const attribute of node.attributes ?? []) if (attribute.name === 'src') urls.push(attribute.value);
      for (const child of node.children ?? []) collect(child);
    };
    collect(tree);
    expect(urls).toEqual(['/repo/', '/repo/images/x.png', 'https://example.org/', '/repo/images/y.png']);
  });
});
