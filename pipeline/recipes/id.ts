/** A recipe's atlas id: its file name without the extension (public/atlases/<id>/). No dependencies, for the CLI's start. */
import path from 'node:path';

export function recipeId(file: string): string {
  return path.basename(file).replace(/\.(ya?ml|json)$/, '');
}
