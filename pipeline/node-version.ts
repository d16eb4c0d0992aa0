/**
 * The oldest Node.js the project runs on. The packages the site and the pipeline install need 20.19
 * (@citation-js, chokidar, entities, readdirp); the browser tests' webdriverio needs 20.20.2 on the 20 line.
 * Node 20 is past its end of life: use the current LTS where you can; the project is kept working on 20.
 */
export const MINIMUM_NODE = '20.19.0';

/** One sentence saying what to do when this Node.js is older than MINIMUM_NODE, or undefined when it is new enough. */
export function nodeTooOld(version = process.versions.node): string | undefined {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  const [wantMajor, wantMinor, wantPatch] = MINIMUM_NODE.split('.').map(Number) as [number, number, number];
  const older = major !== wantMajor ? major < wantMajor : minor !== wantMinor ? minor < wantMinor : patch < wantPatch;
  return older
    ? `Node.js ${version} is too old: atlas articles needs ${MINIMUM_NODE} or newer (the current LTS is best); install it, for example with nvm install --lts.`
    : undefined;
}
