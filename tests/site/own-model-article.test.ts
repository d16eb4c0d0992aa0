/**
 * "Make an atlas of your own model" (content/articles/make-your-own-atlas.mdx) promises that every command in it
 * is tested where it can run. This file keeps that promise, so that the article cannot drift from the code:
 *
 * - the article passes the content check (front matter, citation keys, MDX);
 * - every recipe in it, and every file in examples/recipes/, parses with the pipeline's recipe schema; a block headed
 *   `# examples/recipes/<file>` is that file, byte for byte; recipe fragments in the text parse as fragments;
 * - every `npm …` command names an npm command or a package.json script, every `npm run atlas -- …` a subcommand
 *   and options of the CLI (read from its usage message), every ATLAS_* variable one the pipeline reads;
 * - the figures in its MDX example name views the example recipe produces; the CI snippet is the deploy workflow's;
 * - the commands that can run here are run: `atlas engine`, `atlas model inspect` on the demo model, `atlas status`
 *   on both example recipes (with a stand-in model folder), and, where ../shared/realdata holds the real MobileNet
 *   v1 0.25 (test data, never copied into the repository), `model inspect` on it (the article's excerpt must match its
 *   output, and the example recipe's layers must exist), `status` with it, and the article's weight-file listing;
 * - the rest cannot run here (Python packages from PyPI, network downloads, a GPU, git): each is listed below with
 *   the reason, converter flags are checked against the converters' documented flags, shell blocks must pass
 *   `bash -n` and Python blocks must parse.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import sharp from 'sharp';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { checkContent } from '../../pipeline/content/check.ts';
import { recipeSchema, type Recipe } from '../../pipeline/recipes/schema.ts';
import { planViews } from '../../pipeline/recipes/plan.ts';

const ARTICLE = 'content/articles/make-your-own-atlas.mdx';
const EXAMPLES = 'examples/recipes';
const REALDATA = path.resolve('../shared/realdata');
const REAL_MODEL = path.join(REALDATA, 'mobilenet_v1_0.25_224');
const REAL_PHOTOS = path.join(REALDATA, 'imagenet-sample-200');
const realdata = existsSync(path.join(REAL_MODEL, 'model.json')) && existsSync(path.join(REAL_PHOTOS, 'labels.csv'));
const gpuPackageInstalled = existsSync(path.resolve('node_modules/@tensorflow/tfjs-node-gpu/package.json'));
if (!realdata) {
  console.warn(
    `Own-model article: the checks against the real MobileNet are skipped: ${REALDATA} (MobileNet v1 0.25 and ImageNet photos) is not on this machine.`,
  );
}

const source = readFileSync(ARTICLE, 'utf8');
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const TFJS_VERSION = packageJson.dependencies['@tensorflow/tfjs']!;

// ---------------------------------------------------------------------------------------------------------------
// The article, as blocks

interface Block {
  lang: string;
  value: string;
  line: number;
}

const blocks: Block[] = [];
const inlineCode: string[] = [];
visit(unified().use(remarkParse).use(remarkMdx).use(remarkFrontmatter, ['yaml']).use(remarkGfm).parse(source), (node) => {
  if (node.type === 'code') {
    const code = node as unknown as { lang?: string; value: string; position: { start: { line: number } } };
    blocks.push({ lang: code.lang ?? '', value: code.value, line: code.position.start.line });
  }
  if (node.type === 'inlineCode') inlineCode.push((node as unknown as { value: string }).value);
});
const blocksOf = (...langs: string[]) => blocks.filter((block) => langs.includes(block.lang));

// ---------------------------------------------------------------------------------------------------------------
// Shell commands: split into segments (one command each), with their environment assignments

interface Command {
  words: string[];
  env: Record<string, string>;
  text: string;
  where: string;
}

/** Splits shell text into commands on unquoted newlines, `&&`, `||`, `;` and `|`; `$( … )` stays one word. */
function shellCommands(text: string, where: string): Command[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  const commands: Command[] = [];
  let words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  let depth = 0;
  const endWord = () => {
    if (word) words.push(word);
    word = '';
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(toCommand(words, where));
    words = [];
  };
  for (let i = 0; i < joined.length; i++) {
    const char = joined[i]!;
    if (quote) {
      word += char;
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      word += char;
      continue;
    }
    if (char === '$' && joined[i + 1] === '(') {
      depth++;
      word += '$(';
      i++;
      continue;
    }
    if (depth > 0) {
      if (char === '(') depth++;
      if (char === ')') depth--;
      word += char;
      continue;
    }
    if (char === '#' && !word) {
      while (i < joined.length && joined[i] !== '\n') i++;
      endCommand();
      continue;
    }
    if (char === '\n' || char === ';') endCommand();
    else if ((char === '&' || char === '|') && joined[i + 1] === char) {
      endCommand();
      i++;
    } else if (char === '|') endCommand();
    else if (char === ' ' || char === '\t') endWord();
    else word += char;
  }
  endCommand();
  return commands.flatMap((command) => {
    // `for x in $(inner); do` contributes its inner command; `do cmd` is cmd; `done` is nothing.
    if (command.words[0] === 'for') {
      const inner = command.words.find((w) => w.startsWith('$('));
      return inner ? shellCommands(inner.slice(2, -1), where) : [];
    }
    if (command.words[0] === 'do') return command.words.length > 1 ? [toCommand(command.words.slice(1), where)] : [];
    if (command.words[0] === 'done') return [];
    return [command];
  });
}

