/** Reads and validates an atlas recipe; a mistake is one sentence naming the file and the field. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors.ts';
import { describeIssue } from '../content/schema.ts';
import { FIGURE_ID_PATTERN, recipeSchema, type Recipe } from './schema.ts';
import { recipeId } from './id.ts';

export { recipeId };

export function readRecipe(file: string, root = process.cwd()): Recipe & { id: string; file: string } {
  const label = path.relative(root, file) || file;
  if (!existsSync(file)) throw new UserError(`${label}: recipe not found.`);
  const id = recipeId(file);
  if (!FIGURE_ID_PATTERN.test(id)) {
    throw new UserError(
      `${label}: the file name gives the atlas the id "${id}", which names its folder public/atlases/${id}/; rename the file with lower-case letters, digits and dashes (say, my-atlas.yaml).`,
    );
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(readFileSync(file, 'utf8')) : parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${label}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'} (${String((error as Error).message).split('\n')[0]}).`);
  }
  const result = recipeSchema.safeParse(raw ?? {});
  if (!result.success) throw new UserError(`${label}: ${describeIssue(result.error)}.`);
  const recipe = result.data;
  const modelFolder = path.resolve(root, recipe.model);
  if (!existsSync(path.join(modelFolder, 'model.json'))) {
    throw new UserError(`${label}: field "model" names ${recipe.model}, which holds no model.json; give the folder of a TF.js model.`);
  }
  for (const [field, value] of [
    ['data.folder', recipe.data.folder],
    ['data.manifest', recipe.data.manifest],
  ] as const) {
    if (value && !existsSync(path.resolve(root, value))) throw new UserError(`${label}: field "${field}" names ${value}, which does not exist.`);
  }
  return { ...recipe, id, file };
}
