/**
 * Reads a BibTeX file into references keyed by citation key. Parsing (braces, TeX accents, @string macros,
 * name lists) is citation-js's; this module adds what an author needs around it: the broken entry and its line
 * when the file is malformed, duplicate keys, and `and others` turned into "et al." instead of an author.
 */
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import { UserError } from '../errors.ts';
import { isSafeLink } from '../content/urls.ts';

export interface Person {
  given?: string;
  family?: string;
  /** A name kept whole, e.g. an organisation written in double braces. */
  literal?: string;
}

export interface Reference {
  key: string;
  type: string;
  /** May hold <i>, <b>, <sup>, <sub> and small-caps spans from TeX markup; see richToHtml. */
  title?: string;
  authors: Person[];
  /** True when the author list ended with `and others`. */
  etAl: boolean;
  year?: number;
  container?: string;
  volume?: string;
  issue?: string;
  pages?: string;
  publisher?: string;
  doi?: string;
  url?: string;
  /** Line of the entry in its .bib file, for messages. */
  line: number;
}

type CslName = { given?: string; family?: string; literal?: string; 'non-dropping-particle'?: string; 'dropping-particle'?: string; suffix?: string };
type CslItem = Record<string, unknown> & { id: string; type: string };

const ENTRY_START = /^[ \t]*@([A-Za-z]+)\s*[{(]\s*([^,\s}]*)/gm;

/** Parses `text` (the contents of `file`); throws a UserError naming the file, entry and line on malformed input. */
export function parseBibtex(text: string, file: string): Map<string, Reference> {
  const starts = locateEntries(text);
  checkDuplicateKeys(starts, file);

  let items: CslItem[];
  try {
    items = new Cite(text, { forceType: '@biblatex/text' }).data as CslItem[];
  } catch (error) {
    throw locateSyntaxError(text, starts, file, error);
  }

  const lineOf = new Map(starts.filter((s) => s.key).map((s) => [s.key, s.line]));
  const references = new Map<string, Reference>();
  for (const item of items) {
    const key = String(item['citation-key'] ?? item.id);
    const reference = toReference(item, key, lineOf.get(key) ?? 0);
    // The url becomes a link in the bibliography: a javascript: URL would run on the page (content/urls.ts).
    if (reference.url && !isSafeLink(reference.url)) {
      const at = text.indexOf(reference.url);
      throw new UserError(
        `${file}:${at < 0 ? reference.line : lineAt(text, at)}: entry "${key}" has url = {${reference.url}}; only http(s), mailto and relative links are shown, so fix or remove it.`,
      );
    }
    references.set(key, reference);
  }
  for (const start of starts) {
    if (start.key && !references.has(start.key)) {
      throw new UserError(
        `${file}:${start.line}: entry "${start.key}" could not be read; check that its fields are written as name = {value}, separated by commas.`,
      );
    }
  }
  return references;
}

interface EntryStart {
  type: string;
  key: string;
  line: number;
  offset: number;
}

/** Where each entry starts; @string, @preamble and @comment are not references and have no key. */
function locateEntries(text: string): EntryStart[] {
  const starts: EntryStart[] = [];
  for (const match of text.matchAll(ENTRY_START)) {
    const type = match[1]!.toLowerCase();
    const isReference = !['string', 'preamble', 'comment'].includes(type);
    starts.push({
      type,
      key: isReference ? match[2]! : '',
      line: lineAt(text, match.index!),
      offset: match.index!,
    });
  }
  return starts;
}

function checkDuplicateKeys(starts: EntryStart[], file: string): void {
  const seen = new Map<string, number>();
  for (const { key, line } of starts) {
    if (!key) continue;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new UserError(`${file}:${line}: key "${key}" is already used by the entry on line ${first}; give one of them another key.`);
    }
    seen.set(key, line);
  }
}

/**
 * citation-js reports a syntax error where its parser gave up, which can be entries later than the mistake.
 * Parse entry by entry (with the file's @string macros) to name the first entry that is itself broken.
 */
function locateSyntaxError(text: string, starts: EntryStart[], file: string, error: unknown): UserError {
  const macros = starts
    .filter((s) => s.type === 'string')
    .map((s) => text.slice(s.offset, nextOffset(starts, s, text)))
    .join('\n');
  for (const start of starts) {
    if (!start.key) continue;
    const chunk = text.slice(start.offset, nextOffset(starts, start, text));
    try {
      new Cite(`${macros}\n${chunk}`, { forceType: '@biblatex/text' });
    } catch {
      return new UserError(
        `${file}:${start.line}: entry "${start.key}" is malformed (unbalanced braces, a missing comma or an unquoted value); fix it or remove it.`,
      );
    }
  }
  const where = /line (\d+) col (\d+)/.exec(String((error as Error)?.message ?? ''));
  const position = where ? `:${where[1]}` : '';
  return new UserError(`${file}${position}: the file is not valid BibTeX (${firstLine(error)}); check the text between entries.`);
}

function nextOffset(starts: EntryStart[], start: EntryStart, text: string): number {
  const index = starts.indexOf(start);
  return starts[index + 1]?.offset ?? text.length;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .trim();
}

function toReference(item: CslItem, key: string, line: number): Reference {
  const names = ((item.author ?? item.editor ?? []) as CslName[]).map(toPerson);
  const etAl = names.some(isOthers);
  const issued = item.issued as { 'date-parts'?: number[][]; literal?: string } | undefined;
  const year = issued?.['date-parts']?.[0]?.[0];
  return {
    key,
    type: item.type,
    title: text(item.title),
    authors: names.filter((name) => !isOthers(name)),
    etAl,
    year: typeof year === 'number' && Number.isFinite(year) ? year : undefined,
    container: text(item['container-title']),
    volume: text(item.volume),
    issue: text(item.issue),
    pages: text(item.page),
    publisher: text(item.publisher),
    doi: text(item.DOI),
    url: text(item.URL),
    line,
  };
}

function toPerson(name: CslName): Person {
  if (name.literal) return { literal: name.literal };
  const family = [name['non-dropping-particle'], name.family].filter(Boolean).join(' ');
  const given = [name.given, name['dropping-particle']].filter(Boolean).join(' ');
  return { ...(given ? { given } : {}), ...(family ? { family } : {}) };
}

function isOthers(person: Person): boolean {
  const whole = (person.literal ?? (person.family && !person.given ? person.family : '')).trim().toLowerCase();
  return whole === 'others';
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const result = String(value).trim();
  return result === '' ? undefined : result;
}