function toCommand(all: string[], where: string): Command {
  const env: Record<string, string> = {};
  let index = 0;
  for (; index < all.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(all[index]!); index++) {
    const [name, ...value] = all[index]!.split('=');
    env[name!] = value.join('=');
  }
  const words = all.slice(index);
  return { words, env, text: all.join(' '), where };
}

const unquote = (word: string) => word.replace(/^(['"])(.*)\1$/, '$2');

const shellBlocks = blocksOf('sh', 'bash', 'shell');
const commands: Command[] = [
  ...shellBlocks.flatMap((block) => shellCommands(block.value, `${ARTICLE}:${block.line}`)),
  // Commands quoted in the text (`npm run build`, …).
  ...inlineCode.filter((code) => /^(npm|npx|tensorflowjs_converter|onnx2tf|pip) /.test(code)).flatMap((code) => shellCommands(code, `${ARTICLE} (inline)`)),
];

// ---------------------------------------------------------------------------------------------------------------
// What the project offers: scripts, CLI subcommands and options (from its usage message), ATLAS_* variables

function atlasUsage(): { subcommands: string[][]; options: Set<string> } {
  const result = spawnSync('node_modules/.bin/tsx', ['pipeline/cli/atlas.ts'], { encoding: 'utf8' });
  const usage = result.stderr;
  const subcommands = [...usage.matchAll(/atlas ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)/g)].map((match) => match[1]!.split(' '));
  const options = new Set([...usage.matchAll(/(--[a-z-]+)/g)].map((match) => match[1]!));
  return { subcommands, options };
}
const usage = atlasUsage();

const pipelineSources = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') || name.endsWith('.mjs'))
    .map((name) => readFileSync(path.join(folder, name), 'utf8'));
const pipelineCode = [...pipelineSources('pipeline'), readFileSync('astro.config.mjs', 'utf8')].join('\n');
const backendCode = readFileSync('pipeline/engine/backend.ts', 'utf8');
const BACKENDS = JSON.parse(/BACKEND_NAMES = (\[[^\]]*\])/.exec(backendCode)![1]!.replace(/'/g, '"')) as string[];

// The converters' documented command-line flags: tensorflowjs 4.22's converter.py and onnx2tf 2.x's README (the
// options this article could plausibly use). A flag outside these lists is a typo or a flag that does not exist.
const TFJS_CONVERTER = {
  flags: new Set([
    '--input_format',
    '--output_format',
    '--signature_name',
    '--saved_model_tags',
    '--quantize_float16',
    '--quantize_uint8',
    '--quantize_uint16',
    '--quantization_bytes',
    '--split_weights_by_layer',
    '--version',
    '--skip_op_check',
    '--strip_debug_ops',
    '--use_structured_outputs_names',
    '--weight_shard_size_bytes',
    '--output_node_names',
    '--control_flow_v2',
    '--experiments',
    '--metadata',
  ]),
  /** --input_format → the --output_format values the converter dispatches for it (converter.py's _dispatch_converter). */
  pairs: {
    keras: ['tfjs_layers_model', 'tfjs_graph_model'],
    keras_keras: ['tfjs_layers_model'],
    keras_saved_model: ['tfjs_layers_model'],
    tf_saved_model: ['tfjs_graph_model'],
    tf_hub: ['tfjs_graph_model'],
    tf_frozen_model: ['tfjs_graph_model'],
    tfjs_layers_model: ['keras', 'keras_saved_model', 'tfjs_layers_model', 'tfjs_graph_model'],
  } as Record<string, string[]>,
};
const ONNX2TF_FLAGS = new Set([
  '-i',
  '--input_onnx_file_path',
  '-o',
  '--output_folder_path',
  '-osd',
  '--output_signaturedefs',
  '-fdosm',
  '--flatbuffer_direct_output_saved_model',
  '-tb',
  '--tflite_backend',
  '-b',
  '--batch_size',
  '-ois',
  '--overwrite_input_shape',
  '-k',
  '--keep_ncw_or_nchw_or_ncdhw_input_names',
  '-kt',
  '-kat',
  '-dgc',
  '--disable_group_convolution',
  '-coion',
  '-cotof',
  '-cotoa',
  '-n',
  '--non_verbose',
  '-v',
  '--verbosity',
  '-oh5',
  '-okv3',
  '-V',
  '--version',
]);
/** Python packages the article installs, each with the version it must ask for: tensorflowjs at this project's
 * TensorFlow.js version; onnx2tf from 2.4, whose -fdosm writes the SavedModel (earlier releases differ). */
const PIP_PACKAGES: Record<string, string> = { tensorflowjs: `==${TFJS_VERSION}`, 'onnx2tf[tensorflow]': '>=2.4' };

// ---------------------------------------------------------------------------------------------------------------
// Each command: checked against the above, and classified as run by this file or documented only, with why

type Verdict = { runs: 'here'; test: string } | { runs: 'documented'; why: string };

function classify(command: Command): { verdict: Verdict; problems: string[] } {
  const problems: string[] = [];
  const [head, ...args] = command.words;
  const problem = (text: string) => problems.push(`${command.where}: \`${command.text}\`: ${text}`);
  for (const [name, value] of Object.entries(command.env)) {
    if (!name.startsWith('ATLAS_')) continue;
    if (!pipelineCode.includes(name)) problem(`${name} is not read anywhere in pipeline/`);
    if (name === 'ATLAS_BACKEND' && !['auto', ...BACKENDS].includes(value)) problem(`ATLAS_BACKEND=${value} is not one of auto, ${BACKENDS.join(', ')}`);
  }
  const documented = (why: string) => ({ verdict: { runs: 'documented', why } as Verdict, problems });
  const here = (test: string) => ({ verdict: { runs: 'here', test } as Verdict, problems });

  if (head === 'npm') {
    const [sub, ...rest] = args;
    if (sub === 'ci') return documented('reinstalls node_modules (the deploy workflow and a fresh GPU machine run it)');
    if (sub === 'install') {
      const packages = rest.filter((arg) => !arg.startsWith('-'));
      if (!rest.includes('--no-save')) problem('a native backend must be installed with --no-save, so that package.json and CI never need it');
      for (const spec of packages) {
        const [name, version] = spec.split(/(?<=.)@/);
        if (!backendCode.includes(`'${name}'`)) problem(`${name} is not a backend pipeline/engine/backend.ts looks for`);
        if (version !== TFJS_VERSION) problem(`${name} must be at @tensorflow/tfjs's version, ${TFJS_VERSION}, not ${version}`);
      }
      return documented('downloads libtensorflow from outside the npm registry and needs CUDA and an NVIDIA GPU');
    }
    if (sub !== 'run') {
      problem(`npm ${sub} is not a command this article should use`);
      return documented('unknown');
    }
    const [script, ...scriptArgs] = rest;
    if (!script || !(script in packageJson.scripts)) {
      problem(`package.json has no script "${script}"`);
      return documented('unknown');
    }
    if (script !== 'atlas') {
      if (scriptArgs.length) problem(`arguments to npm run ${script} are not expected`);
      if (script === 'build') return documented('runs the whole pipeline and site build (tests/helpers/global-setup.ts builds the site once for all tests)');
      if (script === 'check-links') return documented('needs a built site; tests/site/built-site.test.ts checks the links of the test build');
      if (script === 'preview') return documented('starts a server');
      return documented(`npm run ${script}`);
    }
    if (scriptArgs[0] !== '--') problem('arguments to npm run atlas go after --');
    const cli = scriptArgs.slice(1);
    const subcommand = usage.subcommands.find((words) => words.every((word, i) => cli[i] === word));
    if (!subcommand) {
      problem(`atlas has no subcommand "${cli.slice(0, 2).join(' ')}" (usage: ${usage.subcommands.map((w) => w.join(' ')).join(', ')})`);
      return documented('unknown');
    }
    for (const option of cli.filter((arg) => arg.startsWith('--'))) if (!usage.options.has(option)) problem(`atlas has no option ${option}`);
    const name = subcommand.join(' ');
    if (name === 'engine') return here('atlas engine: runs here, and its sample output has the CLI’s form');
    if (name === 'model inspect') return here('atlas model inspect: on the demo model, and on the real MobileNet v1 0.25 where present');
    if (name === 'status') return here('atlas status: with both example recipes (stand-in model folders), and with the real MobileNet where present');
    if (name === 'build') return documented('computes an ImageNet-sized atlas: hours, for a GPU machine');
    return documented(`atlas ${name}`);
  }
  if (head === 'tensorflowjs_converter' || head === 'onnx2tf') {
    const flags = head === 'onnx2tf' ? ONNX2TF_FLAGS : TFJS_CONVERTER.flags;
    const values: Record<string, string> = {};
    const positionals: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (!arg.startsWith('-')) {
        positionals.push(arg);
        continue;
      }
      const [flag, inline] = arg.split('=');
      if (!flags.has(flag!)) problem(`${head} has no flag ${flag}`);
      if (inline !== undefined) values[flag!] = inline;
      else if (head === 'onnx2tf' && ['-i', '-o', '-b', '-ois', '-tb', '-v'].includes(flag!)) values[flag!] = args[++i] ?? '';
    }
    if (head === 'tensorflowjs_converter') {
      const input = values['--input_format'];
      const output = values['--output_format'];
      if (!input || !(input in TFJS_CONVERTER.pairs)) problem(`--input_format=${input} is not one the converter knows`);
      else if (!output || !TFJS_CONVERTER.pairs[input]!.includes(output)) problem(`the converter has no ${input} → ${output} conversion`);
      if (values['--signature_name'] && !['tf_saved_model', 'tf_hub'].includes(input ?? ''))
        problem('--signature_name applies only to tf_saved_model and tf_hub');
      if (output && !['tfjs_layers_model', 'tfjs_graph_model'].includes(output)) problem(`--output_format=${output} is not a TensorFlow.js model`);
      if (positionals.length !== 2) problem(`expects an input and an output path, got ${positionals.length} arguments`);
      else if (!positionals[1]!.startsWith('content/models/')) problem('should write into content/models/, where recipes point');
    } else {
      if (!values['-i']?.endsWith('.onnx')) problem('-i must name the .onnx file');
      if (!('-osd' in values) && !args.includes('-osd')) problem('-osd is needed: tensorflowjs_converter loads the serving_default signature');
      if (args.includes('-b') || args.includes('-ois')) problem('fixing the batch size makes the model refuse the pipeline’s batches');
    }
    return documented(`needs the pip package ${head === 'onnx2tf' ? 'onnx2tf' : 'tensorflowjs'} from PyPI, which this machine cannot reach`);
  }
  if (head === 'pip') {
    if (args[0] !== 'install') problem('only pip install is expected');
    for (const spec of args.slice(1).map(unquote)) {
      const [, name, version] = /^([^=<>~!]+)(.*)$/.exec(spec)!;
      if (!(name! in PIP_PACKAGES)) problem(`${name} is not a package this article should install`);
      else if (PIP_PACKAGES[name!] !== version) problem(`${name} must be asked for as ${name}${PIP_PACKAGES[name!]}, not ${spec}`);
    }
    return documented('PyPI cannot be reached from this machine');
  }
  if (head === 'python3' && args[0] === '-m' && args[1] === 'venv')
    return documented('makes a Python environment for the converters (PyPI cannot be reached here)');
  if (head === '.') return documented('activates that Python environment');
  if (head === 'node' && ['-e', '-p'].includes(args[0]!)) return here('the weight-file listing: run in the real MobileNet folder where present');
  if (head === 'curl') return documented('downloads from storage.googleapis.com; this machine reaches only the npm registry');
  if (head === 'mkdir' || head === 'cd' || head === undefined) return documented('part of the model download');
  if (head === 'git') return documented('changes the repository');
  problem('is not a command this test knows; add it to classify() with how it is checked');
  return documented('unknown');
}

const classified = commands.map((command) => ({ command, ...classify(command) }));

// ---------------------------------------------------------------------------------------------------------------
// Recipes

const exampleFiles = readdirSync(EXAMPLES)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();
const exampleRecipes: Record<string, Recipe> = Object.fromEntries(
  exampleFiles.map((name) => [name.replace(/\.ya?ml$/, ''), recipeSchema.parse(parseYaml(readFileSync(path.join(EXAMPLES, name), 'utf8')))]),
);
const recipeBlocks = blocksOf('yaml', 'yml').filter((block) => {
  const parsed = parseYaml(block.value) as unknown;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'model' in parsed;
});
const workflowBlocks = blocksOf('yaml', 'yml').filter((block) => !recipeBlocks.includes(block));

const temporary: string[] = [];
afterAll(() => temporary.forEach((folder) => rmSync(folder, { recursive: true, force: true })));
function tempRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'own-model-article-'));
  temporary.push(root);
  return root;
}

