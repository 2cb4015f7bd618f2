/**
 * The README and the docs pages as a user reads them (npm, Construct Hub, GitHub): the README's
 * first code block is a complete app that synthesizes as written; every other TypeScript example
 * (a snippet written inside a Stack, `this`, with its own imports from 'cdk-sagemaker-neo')
 * compiles and synthesizes without warnings in the region it names, with no cdk-nag finding on
 * what the library creates; pages render (tables whole); links resolve from the package page;
 * the README lists what the class has and every warning the code can emit.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { marked, Token, Tokens } from 'marked';
import * as ts from 'typescript';
import * as lib from '../src';
import { MODEL_ARCHIVE } from './util';
import { jobNamePrefix } from '../src/private/naming';
import { WARNINGS } from '../src/private/warnings';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = fs.readdirSync(path.join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`);
/** Every page a user reads, by its path in the repository. */
const PAGES: Record<string, string> = Object.fromEntries(['README.md', ...DOCS].map((page) => [page, fs.readFileSync(path.join(ROOT, page), 'utf8')]));
const REPO = 'https://github.com/cdk-sagemaker-neo/cdk-sagemaker-neo/';
const MAX_README_LINES = 700;

/** The TypeScript blocks of a page, with the line each starts on. */
function tsBlocks(page: string): Array<{ line: number; code: string }> {
  return [...PAGES[page].matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => ({ line: PAGES[page].slice(0, match.index).split('\n').length, code: match[1] }));
}
const FIRST_APP = tsBlocks('README.md')[0];
/** The snippets: every TypeScript block but the README's first, which is a whole app. */
const SNIPPETS = Object.keys(PAGES).flatMap((page) => tsBlocks(page)
  .filter((block) => !(page === 'README.md' && block.line === FIRST_APP.line))
  .map((block) => ({ where: `${page}:${block.line}`, code: block.code })));
const BLOCKS = SNIPPETS.map((snippet) => snippet.code);

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

describe('the front page', () => {
  test(`the README has at most ${MAX_README_LINES} lines`, () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  test('its first code block, before line 80, is a complete TypeScript app: imports, a Stack, a job, an output, the App', () => {
    const firstBlock = /```(\w*)\n/.exec(README)!;
    expect(firstBlock[1]).toBe('ts');
    expect(FIRST_APP.line).toBeLessThan(80);
    for (const part of [/^import .* from 'aws-cdk-lib';$/m, /^import .* from 'cdk-sagemaker-neo';$/m, /class \w+ extends Stack/,
      /new CompilationJob\(this,/, /new CfnOutput\(this,/, /new App\(\)/]) {
      expect(FIRST_APP.code).toMatch(part);
    }
  });

  test('TypeScript comes before any other language', () => {
    expect(README.indexOf('```ts')).toBeLessThan(README.indexOf('```python'));
  });

  test('it says how to make a model that synthesizes', () => {
    expect(README.slice(0, README.indexOf('## Install'))).toMatch(/Any `\.tar\.gz` file synthesizes: `tar czf model\.tar\.gz [^`]+`/);
  });
});

test('the pages have a TypeScript example per target family, and none leaves code out (a `// ...` line)', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(10);
  expect(SNIPPETS.filter((snippet) => /^\s*\/\/\s*\.\.\./m.test(snippet.code)).map((s) => s.where)).toEqual([]);
});

test('every TypeScript example compiles, the first app as written', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const files = BLOCKS.map((block, i) => {
    const file = path.join(dir, `example-${i}.ts`);
    fs.writeFileSync(file, asModule(block));
    return file;
  });
  const app = path.join(dir, 'first-app.ts');
  fs.writeFileSync(app, FIRST_APP.code.replace(/'cdk-sagemaker-neo'/g, JSON.stringify(path.join(ROOT, 'src'))));
  files.push(app);
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

/**
 * cdk-nag findings on what the library creates: inside a CompilationJob or EdgeModelComponent, or
 * the stack-level singletons it adds (ids 'SageMakerNeo...'). What the user's snippet creates
 * (their endpoint, their VPC) is theirs to judge.
 */
function nagFindingsOnOurs(stack: Stack): string[] {
  const ours = (construct: IConstruct): boolean => construct instanceof lib.CompilationJob || construct instanceof lib.EdgeModelComponent ||
    (construct.node.scope === stack && construct.node.id.startsWith('SageMakerNeo'));
  const ourPaths = stack.node.findAll().filter(ours).map((construct) => construct.node.path);
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))
    .filter((finding) => ourPaths.some((p) => finding.includes(` @ ${p}/`) || finding.endsWith(` @ ${p}`)));
}

/**
 * The warnings and errors left on the tree after synthesis: acknowledged warnings are gone
 * (`Annotations.acknowledgeWarning` removes them), as the CDK CLI would not print them.
 */
function annotationsOf(root: IConstruct): string[] {
  return root.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:warning' || entry.type === 'aws:cdk:error')
    .map((entry) => `${construct.node.path}: ${entry.data}`));
}

