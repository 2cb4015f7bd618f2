/**
 * Every recipe EdgeModelComponent emits is one Greengrass can run where it claims:
 * - it validates against the Greengrass Development Kit CLI's recipe JSON Schema (a copy with its
 *   source and licence in ../shared/reference/greengrass/, used from there, never copied);
 * - the documented rules the schema cannot express hold (recipe reference,
 *   https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html):
 *   a device uses the first manifest it matches, `Unarchive` is NONE or ZIP, and artifacts are in
 *   S3 in the component's account and Region;
 * - the Linux install step really extracts a Neo archive (run with sh and tar here, in a Greengrass
 *   root whose path has spaces); the Windows one is checked for what cmd.exe and the nucleus do to
 *   it (no Windows device here).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { renderIntrinsics } from '../docs/example/print-requests';
import {
  CompilationJob, CompilationTarget, EdgeModel, EdgeModelComponent, GreengrassPlatform, TargetArch, TargetDevice, TargetOs,
} from '../src';
import { findBestMatch, testPlatform } from './nucleus/platform';
import { newStack } from './util';
import { tinyOnnxModel, TINY_ONNX_ARCHIVE } from '../integ/model/tiny-onnx';
import { withVersion } from '../lambda/component-version/versions';
import { RESOURCE_TYPE } from '../src/private/contract';
import { COMPONENT_VERSION_RESOURCE_TYPE, ComponentVersionSpec } from '../src/private/edge/component-contract';
import { INSTALL_TIMEOUT_SECONDS, posixInstall, windowsInstall } from '../src/private/edge/recipe';

/** ../shared beside the checkout (a git worktree under wt/ sits one folder deeper). */
const SCHEMA_PATH = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]
  .map((dir) => path.join(dir, 'shared', 'reference', 'greengrass', 'recipe_schema.json'))
  .find((file) => fs.existsSync(file)) ?? path.join(__dirname, '..', '..', 'shared', 'reference', 'greengrass', 'recipe_schema.json');

/**
 * The schema's patterns use Java's inline `(?i)` flag, which JavaScript's RegExp lacks: turn it
 * into the `i` flag (the only inline flag the schema uses).
 */
function javaRegExp(pattern: string, flags: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), `${flags}i`) : new RegExp(pattern, flags);
}
(javaRegExp as any).code = 'javaRegExp';

const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: javaRegExp as any } });
const validateRecipe = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));

/** The GDK CLI lower-cases every key before it validates (recipe keys are case-insensitive). */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
  }
  return value;
}

/**
 * The recipes of every component version in the stack as the handler sends them to Greengrass:
 * the custom resource's recipe with the version the handler fills in (its own withVersion), with
 * intrinsics rendered as strings.
 */
function recipesOf(stack: Stack, version = '1.0.0'): any[] {
  return Object.values(Template.fromStack(stack).findResources(COMPONENT_VERSION_RESOURCE_TYPE))
    .map((c) => withVersion((JSON.parse(renderIntrinsics(c.Properties.Spec)) as ComponentVersionSpec).recipe, version));
}

const MODEL = tinyOnnxModel();
const XAVIER_BOARD = { os: 'linux', architecture: 'aarch64', attributes: { 'com.example.board': 'jetson_xavier' } };

/** The shapes of component the construct emits: one platform, a mixed fleet, Windows, custom attributes, regex. */
const SHAPES: Record<string, Array<{ target: CompilationTarget; platform?: GreengrassPlatform; fallback?: boolean }>> = {
  'one Raspberry Pi 3': [{ target: CompilationTarget.device(TargetDevice.RASP3B) }],
  'a mixed Linux fleet': [
    { target: CompilationTarget.device(TargetDevice.JETSON_XAVIER) },
    { target: CompilationTarget.device(TargetDevice.RASP4B), platform: { os: 'linux', architecture: 'arm' } },
    { target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }) },
  ],
  'Linux and Windows': [
    { target: CompilationTarget.device(TargetDevice.X86_WIN64) },
    { target: CompilationTarget.device(TargetDevice.X86_WIN32) },
    { target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }) },
  ],
  'boards told apart by platformOverride, with a declared fallback': [
    { target: CompilationTarget.device(TargetDevice.JETSON_NANO), fallback: true },
    { target: CompilationTarget.device(TargetDevice.JETSON_XAVIER), platform: XAVIER_BOARD },
  ],
  'a regular expression and any architecture': [
    { target: CompilationTarget.device(TargetDevice.RASP3B), platform: { os: 'linux', architecture: '/arm|aarch64/' } },
    { target: CompilationTarget.device(TargetDevice.X86_WIN64), platform: { os: 'windows', architecture: 'all' } },
  ],
};

