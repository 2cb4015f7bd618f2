/**
 * The README as a user of the package reads it (npm, Construct Hub): its TypeScript examples
 * compile and synthesize without warnings against the library as it is (each ```ts block is a
 * snippet written inside a Stack, `this`, with its own imports from 'cdk-sagemaker-neo'); it
 * renders (tables whole); its links resolve from the package page; it lists what the class has.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { marked, Token, Tokens } from 'marked';
import * as ts from 'typescript';
import * as lib from '../src';
import { MODEL_ARCHIVE } from './util';
import { jobNamePrefix } from '../src/private/naming';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** Guides in docs/ whose TypeScript examples are held to the README's rules (compile, synthesize without warnings). */
const GUIDES = ['docs/greengrass.md'];
const blocksOf = (markdown: string) => [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
const GUIDE_BLOCKS = GUIDES.flatMap((guide) => blocksOf(fs.readFileSync(path.join(ROOT, guide), 'utf8')));
const BLOCKS = [...blocksOf(README), ...GUIDE_BLOCKS];

/** The snippet as a module: its imports, then its body inside a Stack's constructor. */
function asModule(block: string): string {
  const imports = /^(?:import[^;]*;\s*)+/.exec(block)?.[0] ?? '';
  const body = block.slice(imports.length);
  return [
    imports.replace(/'cdk-sagemaker-neo'/g, JSON.stringify(path.join(ROOT, 'src'))),
    "import { Stack as ReadmeStack } from 'aws-cdk-lib';",
    'export class ReadmeExample extends ReadmeStack {',
    '  constructor() {',
    '    super();',
    body.split('\n').map((line) => `    ${line}`).join('\n'),
    '  }',
    '}',
  ].join('\n');
}

test('the README has a TypeScript example per target family and the complete example', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(7);
});

test('the guides\' examples are among those checked (docs/greengrass.md has five)', () => {
  expect(GUIDE_BLOCKS).toHaveLength(5);
});

test('no example leaves code out (a `// ...` line): each is complete as it stands', () => {
  expect(BLOCKS.filter((block) => /^\s*\/\/\s*\.\.\./m.test(block))).toEqual([]);
});

test('every TypeScript example in the README compiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const files = BLOCKS.map((block, i) => {
    const file = path.join(dir, `example-${i}.ts`);
    fs.writeFileSync(file, asModule(block));
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    baseUrl: ROOT,
    paths: { '*': [path.join(ROOT, 'node_modules', '*')] },
  });
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(problems).toEqual([]);
});

/** The snippet as a function of an app, run as it is: local model paths point at the tiny model. */
function runnable(block: string, dir: string): (app: App, env?: { account: string; region: string }) => Stack {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(MODEL_ARCHIVE, path.join(dir, 'model.tar.gz')); // the Complete example's path.join(__dirname, 'model.tar.gz')
  const withModels = block.replace(/ModelInput\.fromAsset\('([^']+)'\)/g, (_, file: string) => {
    const copy = path.join(dir, file);
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(MODEL_ARCHIVE, copy);
    return `ModelInput.fromAsset(${JSON.stringify(copy)})`;
  });
  const imports = /^(?:import[^;]*;\s*)+/.exec(withModels)?.[0] ?? '';
  const source = [
    imports,
    "import { Stack as ReadmeStack } from 'aws-cdk-lib';",
    'exports.example = (readmeApp: any, readmeEnv: any) => new (class extends ReadmeStack {',
    '  constructor() {',
    "    super(readmeApp, 'ReadmeExample', { env: readmeEnv });",
    withModels.slice(imports.length),
    '  }',
    '})();',
  ].join('\n');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as any };
  // The snippet's imports, from this test's modules: the library as it is, aws-cdk-lib as installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (id: string) => (id === 'cdk-sagemaker-neo' ? lib : require(id));
  new Function('require', 'exports', 'module', '__dirname', js)(load, module.exports, module, dir);
  return module.exports.example;
}

/** The region an example names (in an ARN), if any. */
function regionOf(block: string): string | undefined {
  return /arn:aws:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(block)?.[1];
}

describe('every TypeScript example in the README synthesizes without warnings in the region it names', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(BLOCKS.map((block, i) => [i, block.split('\n').find((line) => line.includes('new '))?.trim() ?? '', block]))(
    'example %i (%s)', (i, _firstLine, block) => {
      const messages: string[] = [];
      const record = (kind: string) => function (this: Annotations, ...args: string[]) { messages.push(`${kind}: ${args.join(' ')}`); };
      const spies = [
        jest.spyOn(Annotations.prototype, 'addWarningV2').mockImplementation(record('warning')),
        jest.spyOn(Annotations.prototype, 'addWarning').mockImplementation(record('warning')),
        jest.spyOn(Annotations.prototype, 'addError').mockImplementation(record('error')),
      ];
      try {
        const region = regionOf(block as string);
        const app = new App({ outdir: fs.mkdtempSync(path.join(dir, `example-${i}-`)) });
        runnable(block as string, path.join(dir, `models-${i}`))(app, region ? { account: '123456789012', region } : undefined);
        app.synth();
      } finally {
        spies.forEach((spy) => spy.mockRestore());
      }
      expect(messages).toEqual([]);
    });
});