describe('every TypeScript example synthesizes without warnings in the region it names, cdk-nag clean for the library\'s resources', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the README\'s first app, as written, with a model made as it says', () => {
    const appDir = fs.mkdtempSync(path.join(dir, 'first-app-'));
    const cwd = process.cwd();
    const apps: App[] = [];
    const original = App.prototype.synth;
    const synth = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: App, options) {
      apps.push(this);
      return original.call(this, options);
    });
    try {
      process.chdir(appDir);
      // "Any .tar.gz file synthesizes: tar czf model.tar.gz README.md"
      fs.writeFileSync('README.md', '# a model that is no model\n');
      execFileSync('tar', ['czf', 'model.tar.gz', 'README.md']);
      process.env.CDK_OUTDIR = fs.mkdtempSync(path.join(dir, 'first-app-out-'));
      const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
      const js = ts.transpileModule(FIRST_APP.code, { compilerOptions }).outputText;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const load = (id: string) => (id === 'cdk-sagemaker-neo' ? lib : require(id));
      new Function('require', 'exports', 'module', '__dirname', js)(load, {}, { exports: {} }, appDir);
    } finally {
      delete process.env.CDK_OUTDIR;
      process.chdir(cwd);
      synth.mockRestore();
    }
    expect(apps).toHaveLength(1);
    expect(annotationsOf(apps[0])).toEqual([]);
    const stack = apps[0].node.findChild('Newcomer-App-Stack') as Stack;
    expect(stack.node.findAll().filter((c) => c instanceof lib.CompilationJob)).toHaveLength(1);
    expect(nagFindingsOnOurs(stack)).toEqual([]);
  });

  test.each(SNIPPETS.map((snippet, i) => [snippet.where, i, snippet.code] as const))('%s', (_where, i, block) => {
    const region = regionOf(block);
    const app = new App({ outdir: fs.mkdtempSync(path.join(dir, `example-${i}-`)) });
    const stack = runnable(block, path.join(dir, `models-${i}`))(app, region ? { account: '123456789012', region } : undefined);
    app.synth();
    expect(annotationsOf(app)).toEqual([]);
    expect(nagFindingsOnOurs(stack)).toEqual([]);
  });
});

describe.each(Object.keys(PAGES))('%s as the package page or GitHub renders it', (page) => {
  const tokens = marked.lexer(PAGES[page]);
  const all: Token[] = [];
  void marked.walkTokens(tokens, (token) => { all.push(token); });

  test('every table renders as a table (no row left as text)', () => {
    const strayRows = all
      .filter((token): token is Tokens.Paragraph => token.type === 'paragraph')
      .flatMap((token) => token.raw.split('\n').filter((line) => line.trimStart().startsWith('|')));
    expect(strayRows).toEqual([]);
  });

  const links = all.filter((token): token is Tokens.Link | Tokens.Image => token.type === 'link' || token.type === 'image').map((token) => token.href);

  test('links into the repository name files that exist on its main branch (docs pages included)', () => {
    const missing = links.filter((href) => href.startsWith(REPO)).filter((href) => {
      const match = /^(?:blob|tree)\/main\/([^#]+)/.exec(href.slice(REPO.length));
      return !match || !fs.existsSync(path.join(ROOT, match[1]));
    });
    expect(missing).toEqual([]);
  });

  test('links to a heading name one of its headings, in this page or the page linked', () => {
    // GitHub's and Construct Hub's anchors: the heading's text in lower case, punctuation dropped, spaces as '-'.
    const anchorsOf = (text: string) => new Set(marked.lexer(text).filter((token): token is Tokens.Heading => token.type === 'heading')
      .map((heading) => heading.text.toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-')));
    const broken = links.filter((href) => href.includes('#')).filter((href) => {
      const [target, anchor] = href.split('#');
      if (target === '') return !anchorsOf(PAGES[page]).has(anchor);
      const file = /^(?:blob)\/main\/(.+\.md)$/.exec(target.slice(REPO.length))?.[1];
      return target.startsWith(REPO) && file !== undefined && fs.existsSync(path.join(ROOT, file)) && !anchorsOf(fs.readFileSync(path.join(ROOT, file), 'utf8')).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  if (page === 'README.md') {
    test('relative links point at files the npm package ships; docs pages are linked absolutely (docs/ is not shipped)', () => {
      const packed: Array<{ files: Array<{ path: string }> }> = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const shipped = new Set(packed[0].files.map((file) => file.path));
      expect(shipped.has('README.md')).toBe(true);
      const relative = links.filter((href) => !/^[a-z]+:/i.test(href) && !href.startsWith('#'));
      expect(relative.filter((href) => !shipped.has(href.split('#')[0].replace(/^\.\//, '')))).toEqual([]);
      expect(links.filter((href) => href.startsWith(`${REPO}blob/main/docs/`)).length).toBeGreaterThanOrEqual(4);
    });
  }
});

describe('the Warnings table is the warning API', () => {
  const table = README.slice(README.indexOf('## Warnings'), README.indexOf('\n## ', README.indexOf('## Warnings') + 1));

  test('it lists exactly the ids the code can emit', () => {
    const listed = [...table.matchAll(/^\| `(cdk-sagemaker-neo:[\w-]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(WARNINGS).sort());
  });

  test('no id once published is renamed or removed (users acknowledge them by id)', () => {
    const published = ['cdk-sagemaker-neo:framework-version', 'cdk-sagemaker-neo:single-region-target',
      'cdk-sagemaker-neo:imported-role', 'cdk-sagemaker-neo:end-of-life'];
    expect(Object.keys(WARNINGS)).toEqual(expect.arrayContaining(published));
  });

  test('the code emits warnings only through that list (src/private/warnings.ts)', () => {
    const files = (fs.readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
    const adders = files.filter((file) => /addWarning(V2)?\(|addInfo(V2)?\(/.test(fs.readFileSync(path.join(ROOT, 'src', file), 'utf8')));
    expect(adders).toEqual([path.join('private', 'warnings.ts')]);
  });

  test('it shows how to acknowledge one', () => {
    expect(table).toMatch(/Annotations\.of\(job\)\.acknowledgeWarning\('cdk-sagemaker-neo:[\w-]+', '[^']+'\)/);
  });
});

describe.each(DOCS)('%s as GitHub renders it', (guide) => {
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
