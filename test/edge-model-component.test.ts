import { Aws, CfnCondition, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { renderIntrinsics } from '../docs/example/print-requests';
import {
  CompilationJob, CompilationJobProps, CompilationTarget, EdgeModelComponent, EdgeModelComponentProps, EdgePlatform, TargetArch, TargetDevice,
  TargetOs,
} from '../src';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { RESOURCE_TYPE } from '../src/private/contract';
import { COMPONENT_VERSION_RESOURCE_TYPE, ComponentVersionSpec } from '../src/private/edge/component-contract';
import { posixInstall } from '../src/private/edge/recipe';

const JOB: CompilationJobProps = {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.RASP3B),
};

/** The spec of the stack's only component version, parsed from the template. */
function specOf(template: Template): ComponentVersionSpec {
  const [component] = Object.values(template.findResources(COMPONENT_VERSION_RESOURCE_TYPE));
  return JSON.parse(renderIntrinsics(component.Properties.Spec));
}

/** The recipe of the stack's only component version (the handler adds ComponentVersion). */
function recipeOf(template: Template): any {
  return specOf(template).recipe;
}

/** A stack with one job and its component, not yet synthesized. */
function build(jobProps: Partial<CompilationJobProps> = {}, componentProps: Partial<EdgeModelComponentProps> = {}) {
  const stack = newStack();
  const job = new CompilationJob(stack, 'Job', { ...JOB, ...jobProps });
  const deviceRole = new iam.Role(stack, 'TokenExchangeRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
  const component = new EdgeModelComponent(stack, 'Component', {
    compilationJob: job,
    componentName: 'com.example.TinyOnnx',
    deviceRole,
    ...componentProps,
  });
  return { stack, component };
}

function setup(jobProps: Partial<CompilationJobProps> = {}, componentProps: Partial<EdgeModelComponentProps> = {}) {
  const { stack, component } = build(jobProps, componentProps);
  const template = Template.fromStack(stack);
  const [jobId] = Object.keys(template.findResources(RESOURCE_TYPE));
  return { stack, template, jobId, component };
}

/** A stack with one job per target (ids Jetson, Pi, Gateway by default) and a component of them all. */
function fleet(models: Array<{ id: string; target: CompilationTarget; platform?: EdgeModelComponentProps['platform']; fallback?: boolean }>) {
  const stack = newStack();
  const deviceRole = new iam.Role(stack, 'TokenExchangeRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
  const jobs = models.map((m) => new CompilationJob(stack, m.id, { ...JOB, target: m.target }));
  const component = new EdgeModelComponent(stack, 'Component', {
    models: models.map((m, i) => ({ compilationJob: jobs[i], platform: m.platform, fallback: m.fallback })),
    componentName: 'com.example.Fleet',
    deviceRole,
  });
  return { stack, jobs, component };
}

/** The logical id of a construct's default child (the job's custom resource). */
function logicalIdOf(stack: Stack, job: CompilationJob): string {
  const template = Template.fromStack(stack).findResources(RESOURCE_TYPE);
  const id = Object.keys(template).find((k) => k.startsWith(job.node.id));
  if (!id) throw new Error(`no resource of ${job.node.path}`);
  return id;
}

const MIXED_FLEET = [
  { id: 'Pi', target: CompilationTarget.device(TargetDevice.RASP4B), platform: { os: 'linux', architecture: 'arm' } },
  { id: 'Jetson', target: CompilationTarget.device(TargetDevice.JETSON_XAVIER) },
  { id: 'Gateway', target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }) },
];

