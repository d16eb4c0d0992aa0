/** Numbers, lists and sentences as the methods appendix writes them (English, thin rules, "—" for what is not recorded). */
import type { Hash } from './methods.ts';

export const NOT_RECORDED = '—';

export const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
export function decimal(value: number, digits: number): string {
  return new Intl.NumberFormat('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}
export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** 20000 → "20,000"; anything else → "—". */
export function count(value: unknown): string {
  return isNumber(value) ? integer.format(value) : NOT_RECORDED;
}

/** Seconds for a reader: one decimal, whole seconds from 100 s, "< 0.1" for what rounds to nothing. */
export function seconds(value: number): string {
  if (value > 0 && value < 0.05) return '< 0.1';
  return value >= 100 ? integer.format(value) : decimal(value, 1);
}

/** Bytes as megabytes (10⁶), one decimal. */
export function megabytes(bytes: number): string {
  if (bytes > 0 && bytes < 50_000) return '< 0.1';
  return decimal(bytes / 1e6, 1);
}

export function shortHash(full: string): Hash {
  return { full, short: full.slice(0, 12) };
}

/** "a", "a and b", "a, b and c". */
export function list(items: (string | number)[]): string {
  const words = items.map(String);
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const percentOf = (share: number) => `${decimal(share * 100, 0)} %`;
