/** npm run demo:world — writes one contact sheet per class of the synthetic world (for the README). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { contactSheet } from '../datasets/synthetic/contact-sheet.ts';
import { CLASS_NAMES } from '../datasets/synthetic/world.ts';

const SEED = 20261129;
const OUT = path.resolve(process.argv[2] ?? '.github/readme/world');
mkdirSync(OUT, { recursive: true });
for (const [label, name] of CLASS_NAMES.entries()) {
  const file = path.join(OUT, `${name}.png`);
  writeFileSync(`${file}.tmp`, await contactSheet(SEED, label, 8, 1));
  renameSync(`${file}.tmp`, file);
}
console.log(`wrote ${CLASS_NAMES.length} contact sheets to ${path.relative(process.cwd(), OUT)}`);