describe('EdgeModelComponent: one job', () => {
  test('the recipe ships the compiled .tar.gz unarchived and extracts it on install', () => {
    const { template, jobId } = setup();
    expect(recipeOf(template)).toEqual({
      RecipeFormatVersion: '2020-01-25',
      ComponentName: 'com.example.TinyOnnx',
      ComponentDescription: 'SageMaker Neo model compiled for rasp3b',
      ComponentPublisher: 'cdk-sagemaker-neo',
      Manifests: [{
        Platform: { os: 'linux', architecture: 'arm' },
        Lifecycle: {
          Install: {
            Script: posixInstall(`\${GetAtt:${jobId}.ModelArtifactsS3Uri}`),
            RequiresPrivilege: false,
            Timeout: 1800,
          },
        },
        Artifacts: [{ Uri: `\${GetAtt:${jobId}.ModelArtifactsS3Uri}`, Unarchive: 'NONE' }],
      }],
    });
  });

  test.each<[string, CompilationTarget, object]>([
    ['Raspberry Pi 3', CompilationTarget.device(TargetDevice.RASP3B), { os: 'linux', architecture: 'arm' }],
    ['Jetson Nano', CompilationTarget.device(TargetDevice.JETSON_NANO), { os: 'linux', architecture: 'aarch64' }],
    ['Jetson Xavier', CompilationTarget.device(TargetDevice.JETSON_XAVIER), { os: 'linux', architecture: 'aarch64' }],
    ['RK3399', CompilationTarget.device(TargetDevice.RK3399), { os: 'linux', architecture: 'aarch64' }],
    ['Windows x64', CompilationTarget.device(TargetDevice.X86_WIN64), { os: 'windows', architecture: 'amd64' }],
    ['a Linux ARM64 platform', CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64 }), { os: 'linux', architecture: 'aarch64' }],
    ['a Linux ARMv7 hard-float platform', CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM_EABIHF }), { os: 'linux', architecture: 'arm' }],
    ['a Linux x86_64 platform', CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }), { os: 'linux', architecture: 'amd64' }],
  ])('platform of %s', (_, target, platform) => {
    const { template } = setup({ target });
    expect(recipeOf(template).Manifests[0].Platform).toEqual(platform);
  });

  test.each<[string, CompilationTarget, string]>([
    ['Raspberry Pi 4 (32-bit or 64-bit OS)', CompilationTarget.device(TargetDevice.RASP4B), "the Raspberry Pi 4 runs a 32-bit OS ('arm') or a 64-bit one ('aarch64')"],
    ['a device no source maps', CompilationTarget.device(TargetDevice.QCS605), "no source gives the Greengrass os and architecture of target device 'qcs605'"],
    ['Android (not a Greengrass OS)', CompilationTarget.platform({ os: TargetOs.ANDROID, arch: TargetArch.ARM64 }), 'target platform ANDROID/ARM64 has no Greengrass platform'],
  ])('platform of %s must be given', (_, target, reason) => {
    expect(() => setup({ target })).toThrow(`platform: required for job 'TestStack/Job'${target.targetDevice ? ` (${target.targetDevice.name})` : ''}: ${reason}`);
  });

  test('an explicit platform wins, with its custom attributes', () => {
    const { template } = setup({ target: CompilationTarget.device(TargetDevice.RASP4B) },
      { platform: { os: 'linux', architecture: 'aarch64', attributes: { 'com.example.board': 'pi4' } } });
    expect(recipeOf(template).Manifests[0].Platform).toEqual({ 'os': 'linux', 'architecture': 'aarch64', 'com.example.board': 'pi4' });
  });

  test('the device role may download exactly the compiled artifact: GetBucketLocation on its bucket, GetObject on its object', () => {
    const { template, jobId } = setup();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TokenExchangeRole') }],
      PolicyDocument: {
        Statement: [{
          Action: 's3:GetObject',
          Effect: 'Allow',
          // One Fn::Sub (src/private/compact.ts): the bucket's ARN, '/', the job's object key.
          Resource: { 'Fn::Sub': Match.stringLikeRegexp(`^\\$\\{SageMakerNeoCompiledModels[0-9A-F]{8}\\.Arn\\}/\\$\\{${jobId}\\.ModelArtifactsObjectKey\\}$`) },
        }, {
          // The nucleus's S3Downloader asks for the bucket's Region first, and a 403 there is final.
          Action: 's3:GetBucketLocation',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SageMakerNeoCompiledModels'), 'Arn'] },
        }],
      },
    });
  });

  test('the device role may decrypt with the job\'s key, where the job has one', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const job = new CompilationJob(stack, 'Job', { ...JOB, encryptionKey: key });
    const deviceRole = new iam.Role(stack, 'TokenExchangeRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
    new EdgeModelComponent(stack, 'Component', { compilationJob: job, componentName: 'com.example.M', deviceRole });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^TokenExchangeRole') }] },
    })).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st) => st.Action)).toEqual(['kms:Decrypt', 's3:GetObject', 's3:GetBucketLocation']);
  });

  test('the component waits for the compilation (it references the artifact)', () => {
    const { template, jobId } = setup();
    const [component] = Object.values(template.findResources(COMPONENT_VERSION_RESOURCE_TYPE));
    expect(JSON.stringify(component.Properties.Spec)).toContain(`{"Fn::GetAtt":["${jobId}","ModelArtifactsS3Uri"]}`);
  });

  test.each<[string, Partial<EdgeModelComponentProps>, string]>([
    ['componentVersion is semantic', { componentVersion: '1.0' }, "componentVersion: must be a semantic version major.minor.patch, e.g. '1.0.0' (got '1.0')"],
    ['componentName characters', { componentName: 'com example' }, "componentName: must be 1 to 128 letters, digits, '.', '_' or '-' (got 'com example')"],
    ['an os the nucleus never reports, with the value it does', { platform: { os: 'Linux' } },
      "platform.os: the nucleus reports os as one of linux, windows, darwin (lower case, compared exactly), never 'Linux': write 'linux'"],
    ['x86_64 is amd64 to the nucleus', { platform: { os: 'linux', architecture: 'x86_64' } },
      "platform.architecture: the nucleus reports architecture as one of amd64, aarch64, arm, x86 (lower case, compared exactly), never 'x86_64': write 'amd64'"],
    ['arm64 is aarch64 to the nucleus', { platform: { os: 'linux', architecture: 'arm64' } }, "never 'arm64': write 'aarch64'"],
    ['ARM is arm to the nucleus', { platform: { os: 'linux', architecture: 'ARM' } }, "never 'ARM': write 'arm'"],
    ['an architecture with no known name', { platform: { os: 'linux', architecture: 'riscv64' } }, "never 'riscv64'"],
    ["'*' matches no device", { platform: { os: 'linux', architecture: '*' } },
      "platform.architecture: '*' is no wildcard to the Greengrass nucleus, it matches no device (PlatformHelper.testField): leave the key out, or write 'all'"],
    ["'*' as a custom attribute", { platform: { os: 'linux', attributes: { 'com.example.board': '*' } } }, "platform.attributes.com.example.board: '*' is no wildcard to the Greengrass nucleus, it matches no device (PlatformHelper.testField): write '//' (any value)"],
    ['a value that starts with neither a letter nor a digit', { platform: { os: 'linux', attributes: { 'com.example.board': '-x' } } },
      "platform.attributes.com.example.board: '-x' starts with neither a letter nor a digit, so the nucleus never matches it"],
    ['a regular expression that matches no reported architecture', { platform: { os: 'linux', architecture: '/arm64|x86_64/' } },
      'platform.architecture: the regular expression /arm64|x86_64/ matches none of the values the nucleus reports for architecture (amd64, aarch64, arm, x86)'],
    ['componentName length (Greengrass: 128)', { componentName: `com.${'m'.repeat(125)}` }, 'componentName: must be 1 to 128 letters'],
    ['componentVersion length (Greengrass: 64)', { componentVersion: `1.0.0-${'r'.repeat(59)}` }, "componentVersion: must be at most 64 characters, Greengrass's limit (got 65)"],
    ['a custom attribute named like a field', { platform: { os: 'linux', attributes: { architecture: 'arm' } } },
      "platform.attributes: 'architecture' is a field of its own, not an attribute"],
    ['neither a job nor models', { compilationJob: undefined }, 'models: give compilationJob or at least one of models'],
  ])('validation: %s', (_, props, message) => {
    expect(() => setup({}, props)).toThrow(message);
  });

  test('validation: a regular expression that does not compile', () => {
    expect(() => setup({}, { platform: { os: 'linux', attributes: { 'com.example.board': '/[/' } } }))
      .toThrow('platform.attributes.com.example.board: the regular expression /[/ does not compile');
  });

  test('validation: artifacts only from S3 in the component\'s Region', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Elsewhere', { bucketName: 'models-eu', region: 'eu-west-1' });
    const job = new CompilationJob(stack, 'Job', { ...JOB, outputBucket: bucket });
    expect(() => new EdgeModelComponent(stack, 'Component', { compilationJob: job, componentName: 'com.example.M' }))
      .toThrow("compilationJob: job 'TestStack/Job' (rasp3b) writes to a bucket in eu-west-1, but Greengrass downloads artifacts only from S3 in the component's Region (us-east-1)");
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const { stack } = setup();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('EdgeModelComponent: a mixed fleet in one component', () => {
  test('one manifest per job, each with its own artifact and install step', () => {
    const { stack, jobs } = fleet(MIXED_FLEET);
    const recipe = recipeOf(Template.fromStack(stack));
    expect(recipe.ComponentDescription).toBe('SageMaker Neo model compiled for rasp4b, jetson_xavier, a custom platform');
    expect(recipe.Manifests.map((m: any) => m.Platform)).toEqual([
      { os: 'linux', architecture: 'arm' },
      { os: 'linux', architecture: 'aarch64' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    expect(recipe.Manifests.map((m: any) => m.Artifacts)).toEqual(jobs.map((job) =>
      [{ Uri: `\${GetAtt:${logicalIdOf(stack, job)}.ModelArtifactsS3Uri}`, Unarchive: 'NONE' }]));
    for (const m of recipe.Manifests) expect(m.Lifecycle.Install.Script).toBe(posixInstall(m.Artifacts[0].Uri));
  });

  test('manifests are ordered most specific first (more attributes before fewer), otherwise as given', () => {
    const { stack } = fleet([
      { id: 'AnyArm', target: CompilationTarget.device(TargetDevice.RASP3B), platform: { os: 'linux', architecture: '/arm|aarch64/' }, fallback: true },
      { id: 'Gateway', target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }) },
      { id: 'Xavier', target: CompilationTarget.device(TargetDevice.JETSON_XAVIER), platform: EdgePlatform.forTargetDevice(TargetDevice.JETSON_XAVIER) },
      { id: 'Nano', target: CompilationTarget.device(TargetDevice.JETSON_NANO), platform: EdgePlatform.forTargetDevice(TargetDevice.JETSON_NANO) },
    ]);
    const recipe = recipeOf(Template.fromStack(stack));
    expect(recipe.Manifests.map((m: any) => m.Platform['sagemaker-neo.targetDevice'] ?? m.Platform.architecture))
      .toEqual(['jetson_xavier', 'jetson_nano', '/arm|aarch64/', 'amd64']);
  });

  test('two models of one os and architecture: the error names both jobs and says how to tell them apart', () => {
    expect(() => fleet([
      { id: 'Nano', target: CompilationTarget.device(TargetDevice.JETSON_NANO) },
      { id: 'Xavier', target: CompilationTarget.device(TargetDevice.JETSON_XAVIER) },
    ])).toThrow("models: job 'TestStack/Nano' (jetson_nano) [os=linux, architecture=aarch64] and job 'TestStack/Xavier' (jetson_xavier) "
      + '[os=linux, architecture=aarch64] match the same devices: a device installs the first manifest it matches, so devices meant for '
      + "job 'TestStack/Xavier' (jetson_xavier) would run job 'TestStack/Nano' (jetson_nano)'s model. Tell them apart with a custom attribute on each "
      + "(EdgePlatform.forTargetDevice, set in the nucleus's platformOverride when the devices are provisioned)");
  });

  test('no implicit catch-all: a Xavier told apart by an attribute, and a Nano without one', () => {
    // The Nano's manifest would serve every aarch64 device without the attribute: a Xavier not yet
    // provisioned with it, a Raspberry Pi 4 on 64-bit OS, a Graviton gateway.
    expect(() => fleet([
      { id: 'Xavier', target: CompilationTarget.device(TargetDevice.JETSON_XAVIER), platform: EdgePlatform.forTargetDevice(TargetDevice.JETSON_XAVIER) },
      { id: 'Nano', target: CompilationTarget.device(TargetDevice.JETSON_NANO) },
    ])).toThrow("models: job 'TestStack/Nano' (jetson_nano) [os=linux, architecture=aarch64] is a catch-all: besides its own devices, every device that "
      + "matches it but not job 'TestStack/Xavier' (jetson_xavier) [os=linux, architecture=aarch64, sagemaker-neo.targetDevice=jetson_xavier] installs its model");
  });

  test.each<[string, object, object]>([
    ['a wider manifest first (a regular expression that covers the exact value after it)', { os: 'linux', architecture: '/arm|aarch64/' }, { os: 'linux', architecture: 'aarch64' }],
    ['two custom attributes a device may both have', { os: 'linux', attributes: { 'com.example.a': '1' } }, { os: 'linux', attributes: { 'com.example.b': '2' } }],
    ["'all' architectures next to one", { os: 'linux', architecture: 'all', attributes: { 'com.example.a': '1' } }, { os: 'linux', architecture: 'arm', attributes: { 'com.example.b': '1' } }],
    ["'any' architecture next to a Jetson's", { os: 'linux', architecture: 'any' }, { os: 'linux', architecture: 'aarch64' }],
    ["'any' os next to Linux", { os: 'any', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }],
    ["'//' (any value) next to an exact one", { 'os': 'linux', 'architecture': 'aarch64', 'com.example.board': '//' }, { 'os': 'linux', 'architecture': 'aarch64', 'com.example.board': 'nano' }],
    ['a case-insensitive Java regular expression ((?i)) that covers the other', { os: '/(?i)LINUX/', architecture: 'arm' }, { os: 'linux', architecture: 'arm' }],
  ])('conflict: %s', (_, first, second) => {
    const platform = (p: any) => ({ os: p.os, architecture: p.architecture, attributes: p.attributes ?? (p['com.example.board'] ? { 'com.example.board': p['com.example.board'] } : undefined) });
    expect(() => fleet([
      { id: 'First', target: CompilationTarget.device(TargetDevice.RASP3B), platform: platform(first) },
      { id: 'Second', target: CompilationTarget.device(TargetDevice.JETSON_NANO), platform: platform(second) },
    ])).toThrow(/job 'TestStack\/(First|Second)' .* (match the same devices|is a catch-all)/);
  });

  test.each<[string, object, object]>([
    ['a board-specific model and the aarch64 fallback the user asked for', { os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'aarch64', attributes: { 'com.example.board': 'xavier' } }],
    ['a board-specific model and a regular expression fallback', { os: 'linux', architecture: '/arm|aarch64/' }, { os: 'linux', architecture: 'aarch64', attributes: { 'com.example.board': 'x' } }],
  ])('no conflict with fallback: true: %s', (_, wide, narrow) => {
    expect(() => fleet([
      { id: 'Wide', target: CompilationTarget.device(TargetDevice.RASP3B), platform: wide as any, fallback: true },
      { id: 'Narrow', target: CompilationTarget.device(TargetDevice.JETSON_NANO), platform: narrow as any },
    ])).not.toThrow();
  });

  test('a fallback given first, with as many keys as the narrower one: ordered after it', () => {
    const { stack } = fleet([
      { id: 'AnyArm', target: CompilationTarget.device(TargetDevice.RASP3B), platform: { os: 'linux', architecture: '/arm|aarch64/' }, fallback: true },
      { id: 'Nano', target: CompilationTarget.device(TargetDevice.JETSON_NANO), platform: { os: 'linux', architecture: 'aarch64' } },
    ]);
    expect(recipeOf(Template.fromStack(stack)).Manifests.map((m: any) => m.Platform.architecture)).toEqual(['aarch64', '/arm|aarch64/']);
  });

  test('fallback does not excuse two manifests of the same platform', () => {
    expect(() => fleet([
      { id: 'Nano', target: CompilationTarget.device(TargetDevice.JETSON_NANO), fallback: true },
      { id: 'Xavier', target: CompilationTarget.device(TargetDevice.JETSON_XAVIER), fallback: true },
    ])).toThrow('match the same devices');
  });

  test.each<[string, object, object]>([
    ['different values of one attribute', { os: 'linux', attributes: { 'com.example.board': 'a' } }, { os: 'linux', attributes: { 'com.example.board': 'b' } }],
    ['regular expressions that share no reported architecture', { os: 'linux', architecture: '/arm|x86/' }, { os: 'linux', architecture: '/aarch64|amd64/' }],
    ['a case-insensitive Java regular expression ((?i)) and an exact value it does not match', { os: '/(?i)LINUX/', architecture: 'arm' }, { os: 'windows' }],
    ['one Neo target device attribute per Jetson', EdgePlatform.forTargetDevice(TargetDevice.JETSON_NANO), EdgePlatform.forTargetDevice(TargetDevice.JETSON_XAVIER)],
  ])('no conflict: %s', (_, first, second) => {
    expect(() => fleet([
      { id: 'First', target: CompilationTarget.device(TargetDevice.RASP3B), platform: first as any },
      { id: 'Second', target: CompilationTarget.device(TargetDevice.JETSON_NANO), platform: second as any },
    ])).not.toThrow();
  });

  test('EdgePlatform.forTargetDevice: the derived os and architecture, and the target device attribute', () => {
    expect(EdgePlatform.forTargetDevice(TargetDevice.JETSON_NANO))
      .toEqual({ os: 'linux', architecture: 'aarch64', attributes: { 'sagemaker-neo.targetDevice': 'jetson_nano' } });
    expect(EdgePlatform.forTargetDevice(TargetDevice.RASP4B, 'aarch64'))
      .toEqual({ os: 'linux', architecture: 'aarch64', attributes: { 'sagemaker-neo.targetDevice': 'rasp4b' } });
    expect(() => EdgePlatform.forTargetDevice(TargetDevice.RASP4B)).toThrow("EdgePlatform.forTargetDevice(rasp4b): give the architecture: the Raspberry Pi 4 runs a 32-bit OS ('arm') or a 64-bit one ('aarch64')");
  });

  test('every missing platform is reported at once, with its index', () => {
    expect(() => fleet([
      { id: 'Pi', target: CompilationTarget.device(TargetDevice.RASP4B) },
      { id: 'Qcs', target: CompilationTarget.device(TargetDevice.QCS605) },
    ])).toThrow(/models\[0\]\.platform: required for job 'TestStack\/Pi'.*\n.*models\[1\]\.platform: required for job 'TestStack\/Qcs'/);
  });

  test('compilationJob and models together are refused', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'Job', JOB);
    expect(() => new EdgeModelComponent(stack, 'C', { compilationJob: job, models: [{ compilationJob: job }], componentName: 'a' }))
      .toThrow('compilationJob: give either compilationJob (one platform) or models (several), not both');
  });

  test('the device role may read exactly each job\'s artifact, nothing else', () => {
    const { stack, jobs } = fleet(MIXED_FLEET);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^TokenExchangeRole') }] },
    })).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(new Set(statements.map((st) => st.Action))).toEqual(new Set(['s3:GetObject', 's3:GetBucketLocation']));
    // `${<bucket>.Arn}/${<job>.ModelArtifactsObjectKey}`: the job's logical id.
    const resources = statements.filter((st) => st.Action === 's3:GetObject').flatMap((st) => [st.Resource].flat())
      .map((r: any) => /\/\$\{(\w+)\.ModelArtifactsObjectKey\}$/.exec(r['Fn::Sub'])![1]);
    expect(resources).toEqual(jobs.map((job) => logicalIdOf(stack, job)));
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const { stack } = fleet(MIXED_FLEET);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

test('cdk-nag: the mixed-fleet integ app (three jobs, one component, inference component, thing group deployment)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stack } = require('../integ/integ.greengrass-fleet') as { stack: Stack };
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))).toEqual([]);
});