describe('the README as the package page renders it', () => {
  const tokens = marked.lexer(README);
  const all: Token[] = [];
  void marked.walkTokens(tokens, (token) => { all.push(token); });

  test('every table renders as a table (no row left as text)', () => {
    const strayRows = all
      .filter((token): token is Tokens.Paragraph => token.type === 'paragraph')
      .flatMap((token) => token.raw.split('\n').filter((line) => line.trimStart().startsWith('|')));
    expect(strayRows).toEqual([]);
    expect(all.filter((token) => token.type === 'table').length).toBeGreaterThanOrEqual(10);
  });

  const links = all.filter((token): token is Tokens.Link | Tokens.Image => token.type === 'link' || token.type === 'image').map((token) => token.href);

  test('relative links point at files the npm package ships', () => {
    const packed: Array<{ files: Array<{ path: string }> }> = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const shipped = new Set(packed[0].files.map((file) => file.path));
    expect(shipped.has('README.md')).toBe(true);
    const relative = links.filter((href) => !/^[a-z]+:/i.test(href) && !href.startsWith('#'));
    expect(relative.filter((href) => !shipped.has(href.split('#')[0].replace(/^\.\//, '')))).toEqual([]);
  });

  test('links into the repository name files that exist on its main branch', () => {
    const repo = 'https://github.com/cdk-sagemaker-neo/cdk-sagemaker-neo/';
    const inRepo = links.filter((href) => href.startsWith(repo));
    expect(inRepo.length).toBeGreaterThanOrEqual(5);
    const missing = inRepo.filter((href) => {
      const match = /^(?:blob|tree)\/main\/([^#]+)/.exec(href.slice(repo.length));
      return !match || !fs.existsSync(path.join(ROOT, match[1]));
    });
    expect(missing).toEqual([]);
  });

  test('links within the README name one of its headings', () => {
    // GitHub's and Construct Hub's anchors: the heading's text in lower case, punctuation dropped, spaces as '-'.
    const anchors = new Set(all.filter((token): token is Tokens.Heading => token.type === 'heading')
      .map((heading) => heading.text.toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-')));
    expect(links.filter((href) => href.startsWith('#') && !anchors.has(href.slice(1)))).toEqual([]);
  });
});

describe.each(GUIDES)('%s as GitHub renders it', (guide) => {
  const all: Token[] = [];
  void marked.walkTokens(marked.lexer(fs.readFileSync(path.join(ROOT, guide), 'utf8')), (token) => { all.push(token); });

  test('every table renders as a table, and links within it name one of its headings', () => {
    const strayRows = all.filter((token): token is Tokens.Paragraph => token.type === 'paragraph')
      .flatMap((token) => token.raw.split('\n').filter((line) => line.trimStart().startsWith('|')));
    expect(strayRows).toEqual([]);
    const anchors = new Set(all.filter((token): token is Tokens.Heading => token.type === 'heading')
      .map((heading) => heading.text.toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-')));
    const links = all.filter((token): token is Tokens.Link => token.type === 'link').map((token) => token.href);
    expect(links.filter((href) => href.startsWith('#') && !anchors.has(href.slice(1)))).toEqual([]);
  });
});

describe('the README describes the class as it is', () => {
  const section = (heading: string) => README.slice(README.indexOf(heading), README.indexOf('\n## ', README.indexOf(heading) + 1));

  test('the Attributes table lists every public member of CompilationJob', () => {
    const file = path.join(ROOT, 'src', 'compilation-job.ts');
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    const members: string[] = [];
    source.forEachChild((node) => {
      if (!ts.isClassDeclaration(node) || node.name?.text !== 'CompilationJob') return;
      for (const member of node.members) {
        const isPublic = ts.getModifiers(member as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.PublicKeyword);
        const named = (ts.isPropertyDeclaration(member) || ts.isMethodDeclaration(member)) && ts.isIdentifier(member.name);
        if (isPublic && named) members.push((member.name as ts.Identifier).text);
      }
    });
    expect(members).toEqual(expect.arrayContaining(['compilationJobName', 'target', 'tags', 'grantRead']));
    const table = section('## Attributes');
    expect(members.filter((name) => !new RegExp(`^\\| \`${name}[\`(]`, 'm').test(table))).toEqual([]);
  });

  test('the job name shown as an example starts as the construct names it', () => {
    const match = /`(newcomerappstack-[0-9a-f]{8}-tinyonnx)-([0-9a-f]{16})` for the construct `TinyOnnx` in the stack\s+`Newcomer-App-Stack`/.exec(README);
    expect(match).not.toBeNull();
    const stack = new Stack(new App(), 'Newcomer-App-Stack');
    expect(match![1]).toBe(jobNamePrefix(new Construct(stack, 'TinyOnnx')));
  });
});
