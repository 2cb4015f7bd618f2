/**
 * The package as users get it: `npm pack`, the tarball installed with plain `npm install` (no
 * flags) into a fresh app next to the oldest aws-cdk-lib we support and a newer one, and an app
 * in plain JavaScript synthesized there. This proves what unit tests cannot: the shipped `lib/`
 * and handler bundle, the `main`/`types` entries and the peer ranges.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TINY_ONNX_ARCHIVE } from '../../integ/model/tiny-onnx';
import { RESOURCE_TYPE } from '../../src/private/contract';
import { COMPONENT_VERSION_RESOURCE_TYPE } from '../../src/private/edge/component-contract';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** The oldest aws-cdk-lib the peer range admits, and the newest on the registry (what `cdk init` brings). */
const OLDEST_CDK = PACKAGE.peerDependencies['aws-cdk-lib'].replace(/^\^/, '');
const NEWEST_CDK = execFileSync('npm', ['view', 'aws-cdk-lib@latest', 'version'], { encoding: 'utf8' }).trim();

/** The app the user writes: two jobs, a SageMaker model on one, a Greengrass component on the other. */
const APP = `
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const sagemaker = require('aws-cdk-lib/aws-sagemaker');
const neo = require('cdk-sagemaker-neo');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'Packaged');
const model = {
  model: neo.ModelInput.fromAsset('model.tar.gz'),
  framework: neo.Framework.ONNX,
  dataInputConfig: neo.DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
};
const cloud = new neo.CompilationJob(stack, 'Cloud', { ...model, target: neo.CompilationTarget.device(neo.TargetDevice.ML_C5) });
const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
cloud.grantRead(role);
new sagemaker.CfnModel(stack, 'Model', {
  executionRoleArn: role.roleArn,
  primaryContainer: { image: cloud.inferenceImage, modelDataUrl: cloud.modelArtifactsS3Uri },
});
const edge = new neo.CompilationJob(stack, 'Edge', { ...model, target: neo.CompilationTarget.device(neo.TargetDevice.RASP4B) });
new neo.EdgeModelComponent(stack, 'Component', {
  compilationJob: edge, platform: { os: 'linux', architecture: 'arm' }, componentName: 'com.example.Model',
});
app.synth();
`;

/**
 * The environment without npm's own variables, so that no npm setting of ours reaches the install,
 * and without the toolchain's silencing of Node notices (.projenrc.ts), which users do not set.
 */
function plainEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|JSII_SILENCE_)/i.test(name)));
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env: plainEnvironment(), encoding: 'utf8', stdio: 'pipe' });
}

let workdir: string;
let tarball: string;

beforeAll(() => {
  for (const built of ['lib/index.js', 'lib/index.d.ts', 'assets/compilation-job/index.js', '.jsii']) {
    if (!fs.existsSync(path.join(ROOT, built))) {
      throw new Error(`${built} is missing: run \`npx projen compile\` first (\`npx projen test:package\` does)`);
    }
  }
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'neo-package-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workdir], ROOT));
  tarball = path.join(workdir, packed[0].filename);
  process.stderr.write(`packed ${packed[0].filename}: ${packed[0].size} bytes, ${packed[0].entryCount} files\n`);
}, 120_000);

afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

test('the packed package.json is what Construct Hub and npm read', () => {
  const packed = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], workdir));
  expect(packed).toMatchObject({
    name: 'cdk-sagemaker-neo',
    description: expect.stringContaining('SageMaker Neo'),
    license: 'Apache-2.0',
    repository: { url: expect.stringMatching(/^https:\/\//) },
    stability: 'experimental',
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    keywords: expect.arrayContaining(['awscdk', 'cdk']),
    peerDependencies: { 'aws-cdk-lib': `^${OLDEST_CDK}`, 'constructs': expect.stringMatching(/^\^10\./) },
    jsii: { targets: { python: { distName: 'cdk-sagemaker-neo', module: 'cdk_sagemaker_neo' } } },
  });
  expect(packed.dependencies ?? {}).toEqual({});
  const files = run('tar', ['-tzf', tarball], workdir).split('\n');
  expect(files).toEqual(expect.arrayContaining([
    'package/.jsii', 'package/lib/index.js', 'package/lib/index.d.ts', 'package/assets/compilation-job/index.js',
    'package/README.md', 'package/API.md', 'package/LICENSE',
  ]));
  expect(files.filter((file) => /^package\/(src|test|lambda|integ|\.newest-cdk)\//.test(file))).toEqual([]);
});

test.each([OLDEST_CDK, NEWEST_CDK])('installs with plain `npm install` next to aws-cdk-lib %s and synthesizes', (cdkVersion) => {
  const app = path.join(workdir, `app-cdk-${cdkVersion}`);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'neo-user-app',
    private: true,
    dependencies: { 'aws-cdk-lib': cdkVersion, 'constructs': '^10', 'cdk-sagemaker-neo': `file:${tarball}` },
  }, undefined, 2));
  fs.copyFileSync(TINY_ONNX_ARCHIVE, path.join(app, 'model.tar.gz'));
  fs.writeFileSync(path.join(app, 'app.js'), APP);

  run('npm', ['install'], app);
  const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
  expect(installed('aws-cdk-lib')).toBe(cdkVersion);
  // one aws-cdk-lib in the app: the library uses the user's, never a copy of its own
  expect(fs.existsSync(path.join(app, 'node_modules', 'cdk-sagemaker-neo', 'node_modules'))).toBe(false);

  const outdir = path.join(app, 'cdk.out');
  // What the user's synth prints: no deprecated aws-cdk-lib call (it would throw with
  // JSII_DEPRECATED=fail) and no Node.js end-of-life notice, on whatever Node runs the tests.
  const synth = spawnSync('node', ['app.js'], {
    cwd: app, env: { ...plainEnvironment(), CDK_OUTDIR: outdir, JSII_DEPRECATED: 'fail' }, encoding: 'utf8',
  });
  expect(synth.status).toBe(0);
  expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/deprecated|end-of-life|\[WARNING\]/i);
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Packaged.template.json'), 'utf8'));
  const resources = Object.values<any>(template.Resources);
  const ofType = (type: string) => resources.filter((r) => r.Type === type);

  expect(ofType(RESOURCE_TYPE)).toHaveLength(2);
  const [model] = ofType('AWS::SageMaker::Model');
  expect(JSON.stringify(model.Properties.PrimaryContainer)).toMatch(/"Fn::GetAtt":\["Cloud[0-9A-F]+","(InferenceImage|ModelArtifactsS3Uri)"\]/);
  expect(ofType(COMPONENT_VERSION_RESOURCE_TYPE)).toHaveLength(1);

  // The handler bundles shipped in the package are the code of the providers' functions.
  const assets = JSON.parse(fs.readFileSync(path.join(outdir, 'Packaged.assets.json'), 'utf8'));
  for (const bundle of ['compilation-job', 'component-version']) {
    const handlerAsset = Object.values<any>(assets.files).find((asset) =>
      fs.existsSync(path.join(outdir, asset.source.path, 'index.js')) &&
      fs.readFileSync(path.join(outdir, asset.source.path, 'index.js'), 'utf8') ===
      fs.readFileSync(path.join(ROOT, 'assets', bundle, 'index.js'), 'utf8'));
    expect(handlerAsset).toBeDefined();
  }
}, 420_000);