describe('EdgeModelComponent: into an existing deployment', () => {
  function deploymentOf(stack: Stack, components?: greengrassv2.CfnDeploymentProps['components']) {
    return new greengrassv2.CfnDeployment(stack, 'Deployment', {
      targetArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/Fleet',
      components,
    });
  }

  function componentsOf(stack: Stack): any {
    const [deployment] = Object.values(Template.fromStack(stack).findResources('AWS::GreengrassV2::Deployment'));
    return deployment.Properties.Components;
  }

  const INFERENCE = { 'com.example.Inference': { componentVersion: '1.0.0' } };

  test('next to the components the deployment has, with the component version\'s attribute', () => {
    const { stack, component } = build();
    component.addToDeployment(deploymentOf(stack, INFERENCE), { configurationUpdate: { merge: '{"Threshold":0.5}' } });
    const [componentId] = Object.keys(Template.fromStack(stack).findResources(COMPONENT_VERSION_RESOURCE_TYPE));
    expect(componentsOf(stack)).toEqual({
      'com.example.Inference': { ComponentVersion: '1.0.0' },
      'com.example.TinyOnnx': { ComponentVersion: { 'Fn::GetAtt': [componentId, 'ComponentVersion'] }, ConfigurationUpdate: { Merge: '{"Threshold":0.5}' } },
    });
  });

  test('into a deployment without components', () => {
    const { stack, component } = build();
    component.addToDeployment(deploymentOf(stack));
    expect(Object.keys(componentsOf(stack))).toEqual(['com.example.TinyOnnx']);
  });

  test('into a deployment whose components are a token', () => {
    const { stack, component } = build();
    component.addToDeployment(deploymentOf(stack, Lazy.any({ produce: () => ({ 'com.example.Inference': { componentVersion: '2.0.0' } }) })),
      { configurationUpdate: { reset: ['/Threshold'] } });
    const [componentId] = Object.keys(Template.fromStack(stack).findResources(COMPONENT_VERSION_RESOURCE_TYPE));
    expect(componentsOf(stack)).toEqual({
      'com.example.Inference': { ComponentVersion: '2.0.0' },
      'com.example.TinyOnnx': { ComponentVersion: { 'Fn::GetAtt': [componentId, 'ComponentVersion'] }, ConfigurationUpdate: { Reset: ['/Threshold'] } },
    });
  });

  test('into an Fn::If: both branches keep the user\'s components and get ours (CloudFormation casing, as the branches are)', () => {
    const { stack, component } = build();
    const canary = new CfnCondition(stack, 'Canary', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
    const later = new CfnCondition(stack, 'Later', { expression: Fn.conditionEquals(Aws.ACCOUNT_ID, '123456789012') });
    component.addToDeployment(deploymentOf(stack, Fn.conditionIf(canary.logicalId,
      { 'com.example.Inference': { ComponentVersion: '2.0.0' } },
      Fn.conditionIf(later.logicalId, { 'com.example.Inference': { ComponentVersion: '1.0.0' } }, Aws.NO_VALUE))), { configurationUpdate: { merge: '{"a":1}' } });
    const [componentId] = Object.keys(Template.fromStack(stack).findResources(COMPONENT_VERSION_RESOURCE_TYPE));
    const ours = { ComponentVersion: { 'Fn::GetAtt': [componentId, 'ComponentVersion'] }, ConfigurationUpdate: { Merge: '{"a":1}' } };
    expect(componentsOf(stack)).toEqual({
      'Fn::If': ['Canary',
        { 'com.example.Inference': { ComponentVersion: '2.0.0' }, 'com.example.TinyOnnx': ours },
        { 'Fn::If': ['Later', { 'com.example.Inference': { ComponentVersion: '1.0.0' }, 'com.example.TinyOnnx': ours }, { 'com.example.TinyOnnx': ours }] }],
    });
  });

  test('two model components into one deployment whose components are a token: both added, nothing lost', () => {
    const { stack, component } = build();
    const other = new EdgeModelComponent(stack, 'Other', {
      compilationJob: new CompilationJob(stack, 'OtherJob', { ...JOB, target: CompilationTarget.device(TargetDevice.JETSON_NANO) }),
      componentName: 'com.example.Other',
    });
    const deployment = deploymentOf(stack, Lazy.any({ produce: () => ({ 'com.example.Inference': { componentVersion: '2.0.0' } }) }));
    component.addToDeployment(deployment);
    other.addToDeployment(deployment);
    expect(Object.keys(componentsOf(stack)).sort()).toEqual(['com.example.Inference', 'com.example.Other', 'com.example.TinyOnnx']);
  });

  test('a Lazy that already names our component is refused, not overwritten', () => {
    const { stack, component } = build();
    component.addToDeployment(deploymentOf(stack, Lazy.any({ produce: () => ({ 'com.example.TinyOnnx': { componentVersion: '0.9.0' } }) })));
    expect(() => Template.fromStack(stack))
      .toThrow("Cannot add component 'com.example.TinyOnnx' (TestStack/Component) to deployment TestStack/Deployment: its components already have an entry of that name");
  });

  test('an Fn::If branch that already names our component is refused', () => {
    const { stack, component } = build();
    const canary = new CfnCondition(stack, 'Canary', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
    component.addToDeployment(deploymentOf(stack, Fn.conditionIf(canary.logicalId, {}, { 'com.example.TinyOnnx': { ComponentVersion: '0.9.0' } })));
    expect(() => Template.fromStack(stack)).toThrow('its components already have an entry of that name');
  });

  test('components known only at deploy time (an import) are refused with what to do', () => {
    const { stack, component } = build();
    component.addToDeployment(deploymentOf(stack, Fn.importValue('FleetComponents') as any));
    expect(() => Template.fromStack(stack)).toThrow("Cannot add component 'com.example.TinyOnnx' (TestStack/Component) to deployment TestStack/Deployment: "
      + 'its components are Fn::ImportValue, known only at deploy time, so the entry cannot be added without replacing them');
  });

  test('the deployment waits for the device role\'s policy (devices download as soon as it exists)', () => {
    const { stack, component } = build();
    component.addToDeployment(deploymentOf(stack, INFERENCE));
    const template = Template.fromStack(stack);
    const [policyId] = Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^TokenExchangeRole') }] } }));
    const [deployment] = Object.values(template.findResources('AWS::GreengrassV2::Deployment'));
    expect(deployment.DependsOn).toContain(policyId);
  });

  test('a name the deployment has already is refused', () => {
    const { stack, component } = build();
    expect(() => component.addToDeployment(deploymentOf(stack, { 'com.example.TinyOnnx': { componentVersion: '0.9.0' } })))
      .toThrow("Cannot add component 'com.example.TinyOnnx' (TestStack/Component) to deployment TestStack/Deployment: its components already have an entry of that name");
  });

  test('a component name known only at deploy time cannot key a deployment entry', () => {
    const { stack, component } = build({}, { componentName: Lazy.string({ produce: () => 'com.example.Later' }) });
    expect(() => component.addToDeployment(deploymentOf(stack)))
      .toThrow("Cannot make a deployment entry for TestStack/Component: its componentName is known only at deploy time, and a deployment's components are keyed by name");
  });

  test('the entry, for a deployment built by hand', () => {
    const { component } = build();
    expect(Object.keys(component.deploymentEntry())).toEqual(['com.example.TinyOnnx']);
    expect(component.deploymentEntry()['com.example.TinyOnnx'].componentVersion).toBe(component.componentVersion);
  });
});
