/**
 * How references and the article's own citation are written. The reference style is Distill's (title first,
 * then authors, year, venue, DOI), which no shipped CSL style gives, so it is written here from parsed fields.
 */
import type { Person, Reference } from './bibtex.ts';

const ALLOWED_MARKUP = /&lt;(\/?)(i|b|sup|sub)&gt;|&lt;span style="font-variant:\s*small-caps;?"&gt;|&lt;\/span&gt;/g;

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Title text from citation-js may carry a little rich-text markup; keep that markup and escape everything else. */
export function richToHtml(value: string): string {
  return escapeHtml(value).replace(ALLOWED_MARKUP, (match, slash: string | undefined, tag: string | undefined) => {
    if (tag) return `<${slash ?? ''}${tag}>`;
    return match.startsWith('&lt;/') ? '</span>' : '<span class="small-caps">';
  });
}

export function richToText(value: string): string {
  return value.replace(/<[^>]+>/g, '');
}

/** "Carter, S." — family name then initials; a literal name as written. */
export function personShort(person: Person): string {
  if (person.literal) return person.literal;
  const initials = (person.given ?? '')
    .split(/[\s]+/)
    .filter(Boolean)
    .map((part) =>
      part
        .split('-')
        .map((piece) => `${piece[0]}.`)
        .join('-'),
    )
    .join(' ');
  return [person.family, initials].filter(Boolean).join(', ');
}

