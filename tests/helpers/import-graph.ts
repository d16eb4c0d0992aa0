/**
 * The project's own import graph, read from the source text: static imports and re-exports, dynamic imports of
 * literal paths, and worker task modules named as `new URL('./tasks.ts', import.meta.url)`. Type-only imports
 * are left out (they cannot change what runs). Packages are kept by name, to be looked up in the lockfile.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Source text without comments; string contents are kept (they are what imports name). */
export function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const CODE_SPECIFIERS = [
  /^\s*import\s+(?!type\s)(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/gm,
  /^\s*export\s+(?!type\s)[\w*{}\s,$]*?\s+from\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
];
const TYPE_SPECIFIERS = [/^\s*(?:import|export)\s+type\s+[\w*{}\s,$]+?\s+from\s+['"]([^'"]+)['"]/gm];

const CODE = /\.(ts|mts|mjs|js)$/;

export interface Imports {
  /** Project files (code, and data such as JSON), relative to the root with forward slashes. */
  files: string[];
  /** Package names (the part before any subpath). */
  packages: string[];
}

/** What one project file imports; with `types`, type-only imports too (what it depends on, not what it runs). */
export function importsOf(file: string, types = false): Imports {
  const code = withoutComments(readFileSync(path.join(ROOT, file), 'utf8'));
  const files = new Set<string>();
  const packages = new Set<string>();
  for (const pattern of types ? [...CODE_SPECIFIERS, ...TYPE_SPECIFIERS] : CODE_SPECIFIERS) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1]!;
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        const written = path.join(path.dirname(file), specifier).split(path.sep).join('/');
        // Astro and Vite resolve imports written without an extension.
        const target = [written, `${written}.ts`, `${written}/index.ts`].find(
          (candidate) => existsSync(path.join(ROOT, candidate)) && statSync(path.join(ROOT, candidate)).isFile(),
        );
        if (target) files.add(target); // not folders (URLs of assets)
      } else {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/**
 * Modules that code brings with it without importing them: whatever calls TensorFlow.js runs on the backend
 * that backend.ts sets up (in the CLI and in every worker), with the project's own kernels and gradients.
 */
const IMPLIED: Record<string, string[]> = {
  'pipeline/engine/tf.ts': ['pipeline/engine/backend.ts'],
};

/** Every project file reachable from the entries, and every package they import, sorted. */
export function importClosure(entries: string[]): Imports {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!CODE.test(file)) continue; // data a module imports (JSON) is part of it, and imports nothing
    const imports = importsOf(file);
    imports.packages.forEach((name) => packages.add(name));
    queue.push(...imports.files, ...(IMPLIED[file] ?? []));
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** A package's version as the lockfile pins it. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  return lock.packages[`node_modules/${name}`]?.version ?? 'unlocked';
}
