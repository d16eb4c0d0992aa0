/** Splits an MDX file into its YAML front matter and parses it, with errors that name the file and line. */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UserError } from '../errors.ts';

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/;

export function readFrontMatter(source: string, label: string): Record<string, unknown> {
  const match = FRONT_MATTER.exec(source);
  if (!match) {
    throw new UserError(`${label}: has no front matter; start the file with a block between two "---" lines holding at least title, description, authors and published.`);
  }
  let data: unknown;
  try {
    // YAML 1.1 reads 2026-11-29 as a date, as Astro's parser does.
    data = parseYaml(match[1]!, { version: '1.1' });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = (error.linePos?.[0]?.line ?? 0) + 1;
      throw new UserError(`${label}:${line}: the front matter is not valid YAML (${error.message.split('\n')[0]!.replace(/ at line.*$/, '')}).`);
    }
    throw error;
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${label}: the front matter must be a list of "field: value" lines.`);
  }
  return data as Record<string, unknown>;
}
