/** Runs the article-references remark plugin over MDX source, as the content check and Astro do. */
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import remarkFrontmatter from 'remark-frontmatter';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { VFile } from 'vfile';
import remarkArticleReferences, { type CitedReference } from '../../pipeline/markdown/remark-article-references.ts';

export async function renderArticle(source: string, frontmatter: Record<string, unknown>, bibliographyDir: string) {
  const file = new VFile({ path: 'content/articles/test.mdx', value: source, data: { astro: { frontmatter } } });
  const processor = unified()
    .use(remarkParse)
    .use(remarkMdx)
    .use(remarkFrontmatter)
    .use(remarkArticleReferences, { bibliographyDir })
    .use(remarkRehype)
    .use(rehypeStringify);
  const tree = await processor.run(processor.parse(file), file);
  const html = processor.stringify(tree as never, file);
  const references = (file.data as { astro: { frontmatter: { references: CitedReference[] } } }).astro.frontmatter.references;
  return { html: String(html), references };
}