/** "Carter, S., Armstrong, Z. and Olah, C." with "et al." where the list was cut short. */
export function authorList(authors: Person[], etAl: boolean): string {
  const names = authors.map(personShort);
  if (etAl) return names.length ? `${names.join(', ')}, et al.` : '';
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export function referenceLink(reference: Reference): string | undefined {
  if (reference.doi) return `https://doi.org/${reference.doi}`;
  return reference.url;
}

/** The venue line: container, volume(issue), pages; or the publisher for books and reports. */
function venue(reference: Reference): string {
  const parts: string[] = [];
  if (reference.container) parts.push(reference.container);
  if (reference.volume) parts.push(`Vol ${reference.volume}${reference.issue ? `(${reference.issue})` : ''}`);
  if (reference.pages) parts.push(`pp. ${reference.pages.replace(/--?/, '–')}`);
  if (!reference.container && reference.publisher) parts.push(reference.publisher);
  return parts.join(', ');
}

/** One bibliography entry as HTML (no wrapper element). Missing fields are left out, never printed as blanks. */
export function formatReferenceHtml(reference: Reference): string {
  const title = reference.title ? richToHtml(reference.title) : escapeHtml(reference.key);
  const link = referenceLink(reference);
  const head = `<span class="reference-title">${title}</span>${link ? ` <a class="reference-link" href="${escapeHtml(link)}">[link]</a>` : ''}`;
  const details = referenceDetails(reference);
  return details ? `${head}<br><span class="reference-details">${escapeHtml(details)}</span>` : head;
}

export function formatReferenceText(reference: Reference): string {
  const title = reference.title ? richToText(reference.title) : reference.key;
  const details = referenceDetails(reference);
  return details ? `${title}. ${details}` : `${title}.`;
}

function referenceDetails(reference: Reference): string {
  const who = authorList(reference.authors, reference.etAl);
  const first = [who, reference.year].filter((part) => part !== undefined && part !== '').join(', ');
  const segments = [first, venue(reference), reference.doi ? `DOI: ${reference.doi}` : ''].filter(Boolean);
  // Sentences end in one period, also after an initial ("Doe, J.") or an abbreviation.
  return segments.map((segment) => (segment.endsWith('.') ? segment : `${segment}.`)).join(' ');
}

/** "[1]", "[1, 3]", "[2–4, 7]": numbers sorted, runs of three or more collapsed. */
export function citationLabel(numbers: number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return `[${parts.join(', ')}]`;
}

/** "Shan Carter" → { given: "Shan", family: "Carter" }; "Carter, Shan" and "Vincent van Gogh" work too. */
export function splitName(name: string): Person {
  const trimmed = name.trim();
  if (trimmed.includes(',')) {
    const [family, given] = trimmed.split(',', 2).map((part) => part.trim());
    return { family: family!, ...(given ? { given } : {}) };
  }
  const words = trimmed.split(/\s+/);
  if (words.length === 1) return { family: words[0]! };
  let start = words.length - 1;
  while (start > 1 && /^[a-z]/.test(words[start - 1]!)) start--;
  return { given: words.slice(0, start).join(' '), family: words.slice(start).join(' ') };
}

/** The person behind an author entry of the front matter. */
export function authorPerson(author: { name: string; group?: boolean }): Person {
  return author.group ? { literal: author.name } : splitName(author.name);
}

export interface ArticleCitationInput {
  authors: Person[];
  title: string;
  publisher: string;
  published: Date;
  url: string;
  doi?: string;
}

/** Distill's "Carter, et al., "Activation Atlas", Distill, 2019." */
export function formatArticleCitation(input: ArticleCitationInput): string {
  const families = input.authors.map((person) => person.literal ?? person.family ?? '');
  const who = families.length === 1 ? families[0] : families.length === 2 ? `${families[0]} and ${families[1]}` : `${families[0]}, et al.`;
  const where = input.doi ? `https://doi.org/${input.doi}` : input.url;
  return `${who}, "${input.title}", ${input.publisher}, ${input.published.getUTCFullYear()}. ${where}`;
}

const BIBTEX_SPECIALS = /[\\{}&%$#_~^]/g;

function bibtexEscape(value: string): string {
  return value.replace(BIBTEX_SPECIALS, (char) =>
    char === '\\' ? '\\textbackslash{}' : char === '~' ? '\\textasciitilde{}' : char === '^' ? '\\textasciicircum{}' : `\\${char}`,
  );
}

/** A citation key like "carter2019activation": first author's family name, year, first long word of the title. */
export function bibtexKey(input: ArticleCitationInput): string {
  const ascii = (value: string) =>
    value
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase();
  const first = input.authors[0];
  const family = ascii(first?.literal?.split(/\s+/).find((w) => w.length > 3) ?? first?.family ?? 'anonymous');
  const word = input.title
    .split(/\s+/)
    .map(ascii)
    .find((w) => w.length > 3 && !['with', 'from', 'into', 'that', 'this'].includes(w));
  return `${family || 'anonymous'}${input.published.getUTCFullYear()}${word ?? ''}`;
}

export function formatArticleBibtex(input: ArticleCitationInput): string {
  const authors = input.authors
    .map((person) =>
      person.literal ? `{${bibtexEscape(person.literal)}}` : bibtexEscape(person.given ? `${person.family}, ${person.given}` : (person.family ?? '')),
    )
    .join(' and ');
  const fields: [string, string][] = [
    ['author', authors],
    ['title', bibtexEscape(input.title)],
    ['journal', bibtexEscape(input.publisher)],
    ['year', String(input.published.getUTCFullYear())],
    ['note', bibtexEscape(input.url)],
  ];
  if (input.doi) fields.push(['doi', bibtexEscape(input.doi)]);
  return `@article{${bibtexKey(input)},\n${fields.map(([name, value]) => `  ${name} = {${value}}`).join(',\n')}\n}`;
}

/** Google Scholar's citation_reference content: "citation_title=…; citation_author=…; …". */
export function scholarReference(reference: Reference): string {
  const fields: string[] = [];
  const clean = (value: string) => richToText(value).replace(/;/g, ',');
  if (reference.title) fields.push(`citation_title=${clean(reference.title)}`);
  for (const author of reference.authors) {
    const name = author.literal ?? [author.family, author.given].filter(Boolean).join(', ');
    if (name) fields.push(`citation_author=${clean(name)}`);
  }
  if (reference.year) fields.push(`citation_publication_date=${reference.year}`);
  if (reference.container) fields.push(`citation_journal_title=${clean(reference.container)}`);
  if (reference.volume) fields.push(`citation_volume=${clean(reference.volume)}`);
  if (reference.doi) fields.push(`citation_doi=${clean(reference.doi)}`);
  return fields.join('; ');
}
