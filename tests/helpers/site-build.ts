/** The test build of the example site: a non-root base path, as on a GitHub Pages project site. */
import path from 'node:path';

export const TEST_BASE = '/atlas-test/';
export const TEST_SITE = 'https://atlas.example.org';
/** One folder per test run (set by global-setup), so that runs started side by side never rebuild each other's site. */
export const TEST_OUT_DIR = path.resolve(process.env.ATLAS_TEST_OUT_DIR ?? 'tests/.tmp/site');
export const ARTICLE_PATH = 'reading-an-activation-atlas/';
