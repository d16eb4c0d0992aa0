/**
 * The front matter of an article and the site settings, as zod schemas.
 * Shared by the content check (`atlas build`, one line per mistake) and Astro's content collection.
 */
import { isWebUrl } from './urls.ts';
import { z } from 'zod';
import { KNOWN_LICENSES, type KnownLicenseId } from './licenses.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** YAML gives dates as Date objects or strings depending on the parser; accept both, never numbers. */
export const dateField = z.preprocess(
  (value) => (typeof value === 'string' && ISO_DATE.test(value.trim()) ? new Date(value.trim()) : value),
  z.date({ invalid_type_error: 'must be a date written as YYYY-MM-DD, e.g. 2026-11-29' }).refine(
    (date) => !Number.isNaN(date.getTime()),
    'must be a real calendar date written as YYYY-MM-DD, e.g. 2026-11-29',
  ),
);

/** ORCID iDs end in an ISO 7064 MOD 11-2 check digit; a typo in the iD almost always breaks it. */
export function isValidOrcid(orcid: string): boolean {
  if (!/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(orcid)) return false;
  const digits = orcid.replace(/-/g, '');
  let total = 0;
  for (const char of digits.slice(0, -1)) total = (total + Number(char)) * 2;
  const remainder = (12 - (total % 11)) % 11;
  const check = remainder === 10 ? 'X' : String(remainder);
  return digits.endsWith(check);
}

// Only links a reader can safely follow: a javascript: URL would become a live link on the page (urls.ts).
const url = z.string().url('must be a full URL starting with https://').refine(isWebUrl, 'must be an http(s) or mailto URL (a javascript: or data: link would run on the page)');

const affiliation = z.union([
  z.string().min(1, 'must not be empty'),
  z.object({ name: z.string().min(1, 'must not be empty'), url: url.optional() }).strict(),
]);

const author = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    /** A team or organisation: its name is cited whole, never split into given and family names. */
    group: z.boolean().default(false),
    url: url.optional(),
    orcid: z
      .string()
      .transform((value) => value.replace(/^https?:\/\/orcid\.org\//, ''))
      .refine(isValidOrcid, 'must be an ORCID iD like 0000-0002-1825-0097 with a valid check digit')
      .optional(),
    affiliations: z.array(affiliation).default([]),
  })
  .strict();

const licenseIds = Object.keys(KNOWN_LICENSES) as [KnownLicenseId, ...KnownLicenseId[]];
const license = z.union(
  [z.enum(licenseIds), z.object({ name: z.string().min(1), url }).strict()],
  { errorMap: () => ({ message: `must be one of ${licenseIds.join(', ')} or { name, url }` }) },
);

const update = z.object({ date: dateField, description: z.string().min(1, 'must not be empty') }).strict();

/**
 * The index card and social-card picture: an image file next to the article, or an atlas view the pipeline
 * renders (its static picture), named by `atlas` and `view` and checked against what was published.
 */
function cover<Image extends z.ZodTypeAny>(image: Image) {
  return z
    .object({
      image: image.optional(),
      atlas: z.string().min(1, 'must name an atlas (a recipe in content/atlases/)').optional(),
      view: z.string().min(1, 'must name a view of the atlas, e.g. mixed5a').optional(),
      alt: z.string({ required_error: 'is required (describe the picture for readers who cannot see it)' }).min(1, 'must describe the image for readers who cannot see it'),
    })
    .strict()
    .superRefine((value, ctx) => {
      const fromAtlas = value.atlas !== undefined || value.view !== undefined;
      if ((value.image !== undefined) === fromAtlas) {
        ctx.addIssue({ code: 'custom', message: 'must have either image (a file next to the article) or atlas and view (an atlas view the pipeline renders), not both' });
      } else if (fromAtlas && (value.atlas === undefined || value.view === undefined)) {
        ctx.addIssue({ code: 'custom', path: [value.atlas === undefined ? 'atlas' : 'view'], message: 'is required with an atlas cover (atlas and view, e.g. atlas: demo, view: mixed5a)' });
      }
    });
}

/**
 * Builds the article schema around the cover-image type: Astro passes its `image()` helper (which resolves
 * and optimizes the file); the content check passes a plain string and checks the file itself.
 */
export function articleSchema<Image extends z.ZodTypeAny>(image: Image) {
  return z
    .object({
      title: z.string({ required_error: 'is required' }).min(1, 'must not be empty'),
      description: z.string({ required_error: 'is required (one or two sentences for search engines and link previews)' }).min(1, 'must not be empty'),
      authors: z.array(author, { required_error: 'is required (a list with at least one { name })' }).min(1, 'must list at least one author'),
      published: dateField,
      updated: dateField.optional(),
      doi: z
        .string()
        .regex(/^10\.\d{4,9}\/\S+$/, 'must be a DOI like 10.23915/distill.00015 (without https://doi.org/)')
        .optional(),
      license: license.default('CC-BY-4.0'),
      repository: url.optional(),
      bibliography: z
        .string()
        .regex(/^[\w.-]+\.bib$/, 'must be the name of a .bib file in content/bibliography/, e.g. article.bib')
        .optional(),
      cover: cover(image).optional(),
      updates: z.array(update).default([]),
      keywords: z.array(z.string()).default([]),
      draft: z.boolean().default(false),
    })
    .strict()
    .superRefine((data, ctx) => {
      if (data.updated && data.updated < data.published) {
        ctx.addIssue({ code: 'custom', path: ['updated'], message: 'must not be earlier than published' });
      }
    });
}

export const siteSchema = z
  .object({
    title: z.string().min(1, 'must not be empty'),
    description: z.string().min(1, 'must not be empty'),
    /** The name citations give as the journal, e.g. "Atlas Articles". */
    publisher: z.string().min(1, 'must not be empty'),
    lang: z.string().default('en'),
    repository: url.optional(),
  })
  .strict();

export type SiteConfig = z.infer<typeof siteSchema>;
export type ArticleFrontMatter = z.infer<ReturnType<typeof articleSchema<z.ZodString>>>;
export type Author = z.infer<typeof author>;
export type License = z.infer<typeof license>;

export function resolveLicense(value: License): { id?: string; name: string; url: string } {
  return typeof value === 'string' ? { id: value, ...KNOWN_LICENSES[value] } : value;
}

/** The first zod issue as "field "a.b[0]": reason" — one line, naming the field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : String(part)),
    '',
  );
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${field ? field + '.' : ''}${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.received === 'undefined') message = message === 'Required' ? 'is required' : message;
    else if (message.startsWith('Expected')) message = `must be ${article(issue.expected)}, not ${article(issue.received)}`;
  }
  return field ? `field "${field}" ${message}` : message;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