function npmAtlas(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('npm', ['run', '--silent', 'atlas', '--', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

describe('the article "Make an atlas of your own model"', () => {
  it('passes the content check: front matter, citation keys, MDX', () => {
    const root = tempRoot();
    mkdirSync(path.join(root, 'content', 'articles'), { recursive: true });
    cpSync('content/site.yaml', path.join(root, 'content', 'site.yaml'));
    cpSync('content/bibliography', path.join(root, 'content', 'bibliography'), { recursive: true });
    cpSync(ARTICLE, path.join(root, ARTICLE));
    expect(checkContent(root).problems).toEqual([]);
  });

  it('parses every example recipe with the pipeline’s schema, and every recipe block is its file', () => {
    expect(exampleFiles).toEqual(['inception-v1.yaml', 'mobilenet.yaml']);
    expect(recipeBlocks.length).toBe(exampleFiles.length);
    for (const block of recipeBlocks) {
      const header = /^# (examples\/recipes\/[\w.-]+\.ya?ml)\n/.exec(block.value);
      expect(header, `${ARTICLE}:${block.line}: a recipe block starts with "# examples/recipes/<file>"`).not.toBeNull();
      const file = readFileSync(header![1]!, 'utf8');
      expect(`${block.value}\n`, `${ARTICLE}:${block.line} differs from ${header![1]}`).toBe(file.replace(/^#[^\n]*\n/, `# ${header![1]}\n`));
      const result = recipeSchema.safeParse(parseYaml(block.value));
      expect(result.success, `${ARTICLE}:${block.line}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it('parses every recipe fragment quoted in the text as part of a recipe', () => {
    const fields = Object.keys(recipeSchema.shape);
    const fragments = inlineCode.filter((code) => /^[a-zA-Z]+: [{[]/.test(code) && fields.includes(code.split(':')[0]!));
    expect(fragments.length).toBeGreaterThanOrEqual(2);
    for (const fragment of fragments) {
      const result = recipeSchema.partial().safeParse(parseYaml(fragment));
      expect(result.success, `\`${fragment}\`: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it('names, in its MobileNet recipe, layers that its model-inspect excerpt lists', () => {
    const [excerpt] = blocksOf('text');
    const rows = excerpt!.value.split('\n').map((line) => line.split(/\s+/)[0]);
    for (const layer of exampleRecipes.mobilenet!.layers) expect(rows).toContain(typeof layer === 'string' ? layer : layer.name);
    expect(excerpt!.value).toMatch(/^logits: conv_preds$/m);
  });

  it('uses, in its manifest example, the header the data sources read and the recipes’ class names', () => {
    const [csv] = blocksOf('csv');
    const [header, ...rows] = csv!.value.trim().split('\n');
    expect(header).toBe('path,label');
    const classes = new Set(Object.values(exampleRecipes).flatMap((recipe) => recipe.attribution.classes));
    for (const row of rows) expect(classes).toContain(row.split(',')[1]);
  });

  it('shows figures that name the atlas and views the MobileNet recipe produces', () => {
    const [mdx] = blocksOf('mdx');
    const views = new Set(planViews(exampleRecipes.mobilenet!).map((view) => view.id));
    const figures: Record<string, string>[] = [];
    visit(unified().use(remarkParse).use(remarkMdx).parse(mdx!.value), (node) => {
      if (node.type !== 'mdxJsxFlowElement' && node.type !== 'mdxJsxTextElement') return;
      const element = node as unknown as { name: string; attributes: { name: string; value: unknown }[] };
      if (!['Atlas', 'ClassCompare'].includes(element.name)) return;
      figures.push(Object.fromEntries(element.attributes.map((a) => [a.name, String(a.value ?? '')])));
    });
    expect(figures.length).toBe(2);
    for (const figure of figures) {
      expect(figure.atlas).toBe('mobilenet');
      for (const view of [figure.view, ...(figure.views?.split(' ') ?? [])]) expect(views).toContain(view);
    }
  });

  it('quotes the deploy workflow’s cache step as it is', () => {
    const workflow = parseYaml(readFileSync('.github/workflows/deploy.yml', 'utf8')) as { jobs: Record<string, { steps: Record<string, unknown>[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(workflowBlocks.length).toBe(1);
    for (const block of workflowBlocks) {
      for (const step of parseYaml(block.value) as Record<string, unknown>[]) {
        expect(
          steps.some((candidate) => isDeepStrictEqual(candidate, step)),
          `${ARTICLE}:${block.line}: ${JSON.stringify(step)} is not a step of deploy.yml`,
        ).toBe(true);
      }
    }
  });

  it('names real npm scripts, atlas subcommands and options, ATLAS_ variables and converter flags', () => {
    expect(commands.length).toBeGreaterThan(15);
    expect(classified.flatMap((entry) => entry.problems)).toEqual([]);
    // Anywhere in the article (YAML comments included), `npm run X` names a script.
    for (const match of source.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(packageJson.scripts)).toContain(match[1]);
  });

  it('lists what it cannot run here, and why', () => {
    const documented = classified.filter((entry) => entry.verdict.runs === 'documented');
    // Documented, not runnable here: the converters and Python (pip packages tensorflowjs, onnx2tf, torch from PyPI),
    // downloads, the GPU backend, the full build, git. Their flags and names are checked above.
    for (const entry of documented) expect((entry.verdict as { why: string }).why).not.toBe('unknown');
    const heads = new Set(documented.map((entry) => entry.command.words[0]));
    for (const head of ['tensorflowjs_converter', 'onnx2tf', 'pip', 'curl', 'git']) expect(heads).toContain(head);
    expect(classified.filter((entry) => entry.verdict.runs === 'here').length).toBeGreaterThanOrEqual(5);
  });

  it('has shell blocks that bash can parse, and three Python blocks', () => {
    for (const block of shellBlocks) {
      const result = spawnSync('bash', ['-n'], { input: block.value, encoding: 'utf8' });
      expect(result.status, `${ARTICLE}:${block.line}: ${result.stderr}`).toBe(0);
    }
    expect(blocksOf('python').length).toBe(3);
  });

  // A skip that says so (in the test's name), not an early return that passes.
  const hasPython = spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasPython)(`has Python blocks that Python can parse${hasPython ? '' : ' (skipped: python3 is not on this machine)'}`, () => {
    for (const block of blocksOf('python')) {
      const result = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: block.value, encoding: 'utf8' });
      expect(result.status, `${ARTICLE}:${block.line}: ${result.stderr}`).toBe(0);
    }
  });
});

describe('the article’s commands that run here', () => {
  it('npm run atlas -- engine: answers in the form the article shows', () => {
    const shape = /^backend: (tensorflow-gpu|tensorflow|wasm|cpu), (the best available|set by ATLAS_BACKEND)\b.*; \d+ workers?$/;
    const sample = /# prints: (backend: .*)$/m.exec(shellBlocks.map((block) => block.value).join('\n'));
    expect(sample?.[1]).toMatch(shape);
    const { code, stdout } = npmAtlas(['engine']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(shape);
  }, 60_000);

  // Where the GPU package is installed, the command runs on it instead: this check is for the machines without it.
  it.skipIf(gpuPackageInstalled)(
    'ATLAS_BACKEND=tensorflow-gpu: fails in one line rather than falling back, where @tensorflow/tfjs-node-gpu is not installed',
    () => {
      const { code, stdout, stderr } = npmAtlas(['engine'], { ATLAS_BACKEND: 'tensorflow-gpu' });
      expect(code).toBe(1);
      expect(stdout).not.toMatch(/backend:/);
      expect(stderr.trim()).toMatch(
        /^error: ATLAS_BACKEND=tensorflow-gpu cannot be used: tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed \(npm install @tensorflow\/tfjs-node-gpu@[\d.]+\); unset ATLAS_BACKEND or see the README's GPU section\.$/,
      );
    },
    60_000,
  );

  it('npm run atlas -- model inspect: lists the demo model’s layers and its logits', () => {
    const { code, stdout } = npmAtlas(['model', 'inspect', 'content/models/demo']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/: layers-model, input input \[N, 64, 64, 3\]/);
    expect(stdout).toMatch(/^mixed4b\s+Concatenate\s+\[N, \d+, \d+, \d+\]/m);
    expect(stdout).toMatch(/^logits: \S+$/m);
  }, 60_000);

  it('npm run atlas -- status: reads both example recipes and plans their views (stand-in model folders)', async () => {
    const root = tempRoot();
    mkdirSync(path.join(root, 'recipes'));
    for (const file of exampleFiles) cpSync(path.join(EXAMPLES, file), path.join(root, 'recipes', file));
    // A stand-in for each model: status hashes the folder and reads its labels; it never runs the model.
    for (const recipe of Object.values(exampleRecipes)) {
      const folder = path.join(root, recipe.model);
      mkdirSync(folder, { recursive: true });
      for (const name of ['model.json', 'weights.bin']) cpSync(path.join('content/models/demo', name), path.join(folder, name));
      writeFileSync(path.join(folder, 'labels.json'), JSON.stringify(['tench', 'grey_whale', 'great_white_shark']));
    }
    await writeImages(root, exampleRecipes.mobilenet!, [
      ['whales/a.png', 'grey_whale'],
      ['sharks/b.png', 'great_white_shark'],
    ]);
    const { code, stdout, stderr } = npmAtlas(['status', 'recipes/mobilenet.yaml', 'recipes/inception-v1.yaml', '--root', root]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const [id, recipe] of Object.entries(exampleRecipes)) {
      expect(stdout).toMatch(new RegExp(`^${id}: activations stale: 1 of 1 chunks`, 'm'));
      for (const view of planViews(recipe)) expect(stdout).toContain(`${id}: ${view.id}: stale: after the activations`);
    }
  }, 60_000);
});

describe.skipIf(!realdata)('the article’s commands on the real MobileNet v1 0.25 (../shared/realdata)', () => {
  /** A project root whose content/models/mobilenet-v1 is the real model (linked) with a labels.json as the article makes. */
  function realRoot(): string {
    const root = tempRoot();
    const folder = path.join(root, 'content', 'models', 'mobilenet-v1');
    mkdirSync(folder, { recursive: true });
    for (const name of readdirSync(REAL_MODEL)) if (name !== 'imagenet_labels.json') symlinkSync(path.join(REAL_MODEL, name), path.join(folder, name));
    writeFileSync(path.join(folder, 'labels.json'), JSON.stringify(kerasStyleLabels()));
    return root;
  }

  it('model inspect: its output holds every line of the article’s excerpt, and the recipe’s layers', () => {
    const root = realRoot();
    const { code, stdout } = npmAtlas(['model', 'inspect', path.join(root, 'content', 'models', 'mobilenet-v1')]);
    expect(code).toBe(0);
    const normalize = (line: string) =>
      line
        .replace(/^\S*content\/models\/mobilenet-v1:/, '…/content/models/mobilenet-v1:')
        .replace(/\s+/g, ' ')
        .trim();
    const output = new Set(stdout.split('\n').map(normalize));
    const [excerpt] = blocksOf('text');
    for (const line of excerpt!.value.split('\n')) expect(output).toContain(normalize(line));
    const recipe = exampleRecipes.mobilenet!;
    expect(stdout).toContain(`input input_1 [N, ${recipe.preprocess.size}, ${recipe.preprocess.size}, 3]`);
    for (const layer of recipe.layers) expect(stdout).toMatch(new RegExp(`^${typeof layer === 'string' ? layer : layer.name}\\s`, 'm'));
  }, 60_000);

  it('status: the MobileNet recipe reads the real model, its labels and a manifest of real photos', async () => {
    const root = realRoot();
    mkdirSync(path.join(root, 'recipes'));
    cpSync(path.join(EXAMPLES, 'mobilenet.yaml'), path.join(root, 'recipes', 'mobilenet.yaml'));
    const labels = kerasStyleLabels();
    const rows = readFileSync(path.join(REAL_PHOTOS, 'labels.csv'), 'utf8').trim().split('\n').slice(1, 6);
    const images = rows.map((row) => {
      const [file, , index] = row.split(',');
      return [file!, labels[Number(index)]!] as [string, string];
    });
    const recipe = exampleRecipes.mobilenet!;
    const folder = path.join(root, recipe.data.folder!);
    mkdirSync(folder, { recursive: true });
    // Copies: a symbolic link that leads out of the data folder is refused (pipeline/datasets/sources.ts).
    for (const [file] of images) copyFileSync(path.join(REAL_PHOTOS, file), path.join(folder, file));
    writeFileSync(path.join(root, recipe.data.manifest!), ['path,label', ...images.map(([file, label]) => `${file},${label}`)].join('\n'));
    const { code, stdout, stderr } = npmAtlas(['status', 'recipes/mobilenet.yaml', '--root', root]);
    // ImageNet's list names two outputs "crane" and two "maillot": one warning, nothing else.
    expect(stderr.trim()).toBe(
      'warning: content/models/mobilenet-v1/labels.json: the same class name is given to several outputs ("crane" at 134 and 517, "maillot" at 638 and 639); the atlas shows them as "crane (134)" and "crane (517)", "maillot (638)" and "maillot (639)".',
    );
    expect(code).toBe(0);
    for (const view of planViews(recipe)) expect(stdout).toContain(`mobilenet: ${view.id}: stale: after the activations`);
  }, 60_000);

  it('lists, with the article’s node command, exactly the weight files model.json names, all present', () => {
    const node = /\$\((node -[ep] '[^']*')\)/.exec(shellBlocks.map((block) => block.value).join('\n'));
    expect(node).not.toBeNull();
    const result = spawnSync('bash', ['-c', node![1]!], { cwd: REAL_MODEL, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const files = result.stdout.trim().split(/\s+/);
    expect(files.length).toBe(55);
    for (const file of files) expect(existsSync(path.join(REAL_MODEL, file))).toBe(true);
  });
});

/** Tiny images at the recipe's data folder and a manifest of them. */
async function writeImages(root: string, recipe: Recipe, images: [string, string][]): Promise<void> {
  const folder = path.join(root, recipe.data.folder!);
  for (const [file] of images) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } })
      .png()
      .toFile(path.join(folder, file));
  }
  writeFileSync(path.join(root, recipe.data.manifest!), ['path,label', ...images.map(([file, label]) => `${file},${label}`)].join('\n'));
}

/**
 * Class names as the article's labels.json has them (Keras's class index: "great_white_shark"), made from the real
 * model's labels ("great white shark, white shark, …"): the first name, with underscores.
 */
function kerasStyleLabels(): string[] {
  const entries = JSON.parse(readFileSync(path.join(REAL_MODEL, 'imagenet_labels.json'), 'utf8')) as { label: string }[];
  return entries.map((entry) => entry.label.split(',')[0]!.trim().replace(/ /g, '_'));
}
