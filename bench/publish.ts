/**
 * Where every benchmark leaves its result: bench/results/<name>.json and the table between the
 * `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` markers in README.md (added at the end of the
 * benchmarks section when missing). Both writes are atomic: a benchmark killed half-way leaves the old ones.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

export function publishBenchmark(name: string, result: unknown, readmeBlock: string): void {
  writeAtomic(`bench/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${readmeBlock.trim()}\n${end}`;
  const readme = readFileSync('README.md', 'utf8');
  const markers = new RegExp(`${start}[\\s\\S]*${end}`);
  const updated = markers.test(readme)
    ? readme.replace(markers, () => block)
    : readme.replace('<!-- bench:site:end -->', `<!-- bench:site:end -->\n\n${block}`);
  writeAtomic('README.md', updated);
}
