// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import rehypeAutolinkHeadings from 'rehype-autolink-headings';
import { rehypeHeadingIds } from '@astrojs/markdown-remark';
import { fileURLToPath } from 'node:url';
import remarkArticleReferences from './pipeline/markdown/remark-article-references.ts';
import rehypeBaseLinks from './pipeline/markdown/rehype-base-links.ts';
import remarkAtlasFigures from './pipeline/markdown/remark-atlas-figures.ts';
import { siteSettings } from './pipeline/site/settings.ts';
import { atlasesDirOf } from './pipeline/published/reader.ts';
import atlasPipeline from './pipeline/site/pipeline-integration.ts';

const { site, base, outDir, publicDir } = siteSettings(process.env);

export default defineConfig({
  site,
  base,
  outDir,
  publicDir,
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'auto' },
  markdown: {
    remarkPlugins: [
      remarkMath,
      [remarkArticleReferences, { bibliographyDir: fileURLToPath(new URL('./content/bibliography/', import.meta.url)) }],
      [remarkAtlasFigures, { atlasesDir: atlasesDirOf(publicDir) }],
    ],
    rehypePlugins: [
      // Ids first, so the table of contents reads headings before the anchor links are appended.
      rehypeHeadingIds,
      [
        rehypeAutolinkHeadings,
        {
          behavior: 'append',
          properties: (/** @type {any} */ heading) => ({
            className: ['heading-anchor'],
            ariaLabel: `Link to the section “${textOf(heading)}”`,
          }),
          content: { type: 'element', tagName: 'span', properties: { className: ['heading-anchor-icon'], ariaHidden: 'true' }, children: [] },
        },
      ],
      [rehypeKatex, { output: 'htmlAndMathml' }],
      [rehypeBaseLinks, { base }],
    ],
  },
  // atlasPipeline first: it runs `atlas build` (content checks, stale pipeline stages) before Astro builds or serves.
  integrations: [atlasPipeline(), mdx()],
  devToolbar: { enabled: false },
});

/** @param {any} node @returns {string} */
function textOf(node) {
  if (node.type === 'text') return node.value;
  return (node.children ?? []).map(textOf).join('');
}
