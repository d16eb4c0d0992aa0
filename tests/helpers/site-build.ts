/** The test build of the example site: a non-root base path, as on a GitHub Pages project site. */
import path from 'node:path';

export const TEST_BASE = '/atlas-test/';
export const TEST_SITE = 'https://atlas.example.org';
export const TEST_OUT_DIR = path.resolve('tests/.tmp/site');
export const ARTICLE_PATH = 'reading-an-activation-atlas/';
