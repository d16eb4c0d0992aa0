import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hashOf } from '../cache/hash.ts';
import { UserError } from '../errors.ts';

/**
 * The model's identity: the bytes of model.json and of every weight file its weightsManifest names, in that
 * order (not their place on disk, nor other files in the folder). A weight path that leads outside the model
 * folder is refused.
 */
export function modelHash(folder: string): string {
  const modelFile = path.join(folder, 'model.json');
  const json = readFileSync(modelFile);
  let manifest: unknown;
  try {
    manifest = (JSON.parse(json.toString('utf8')) as { weightsManifest?: unknown }).weightsManifest;
  } catch {
    throw new UserError(`${modelFile}: not valid JSON; re-export the model.`);
  }
  const paths = Array.isArray(manifest) ? manifest.flatMap((group) => ((group as { paths?: unknown }).paths as unknown[] | undefined) ?? []) : [];
  const base = path.resolve(folder);
  const weights = paths.map((entry) => {
    const file = path.resolve(base, String(entry));
    if (!file.startsWith(base + path.sep))
      throw new UserError(
        `${modelFile}: the weight file "${String(entry)}" lies outside the model folder; keep every weight file inside ${folder} and name it relative to model.json.`,
      );
    if (!existsSync(file)) throw new UserError(`${modelFile}: names the weight file "${String(entry)}", which is missing; copy it next to model.json.`);
    return readFileSync(file);
  });
  return hashOf(json, ...weights);
}