function build(shape: keyof typeof SHAPES) {
  const stack = newStack();
  const models: EdgeModel[] = SHAPES[shape].map((m, i) => ({
    compilationJob: new CompilationJob(stack, `Job${i}`, { ...MODEL, target: m.target }),
    platform: m.platform,
    fallback: m.fallback,
  }));
  new EdgeModelComponent(stack, 'Component', { models, componentName: 'com.example.Model' });
  const template = Template.fromStack(stack);
  const jobIds = models.map((m) => Object.keys(template.findResources(RESOURCE_TYPE)).find((id) => id.startsWith(m.compilationJob.node.id))!);
  return { stack, template, recipe: recipesOf(stack)[0], jobIds };
}

/** The manifest a device uses: the first it matches (the nucleus's PlatformHelper, ported in ./nucleus/platform.ts). */
function manifestFor(recipe: any, device: Record<string, string>): number {
  return findBestMatch(device, recipe.Manifests);
}

describe.each(Object.keys(SHAPES))('recipe of %s', (shape) => {
  test('validates against the GDK CLI recipe schema', () => {
    const { recipe } = build(shape);
    const valid = validateRecipe(lowerKeys(recipe));
    expect(validateRecipe.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('each manifest is the first match of a device of its own platform (none is shadowed)', () => {
    const { recipe } = build(shape);
    recipe.Manifests.forEach((m: any, i: number) => {
      // A device that has exactly the manifest's exact values, and the first documented value of a regex.
      const device = Object.fromEntries(Object.entries<string>(m.Platform ?? {}).filter(([, v]) => v !== '*').map(([k, v]) =>
        [k, v.startsWith('/') || v === 'all' ? ['linux', 'windows', 'amd64', 'arm', 'aarch64', 'x86'].find((known) => testPlatform({ [k]: known }, { [k]: v }))! : v]));
      expect(manifestFor(recipe, device)).toBe(i);
    });
  });

  test('artifacts: Unarchive NONE or ZIP, and the job\'s own S3 object in the component\'s stack and Region', () => {
    const { recipe, template, jobIds } = build(shape);
    const artifacts = recipe.Manifests.map((m: any) => m.Artifacts);
    for (const list of artifacts) {
      expect(list).toHaveLength(1); // each artifact needs a unique file name within its manifest
      expect(['NONE', 'ZIP']).toContain(list[0].Unarchive);
    }
    // Every job writes to the stack's own output bucket (a resource of this stack, so of its Region).
    expect(new Set(artifacts.map((list: any[]) => list[0].Uri))).toEqual(new Set(jobIds.map((id) => `\${GetAtt:${id}.ModelArtifactsS3Uri}`)));
    const [bucketId] = Object.keys(template.findResources('AWS::S3::Bucket', { Properties: { BucketEncryption: {} } }));
    for (const id of jobIds) {
      const spec = JSON.parse(renderIntrinsics(template.toJSON().Resources[id].Properties.Spec));
      expect(spec.request.OutputConfig.S3OutputLocation).toMatch(new RegExp(`^s3://\\$\\{Ref:${bucketId}\\}/`));
    }
  });
});

test('the schema check is live: it refuses an Unarchive Greengrass does not take, a recipe without manifests, and one without the version the handler fills in', () => {
  const { recipe } = build('one Raspberry Pi 3');
  const { ComponentVersion: __, ...asTheConstructBuildsIt } = recipe;
  expect(validateRecipe(lowerKeys(asTheConstructBuildsIt))).toBe(false);
  const tar = { ...recipe, Manifests: [{ ...recipe.Manifests[0], Artifacts: [{ Uri: 's3://b/k.tar.gz', Unarchive: 'TAR' }] }] };
  expect(validateRecipe(lowerKeys(tar))).toBe(false);
  const { Manifests: _, ...noManifests } = recipe;
  expect(validateRecipe(lowerKeys(noManifests))).toBe(false);
});

describe('which model each device of a fleet installs', () => {
  test.each<[string, Record<string, string>, number | 'none']>([
    ['a Jetson Xavier', { os: 'linux', architecture: 'aarch64' }, 0],
    ['a Raspberry Pi on 32-bit Raspberry Pi OS', { os: 'linux', architecture: 'arm' }, 1],
    ['an x86_64 gateway', { os: 'linux', architecture: 'amd64' }, 2],
    ['a Windows PC (no manifest: the deployment fails there, as documented)', { os: 'windows', architecture: 'amd64' }, 'none'],
  ])('mixed Linux fleet: %s', (_, device, job) => {
    const { recipe, jobIds } = build('a mixed Linux fleet');
    const i = manifestFor(recipe, device);
    if (job === 'none') {
      expect(i).toBe(-1);
    } else {
      expect(recipe.Manifests[i].Artifacts[0].Uri).toBe(`\${GetAtt:${jobIds[job]}.ModelArtifactsS3Uri}`);
    }
  });

  test.each<[string, Record<string, string>, number]>([
    ['a Xavier whose nucleus sets platformOverride com.example.board=jetson_xavier', { 'os': 'linux', 'architecture': 'aarch64', 'com.example.board': 'jetson_xavier' }, 1],
    ['an aarch64 device without the attribute (the fallback)', { os: 'linux', architecture: 'aarch64' }, 0],
  ])('platformOverride: %s', (_, device, job) => {
    const { recipe, jobIds } = build('boards told apart by platformOverride, with a declared fallback');
    expect(recipe.Manifests[manifestFor(recipe, device)].Artifacts[0].Uri).toBe(`\${GetAtt:${jobIds[job]}.ModelArtifactsS3Uri}`);
  });
});

describe('install steps', () => {
  /** Replaces the recipe variables as the nucleus does before it runs a script: plain text, no quoting. */
  function interpolate(script: string, vars: Record<string, string>): string {
    return script.replace(/\{(artifacts:path|work:path)\}/g, (_, name: string) => vars[name]);
  }

  const URI = 's3://amzn-s3-demo-bucket/compiled/Job-1a2b/model-rasp3b.tar.gz';
  const ARCHIVE_NAME = 'model-rasp3b.tar.gz'; // the nucleus saves an artifact under its URI's last segment
  const expectedFiles = () => execFileSync('tar', ['-tzf', TINY_ONNX_ARCHIVE], { encoding: 'utf8' })
    .split('\n').filter((f) => f && !f.endsWith('/')).map((f) => path.normalize(f)).sort();
  const filesIn = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();

  /**
   * A Greengrass root whose path has spaces, next to a folder named like its first word (what an
   * unquoted `rm -rf {work:path}/model` would remove), with the version's artifacts folder.
   */
  function greengrassRoot(version = '1.0.0') {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-install-'));
    const root = path.join(base, 'greengrass root', 'v2');
    const bystander = path.join(base, 'greengrass');
    fs.mkdirSync(path.join(bystander, 'model'), { recursive: true });
    fs.writeFileSync(path.join(bystander, 'model', 'keep.txt'), 'not ours');
    const work = path.join(root, 'work', 'com.example.Model');
    fs.mkdirSync(work, { recursive: true });
    const artifacts = (v: string) => {
      const dir = path.join(root, 'packages', 'artifacts', 'com.example.Model', v);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    };
    fs.copyFileSync(TINY_ONNX_ARCHIVE, path.join(artifacts(version), ARCHIVE_NAME));
    const run = (v = version, uri = URI) => execFileSync('sh', ['-c', interpolate(posixInstall(uri), { 'artifacts:path': artifacts(v), 'work:path': work })], { stdio: 'pipe' });
    return { base, work, bystander, artifacts, run, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
  }

  test('Linux: sh extracts the archive into {work:path}/model in a root path with spaces, and touches nothing outside it', () => {
    const gg = greengrassRoot();
    fs.mkdirSync(path.join(gg.work, 'model'));
    fs.writeFileSync(path.join(gg.work, 'model', 'stale.params'), 'old model');
    gg.run();
    expect(filesIn(path.join(gg.work, 'model'))).toEqual(expectedFiles());
    expect(fs.readFileSync(path.join(gg.bystander, 'model', 'keep.txt'), 'utf8')).toBe('not ours');
    gg.cleanup();
  });

  test('Linux: extracts once per version: a restart finds the model in place, a new version extracts again', () => {
    const gg = greengrassRoot();
    gg.run();
    const marker = path.join(gg.work, 'model', 'touched-after-install');
    fs.writeFileSync(marker, '');
    gg.run(); // the nucleus restarts: Install runs again
    expect(fs.existsSync(marker)).toBe(true);
    fs.copyFileSync(TINY_ONNX_ARCHIVE, path.join(gg.artifacts('1.0.1'), ARCHIVE_NAME));
    gg.run('1.0.1');
    expect(fs.existsSync(marker)).toBe(false);
    expect(filesIn(path.join(gg.work, 'model'))).toEqual(expectedFiles());
    gg.cleanup();
  });

  test('Linux: only this manifest\'s archive, when the version folder holds another one too', () => {
    const gg = greengrassRoot();
    fs.writeFileSync(path.join(gg.artifacts('1.0.0'), 'model-jetson_nano.tar.gz'), 'another manifest\'s archive');
    gg.run();
    expect(filesIn(path.join(gg.work, 'model'))).toEqual(expectedFiles());
    gg.cleanup();
  });

  test.each<[string, (dir: string) => void]>([
    ['missing', (dir) => fs.rmSync(path.join(dir, ARCHIVE_NAME))],
    ['not an archive', (dir) => fs.writeFileSync(path.join(dir, ARCHIVE_NAME), 'not an archive')],
    ['unreadable', (dir) => fs.chmodSync(path.join(dir, ARCHIVE_NAME), 0o000)],
  ])('Linux: an archive that is %s fails the step', (what, spoil) => {
    if (what === 'unreadable' && process.getuid?.() === 0) return; // root reads every file
    const gg = greengrassRoot();
    spoil(gg.artifacts('1.0.0'));
    expect(() => gg.run()).toThrow();
    expect(fs.existsSync(path.join(gg.work, 'model.source'))).toBe(false); // the next start tries again
    gg.cleanup();
  });

  test('Linux: the synthesized step names the artifact of its own manifest, and waits long enough for a large model', () => {
    const { recipe } = build('a mixed Linux fleet');
    for (const manifest of recipe.Manifests) {
      expect(manifest.Lifecycle.Install)
        .toEqual({ Script: posixInstall(manifest.Artifacts[0].Uri), RequiresPrivilege: false, Timeout: INSTALL_TIMEOUT_SECONDS });
    }
    expect(INSTALL_TIMEOUT_SECONDS).toBeGreaterThan(120); // the nucleus's default Install timeout (Lifecycle.java)
  });

  test('Windows manifests get the PowerShell step, Linux ones the POSIX step', () => {
    const { recipe } = build('Linux and Windows');
    expect(recipe.Manifests.map((m: any) => [m.Platform.os, m.Lifecycle.Install.Script]))
      .toEqual(recipe.Manifests.map((m: any) => [m.Platform.os, m.Platform.os === 'windows' ? windowsInstall(m.Artifacts[0].Uri) : posixInstall(m.Artifacts[0].Uri)]));
    expect(recipe.Manifests.map((m: any) => m.Platform.os)).toEqual(['windows', 'windows', 'linux']);
  });

  test('Windows: one PowerShell command line that cmd.exe passes on unchanged, failing on a missing archive or a failed tar', () => {
    // cmd.exe runs the script (nucleus WindowsPlatform: CmdDecorator): it has no `rm -rf`, `mkdir -p`
    // or globbing, expands %VAR%, and treats | & < > as operators outside double quotes.
    const script = windowsInstall(URI);
    const match = /^powershell -NoProfile -NonInteractive -Command "([^"]*)"$/.exec(script);
    expect(match).not.toBeNull();
    const command = match![1];
    expect(command).not.toMatch(/%/);
    expect(command).not.toMatch(/\brm -rf\b|\bmkdir -p\b|\*/);
    expect(command).toContain("$ErrorActionPreference = 'Stop'");
    expect(command).toContain(`$a = Join-Path '{artifacts:path}' ('${URI}' -split '/')[-1]`);
    expect(command).toContain("if (-not (Test-Path -LiteralPath $a -PathType Leaf)) { throw ('model archive ' + $a + ' is missing') }");
    expect(command).toMatch(/tar -xzf \$a -C \$m; if \(\$LASTEXITCODE -ne 0\) \{ exit \$LASTEXITCODE \}/);
    expect(command).toMatch(/\(Get-Content -Raw -LiteralPath \$s\) -eq \$a\)\) \{ exit 0 \}/);
    expect(command.indexOf('Set-Content')).toBeGreaterThan(command.indexOf('tar -xzf')); // the marker is written last
  });

  test.each([['POSIX', posixInstall(URI)], ['Windows', windowsInstall(URI)]])('%s: every {…} the nucleus would read as a recipe variable is one it defines, always quoted', (_, script) => {
    // Recipe variables are {name:key} without spaces; PowerShell's script blocks start with '{ '.
    const variables = [...script.matchAll(/\{([^\s{}]+)\}/g)].map((m) => m[1]);
    expect(new Set(variables)).toEqual(new Set(['work:path', 'artifacts:path']));
    for (const m of script.matchAll(/\{(work|artifacts):path\}/g)) expect(['"', "'"]).toContain(script[m.index! - 1]);
  });
});
