/**
 * Where the site is published, from the environment, so one repository builds for any host:
 *   ATLAS_SITE  the origin, e.g. https://me.github.io (used for canonical URLs, Open Graph and citations)
 *   ATLAS_BASE  the sub-path, e.g. /my-repo/ for a GitHub Pages project site (default /)
 *   ATLAS_OUT_DIR  the output folder (default dist)
 *   ATLAS_PUBLIC_DIR  the folder copied into the site as is, atlases included (default public); tests point it at
 *                     a folder holding fixture atlases so that they never touch public/atlases
 */
import { normalizeBase } from './base-path.ts';

export interface SiteSettings {
  site: string;
  base: string;
  outDir: string;
  publicDir: string;
}

export function siteSettings(env: Record<string, string | undefined>): SiteSettings {
  const site = (env.ATLAS_SITE?.trim() || 'http://localhost:4321').replace(/\/+$/, '');
  try {
    new URL(site);
  } catch {
    throw new Error(`ATLAS_SITE must be an origin such as https://me.github.io, not "${env.ATLAS_SITE}".`);
  }
  return {
    site,
    base: normalizeBase(env.ATLAS_BASE),
    outDir: env.ATLAS_OUT_DIR?.trim() || 'dist',
    publicDir: env.ATLAS_PUBLIC_DIR?.trim() || 'public',
  };
}
