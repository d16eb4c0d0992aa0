/**
 * A throwaway project for pipeline runs: the example's site settings, articles and bibliography (`atlas build`
 * checks the content first), the demo model, and the given recipes in content/atlases/.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function demoProject(prefix: string, recipes: Record<string, string>, parent = os.tmpdir()): string {
  const root = mkdtempSync(path.join(parent, prefix));
  mkdirSync(path.join(root, 'content', 'atlases'), { recursive: true });
  for (const part of ['site.yaml', 'articles', 'bibliography']) cpSync(path.join('content', part), path.join(root, 'content', part), { recursive: true });
  cpSync('content/models/demo', path.join(root, 'content', 'models', 'demo'), { recursive: true });
  for (const [name, recipe] of Object.entries(recipes)) writeFileSync(path.join(root, 'content', 'atlases', `${name}.yaml`), recipe);
  return root;
}
