/** Licenses an article can name by SPDX id; any other license is given as { name, url }. */
export const KNOWN_LICENSES = {
  'CC-BY-4.0': { name: 'Creative Commons Attribution 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
  'CC-BY-SA-4.0': {
    name: 'Creative Commons Attribution-ShareAlike 4.0',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
  },
  'CC-BY-NC-4.0': {
    name: 'Creative Commons Attribution-NonCommercial 4.0',
    url: 'https://creativecommons.org/licenses/by-nc/4.0/',
  },
  'CC0-1.0': { name: 'CC0 1.0 Universal (public domain)', url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  MIT: { name: 'MIT License', url: 'https://opensource.org/license/mit' },
  'Apache-2.0': { name: 'Apache License 2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
} as const;

export type KnownLicenseId = keyof typeof KNOWN_LICENSES;
