/**
 * The README's TypeScript examples compile against the library as it is: each ```ts block is a
 * snippet written inside a Stack (`this`), with its own imports from 'cdk-sagemaker-neo'.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

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
