/**
 * A figure that names what the pipeline did not produce stops the build with the file, the line and the name:
 * once through a real `astro build` of a copy of the project, then each kind of mistake through the remark
 * plugin alone (fast).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import { VFile } from 'vfile';
import remarkAtlasFigures from '../../pipeline/markdown/remark-atlas-figures.ts';
import { FIXTURE_PUBLIC_DIR } from '../helpers/fixture-public.ts';

const run = promisify(execFile);
const ARTICLE = 'content/articles/reading-an-activation-atlas.mdx';
const ATLASES = path.join(FIXTURE_PUBLIC_DIR, 'atlases');
const root = path.resolve(`tests/.tmp/build-errors-${process.pid}`);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('atlas figures naming what the pipeline did not produce', () => {
  it('fail astro build with the file, the line and the view', async () => {
    mkdirSync(root, { recursive: true });
    for (const entry of ['astro.config.mjs', 'tsconfig.json', 'package.json', 'src', 'pipeline', 'content'])
      cpSync(entry, path.join(root, entry), { recursive: true });
    symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
    const source = readFileSync(ARTICLE, 'utf8');
    const line = source.split('\n').findIndex((text) => text.includes('<Atlas atlas="demo" view="mixed3b"')) + 1;
    writeFileSync(path.join(root, ARTICLE), source.replace('<Atlas atlas="demo" view="mixed3b"', '<Atlas atlas="demo" view="mixed9"'));
    const env = { ...process.env, ATLAS_PUBLIC_DIR: FIXTURE_PUBLIC_DIR, ATLAS_OUT_DIR: path.join(root, 'dist'), ATLAS_PIPELINE: 'off' };
    const result = await run(path.resolve('node_modules/.bin/astro'), ['build'], { cwd: root, env }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      `${ARTICLE}:${line}: <Atlas view="mixed9"> names a view that atlas "demo" does not have; its views are mixed3b, mixed4b, mixed5a, mixed5a.class-shark, mixed5a.class-whale, mixed5a.compare-whale-shark.`,
    );
  }, 120_000);

  const check = (mdx: string) => {
    const file = new VFile({ path: path.resolve('content/articles/test.mdx'), value: mdx });
    const processor = unified().use(remarkParse).use(remarkMdx).use(remarkAtlasFigures, { atlasesDir: ATLASES });
    return () => processor.runSync(processor.parse(file), file);
  };

  it('name the atlas, class, region, step or link target that is wrong', () => {
    expect(check('<Atlas atlas="demo2" view="mixed3b" />')).toThrow(
      /^content\/articles\/test\.mdx:1: <Atlas>: atlas "demo2" was not produced by the pipeline \(no .*atlases\/demo2\/manifest\.json\); add content\/atlases\/demo2\.yaml/,
    );
    expect(check('\n<Atlas atlas="demo" view="mixed3b" focus="sharks" />')).toThrow(
      /^content\/articles\/test\.mdx:2: <Atlas focus="sharks"> names no class of atlas "demo"; its classes are whale, shark/,
    );
    expect(check('<Atlas atlas="demo" view="mixed3b" box="0.5 0.5 0.2 0.9" />')).toThrow(/<Atlas box="0.5 0.5 0.2 0.9"> must be four numbers between 0 and 1/);
    expect(check('<ClassCompare atlas="demo" layer="mixed4b" classes="whale shark" />')).toThrow(
      /<ClassCompare view="mixed4b.compare-whale-shark"> names a view that atlas "demo" does not have/,
    );
    expect(check('<Scrolly atlas="demo" view="mixed4b">\n<Step view="mixed6">a</Step>\n</Scrolly>')).toThrow(
      /^content\/articles\/test\.mdx:2: <Step view="mixed6"> names a view/,
    );
    expect(check('<Atlas id="a" atlas="demo" view="mixed3b" />\n\n<AtlasLink to="b">x</AtlasLink>')).toThrow(
      /:3: <AtlasLink to="b"> names no atlas figure; atlas figure ids here are a\./,
    );
    expect(check('<Atlas id="a" atlas="demo" view="mixed3b" />\n\n<AtlasLink to="a" view="mixed4b">x</AtlasLink>')).toThrow(
      /<AtlasLink view="mixed4b"> is not a view that figure "a" shows \(mixed3b\)/,
    );
    expect(check('<ActivationGrid atlas="demo" grid="nothing" />')).toThrow(
      /<ActivationGrid grid="nothing"> names an activation grid that atlas "demo" does not have/,
    );
    expect(check('<Neuron atlas="demo" neuron="channel-9" />')).toThrow(
      /<Neuron neuron="channel-9"> names a neuron figure that atlas "demo" does not have; it has channel-25, channel-88, channels-25-88\./,
    );
    expect(check('<PatchExperiment atlas="demo" experiment="football" />')).toThrow(
      /<PatchExperiment experiment="football"> names a patch experiment that atlas "demo" does not have; it has baseball\./,
    );
    expect(check('<Value atlas="demo" path="images.cuont" />')).toThrow(/<Value path="images.cuont">: atlas "demo"'s manifest images has no "cuont"/);
    expect(check('<Value atlas="demo" path="patchExperiments.baseball.rows[patch=icon,size=18].rate" />')).toThrow(
      /rows has no element \[patch=icon,size=18\]/,
    );
    expect(check('<Value atlas="demo" path="images.count" format="percentage" />')).toThrow(
      /<Value format="percentage"> is not a format; use one of number, integer, percent/,
    );
    expect(check('<Value atlas="demo" path="images.count" format="integer" />')).not.toThrow();
    expect(check('<Figure id="f"><Atlas atlas="demo" views="mixed3b mixed4b" /></Figure>\n\n<AtlasLink to="f" view="mixed4b">x</AtlasLink>')).not.toThrow();
    // highlight: checked the same way on a link in the text as on a scrollytelling step.
    expect(check('<Atlas id="a" atlas="demo" view="mixed3b" />\n\n<AtlasLink to="a" highlight="0.2 0.3; 1.4 x">x</AtlasLink>')).toThrow(
      /:3: <AtlasLink highlight="0.2 0.3; 1.4 x"> must be /,
    );
    expect(check('<Scrolly atlas="demo" view="mixed4b">\n<Step highlight="0.2">a</Step>\n</Scrolly>')).toThrow(/:2: <Step highlight="0.2"> must be /);
    expect(check('<Atlas id="a" atlas="demo" view="mixed3b" />\n\n<AtlasLink to="a" highlight="0.2 0.3; 0.5 0.5">x</AtlasLink>')).not.toThrow();
  });

  it('name a cover atlas or view the pipeline did not produce, with the front matter line', () => {
    mkdirSync(root, { recursive: true });
    const cover = (atlas: string, view: string) => {
      const file = path.join(root, 'cover.mdx');
      writeFileSync(file, `---\ntitle: A title\ncover:\n  atlas: ${atlas}\n  view: ${view}\n  alt: The atlas.\n---\n\nText.\n`);
      const vfile = new VFile({ path: file, value: 'Text.\n', data: { astro: { frontmatter: { cover: { atlas, view, alt: 'The atlas.' } } } } });
      const processor = unified().use(remarkParse).use(remarkMdx).use(remarkAtlasFigures, { atlasesDir: ATLASES });
      return () => processor.runSync(processor.parse(vfile), vfile);
    };
    expect(cover('demo', 'mixed9')).toThrow(/cover\.mdx:4: cover\.view "mixed9" names a view that atlas "demo" does not have; its views are mixed3b, /);
    expect(cover('demo2', 'mixed5a')).toThrow(/cover\.mdx:4: cover\.atlas: atlas "demo2" was not produced by the pipeline/);
    expect(cover('demo', 'mixed5a')).not.toThrow();
  });
});
