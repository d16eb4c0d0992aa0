/** Content hashes for cache keys: SHA-256 over canonical JSON (sorted keys) and raw bytes. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function hashOf(...parts: (string | Uint8Array | unknown)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (part instanceof Uint8Array) hash.update(part);
    else if (typeof part === 'string') hash.update(part);
    else hash.update(canonicalJson(part));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
