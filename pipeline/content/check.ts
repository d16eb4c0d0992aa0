/**
 * Checks everything an author writes before Astro runs: site settings, each article's front matter, its
 * bibliography, its citation keys and figure references. Each mistake becomes one line naming the file.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkFrontmatter from 'remark-frontmatter';
import { VFile } from 'vfile';
import { z } from 'zod';
import { UserError, isUserError } from '../errors.ts';
import { articleSchema, describeIssue, siteSchema, type SiteConfig } from './schema.ts';
import { readFrontMatter } from './read-article.ts';
import remarkArticleReferences from '../markdown/remark-article-references.ts';
import { parse as parseYaml } from 'yaml';

export interface ContentPaths {
  root: string;
  articles: string;
  bibliography: string;
  site: string;
}

export function contentPaths(root: string): ContentPaths {
  return {
    root,
    articles: path.join(root, 'content', 'articles'),
    bibliography: path.join(root, 'content', 'bibliography'),
    site: path.join(root, 'content', 'site.yaml'),
  };
}

export interface ContentReport {
  site?: SiteConfig;
  articles: string[];
  problems: string[];
}

export function checkContent(root: string): ContentReport {
  const paths = contentPaths(root);
  const problems: string[] = [];
  const label = (file: string) => path.relative(process.cwd(), file) || file;
  const attempt = <T>(work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      if (!isUserError(error)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };

  const site = attempt(() => readSite(paths.site, label(paths.site)));
  const articles = listArticles(paths.articles);
  if (!articles.length) problems.push(`${label(paths.articles)}: no articles found; add an .mdx file with front matter.`);
  for (const file of articles) attempt(() => checkArticle(file, label(file), paths));
  return { site, articles, problems };
}

function readSite(file: string, fileLabel: string): SiteConfig {
  if (!existsSync(file)) throw new UserError(`${fileLabel}: missing; create it with title, description and publisher.`);
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${fileLabel}: not valid YAML (${String((error as Error).message).split('\n')[0]}).`);
  }
  const result = siteSchema.safeParse(data ?? {});
  if (!result.success) throw new UserError(`${fileLabel}: ${describeIssue(result.error)}.`);
  return result.data;
}

export function listArticles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.mdx'))
    .map((name) => path.join(directory, name))
    .sort();
}

const markdownParser = unified().use(remarkParse).use(remarkMdx).use(remarkFrontmatter, ['yaml']).use(remarkGfm).use(remarkMath);

function checkArticle(file: string, fileLabel: string, paths: ContentPaths): void {
  const source = readFileSync(file, 'utf8');
  const raw = readFrontMatter(source, fileLabel);
  const result = articleSchema(z.string()).safeParse(raw);
  if (!result.success) {
    const line = lineOfIssue(source, raw, result.error);
    throw new UserError(`${fileLabel}${line ? `:${line}` : ''}: ${describeIssue(result.error)}.`);
  }
  const frontmatter = result.data;

  if (frontmatter.cover?.image && !existsSync(path.resolve(path.dirname(file), frontmatter.cover.image))) {
    throw new UserError(`${fileLabel}: field "cover.image" names ${frontmatter.cover.image}, which does not exist next to the article; fix the path.`);
  }

  const vfile = new VFile({ path: file, value: source, data: { astro: { frontmatter: { ...raw } } } });
  let tree;
  try {
    tree = markdownParser.parse(vfile);
  } catch (error) {
    const place = (error as { line?: number }).line;
    const reason = String((error as { reason?: string }).reason ?? (error as Error).message).split('\n')[0];
    throw new UserError(`${fileLabel}${place ? `:${place}` : ''}: MDX syntax error: ${reason}`);
  }
  remarkArticleReferences({ bibliographyDir: paths.bibliography })(tree, vfile);
}

/** The line of the front matter value a schema issue is about, where it is a string found in the source. */
function lineOfIssue(source: string, raw: unknown, error: z.ZodError): number | undefined {
  let value: unknown = raw;
  for (const part of error.issues[0]?.path ?? []) value = (value as Record<string | number, unknown> | undefined)?.[part];
  if (typeof value !== 'string' || !value) return undefined;
  const index = source.indexOf(value);
  return index < 0 ? undefined : source.slice(0, index).split('\n').length;
}
