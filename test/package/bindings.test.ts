/**
 * The jsii bindings as users of other languages get them: `jsii-pacmak --code-only` generates the
 * Python, Java, .NET and Go sources from the compiled assembly (`.jsii`, written by
 * `npx projen compile`) offline. Their registries are out of reach here, so nothing is packaged;
 * what is checked is that every target generates, the Python compiles, and the README's Python
 * snippets use only names the generated module has.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TARGETS = PACKAGE.jsii.targets;
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PYTHON_SNIPPETS = [...README.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]);

let outdir: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
    throw new Error('no .jsii assembly: run `npx projen compile` first (`npx projen test:package` does)');
  }
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'neo-bindings-'));
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'jsii-pacmak'), [
    '--code-only', '--outdir', outdir,
    '--target', 'python', '--target', 'java', '--target', 'dotnet', '--target', 'go',
  ], { cwd: ROOT, stdio: 'pipe' });
}, 300_000);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** Files under `dir` (recursively) whose name ends with `suffix`. */
function filesEndingWith(dir: string, suffix: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => name.endsWith(suffix))
    .map((name) => path.join(dir, name));
}

function pythonModuleInit(): string {
  return path.join(outdir, 'python', 'src', TARGETS.python.module, '__init__.py');
}

/** Problems the checker finds in `snippets` against the generated module (empty when none). */
function pythonProblems(snippets: string[]): string[] {
  const input = path.join(outdir, 'snippets.json');
  fs.writeFileSync(input, JSON.stringify(snippets));
  const output = execFileSync('python3', [path.join(__dirname, 'python_api.py'), pythonModuleInit(), input], { encoding: 'utf8' });
  return JSON.parse(output);
}

test('the package names a binding for Python, Java, .NET and Go', () => {
  expect(TARGETS).toEqual({
    python: { distName: 'cdk-sagemaker-neo', module: 'cdk_sagemaker_neo' },
    java: { package: expect.any(String), maven: { groupId: expect.any(String), artifactId: 'cdk-sagemaker-neo' } },
    dotnet: { namespace: expect.any(String), packageId: expect.any(String) },
    go: { moduleName: expect.any(String) },
  });
});

test('the Python binding compiles', () => {
  const sources = filesEndingWith(path.join(outdir, 'python'), '.py');
  expect(sources).toContain(pythonModuleInit());
  execFileSync('python3', ['-m', 'py_compile', ...sources], { stdio: 'pipe' });
});

test.each([
  ['java', '.java', `${TARGETS.java.package.replace(/\./g, '/')}/CompilationJob.java`],
  ['dotnet', '.cs', `${TARGETS.dotnet.namespace}/CompilationJob.cs`],
  ['go', '.go', 'CompilationJob.go'],
])('the %s binding is generated', (target, suffix, compilationJobFile) => {
  const sources = filesEndingWith(path.join(outdir, target), suffix);
  expect(sources.some((file) => file.endsWith(compilationJobFile))).toBe(true);
  expect(sources.some((file) => file.endsWith(`EdgeModelComponent${suffix}`))).toBe(true);
});

test('the README installs the Python distribution the package names', () => {
  expect(README).toContain(`pip install ${TARGETS.python.distName}`);
  expect(PYTHON_SNIPPETS.length).toBeGreaterThanOrEqual(2);
  for (const snippet of PYTHON_SNIPPETS) expect(snippet).toContain(`from ${TARGETS.python.module} import`);
});

test('the README Python snippets parse and use only names the Python module has', () => {
  expect(pythonProblems(PYTHON_SNIPPETS)).toEqual([]);
});

test('the snippet check catches a name, a member or a keyword the module lacks', () => {
  const drifted = [
    'from cdk_sagemaker_neo import CompilationJob, Framework, ModelInput, NeoJob',
    'job = CompilationJob(self, "Job", model=ModelInput.from_asset("m.tar.gz"), framework=Framework.PYTORHC, modle=None)',
    'ModelInput.from_bucket(bucket, "k.tar.gz", object_versoin="1")',
    'print(job.model_artifacts_uri, job.node)',
    'def broken(:',
  ];
  const [snippetOne, snippetTwo] = [drifted.slice(0, 4).join('\n'), drifted[4]];
  expect(pythonProblems([snippetOne]).sort()).toEqual([
    "snippet 1: CompilationJob has no member 'model_artifacts_uri'",
    "snippet 1: CompilationJob takes no keyword argument 'modle'",
    "snippet 1: Framework has no member 'PYTORHC'",
    "snippet 1: ModelInput.from_bucket takes no keyword argument 'object_versoin'",
    'snippet 1: NeoJob is not in cdk_sagemaker_neo',
  ]);
  expect(pythonProblems([snippetOne, snippetTwo]).at(-1)).toMatch(/^snippet 2: does not parse/);
});
