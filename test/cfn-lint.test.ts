/**
 * cfn-lint (from the machine's Python) on every template a user of this library deploys:
 * representative stacks built with the public API, and the committed integ snapshots.
 * Zero errors; warnings are listed on stderr. W3005 (a DependsOn next to a Ref/GetAtt that
 * already orders the resources) is ignored: aws-cdk-lib itself writes those DependsOn.
 *
 * Without cfn-lint on PATH this file is skipped with a notice, unless CI_TOOLS_REQUIRED=1: then
 * it fails.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnCondition, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { ciToolsRequired, findExecutable, notice, REQUIRED_HINT } from './ci-tools';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import {
  CompilationJob, CompilationTarget, CompilerOptions, DataInputConfig, EdgeModelComponent, Framework, ModelInput,
  TargetAccelerator, TargetArch, TargetDevice, TargetOs,
} from '../src';

const ROOT = path.join(__dirname, '..');
const IGNORED_CHECKS = ['W3005'];
/**
 * Lambda runtimes that Lambda's API model lists (botocore 1.43.107,
 * botocore/data/lambda/2015-03-31/service-2.json, shape `Runtime`) but that the cfn-lint on this
 * machine (1.51.0, the newest its Python can install) predates. The library's functions take the
 * newest Node.js runtime the user's aws-cdk-lib knows (src/private/node-runtime.ts): nodejs26.x on
 * aws-cdk-lib 2.278.0, which `npx projen test:newest-cdk` lints. cfn-lint's E3030 ("is not one of")
 * on a function's Runtime with one of these is stale data, not a template error.
 */
const RUNTIMES_NEWER_THAN_CFN_LINT = ['nodejs26.x'];
const CFN_LINT = findExecutable('cfn-lint');

if (!CFN_LINT) {
  if (ciToolsRequired()) throw new Error('cfn-lint is not on PATH, and CI_TOOLS_REQUIRED says it must be. Install it with `pip install cfn-lint`.');
  notice(`cfn-lint tests SKIPPED: cfn-lint is not on PATH. Install it with \`pip install cfn-lint\`; ${REQUIRED_HINT}.`);
}


/** The stacks to lint, by name: each a shape users deploy. */
const STACKS: Record<string, () => Stack> = {
  DefaultJob: () => {
    const stack = newStack('DefaultJob');
    new CompilationJob(stack, 'Resnet', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5) });
    return stack;
  },

  SecuredJob: () => {
    // Environment-agnostic, so the VPC's subnets use Fn::GetAZs: with an account and region but
    // no context lookup, CDK would write the placeholder AZs 'dummy1a'/'dummy1b' (W3010).
    const stack = new Stack(new App(), 'SecuredJob');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const models = new s3.Bucket(stack, 'Models', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    const output = new s3.Bucket(stack, 'Output', {
      encryption: s3.BucketEncryption.KMS, encryptionKey: key, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    const job = new CompilationJob(stack, 'Jetson', {
      model: ModelInput.fromBucket(models, 'resnet/model.tar.gz'),
      framework: Framework.PYTORCH,
      frameworkVersion: '2.0',
      dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
      target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64, accelerator: TargetAccelerator.NVIDIA }),
      compilerOptions: CompilerOptions.fromJson('{"gpu-code": "sm_72", "trt-ver": "8.4.1", "cuda-ver": "11.4"}'),
      outputBucket: output,
      outputPrefix: 'edge/jetson/',
      encryptionKey: key,
      vpc,
      maxRuntime: Duration.minutes(20),
      timeout: Duration.minutes(40),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(job).add('team', 'edge');
    return stack;
  },

  TwoJobs: () => {
    const stack = newStack('TwoJobs');
    const cloud = new CompilationJob(stack, 'Cloud', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5) });
    const edge = new CompilationJob(stack, 'Edge', {
      ...tinyOnnxModel(),
      target: CompilationTarget.device(TargetDevice.RASP4B),
      role: new iam.Role(stack, 'EdgeRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }),
    });
    // Downstream: hosting reads the attributes; a device fleet role reads the edge artifact.
    const hostingRole = new iam.Role(stack, 'HostingRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    cloud.grantRead(hostingRole);
    new sagemaker.CfnModel(stack, 'Model', {
      executionRoleArn: hostingRole.roleArn,
      primaryContainer: { image: cloud.inferenceImage, modelDataUrl: cloud.modelArtifactsS3Uri },
    });
    edge.grantRead(new iam.Role(stack, 'FleetRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') }));
    return stack;
  },

  LongCompilation: () => {
    const stack = newStack('LongCompilation');
    const job = new CompilationJob(stack, 'Inf2', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_INF2), maxRuntime: Duration.hours(4) });
    new CfnOutput(stack, 'Artifacts', { value: job.modelArtifactsS3Uri });
    return stack;
  },
  /** A deployment whose components are an Fn::If of the user's maps, joined by addToDeployment. */
  EdgeDeploymentFnIf: () => {
    const stack = newStack('EdgeDeploymentFnIf');
    const canary = new CfnCondition(stack, 'Canary', { expression: Fn.conditionEquals(new CfnParameter(stack, 'Stage').valueAsString, 'canary') });
    const component = new EdgeModelComponent(stack, 'Model', {
      compilationJob: new CompilationJob(stack, 'Pi', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.RASP3B) }),
      componentName: 'com.example.Model',
      deviceRole: new iam.Role(stack, 'DeviceRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') }),
    });
    const deployment = new greengrassv2.CfnDeployment(stack, 'Deployment', {
      targetArn: stack.formatArn({ service: 'iot', resource: 'thinggroup', resourceName: 'fleet' }),
      components: Fn.conditionIf(canary.logicalId,
        { 'com.example.Inference': { ComponentVersion: '2.0.0' } },
        { 'com.example.Inference': { ComponentVersion: '1.0.0' } }),
    });
    component.addToDeployment(deployment);
    return stack;
  },
  ModelPackageJob: () => {
    const stack = newStack('ModelPackageJob');
    new CompilationJob(stack, 'Registered', {
      model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3'),
      target: CompilationTarget.device(TargetDevice.ML_INF2),
    });
    return stack;
  },
};

interface Finding {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location: { readonly Path?: (string | number)[] };
  readonly Rule: { readonly Id: string };
}

function describeFinding(finding: Finding): string {
  const where = (finding.Location.Path ?? []).join('/');
  const file = path.resolve(ROOT, finding.Filename);
  const name = file.startsWith(ROOT + path.sep) ? path.relative(ROOT, file) : path.basename(file);
  return `${name} ${finding.Rule.Id} ${where}: ${finding.Message}`;
}

/** cfn-lint's findings on the given templates (one run for all of them). */
function cfnLint(templates: string[]): Finding[] {
  const run = spawnSync(CFN_LINT!, [
    '--format', 'json', '--regions', 'us-east-1', '--ignore-checks', ...IGNORED_CHECKS, '--', ...templates,
  ], { cwd: ROOT, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  try {
    return JSON.parse(run.stdout) as Finding[];
  } catch {
    throw new Error(`cfn-lint exited ${run.status} without a JSON report:\n${run.stdout}\n${run.stderr}`);
  }
}

function integSnapshots(): string[] {
  const integ = path.join(ROOT, 'integ');
  return fs.readdirSync(integ)
    .filter((dir) => dir.endsWith('.snapshot'))
    .flatMap((dir) => fs.readdirSync(path.join(integ, dir))
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => path.join(integ, dir, file)));
}

(CFN_LINT ? describe : describe.skip)('cfn-lint', () => {
  let dir: string;
  let findings: Finding[];
  let synthesized: Record<string, string>;
  let canary: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
    synthesized = Object.fromEntries(Object.entries(STACKS).map(([name, build]) => {
      const file = path.join(dir, `${name}.template.json`);
      fs.writeFileSync(file, JSON.stringify(Template.fromStack(build()).toJSON(), null, 1));
      return [name, file];
    }));
    // A template with a known error: proves the run really lints and the report is read.
    canary = path.join(dir, 'Canary.template.json');
    fs.writeFileSync(canary, JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { NoSuchProperty: 1 } } } }));
    findings = cfnLint([...Object.values(synthesized), ...integSnapshots(), canary]);
    const others = findings.filter((finding) => finding.Level !== 'Error');
    if (others.length > 0) notice(`cfn-lint warnings (not failures):\n${others.map(describeFinding).join('\n')}`);
  }, 180_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const runtimeNewerThanCfnLint = (finding: Finding) => finding.Rule.Id === 'E3030' &&
    (finding.Location.Path ?? []).slice(-2).join('/') === 'Properties/Runtime' &&
    RUNTIMES_NEWER_THAN_CFN_LINT.some((runtime) => finding.Message.startsWith(`'${runtime}' is not one of`));
  const errorsIn = (file: string) => findings
    .filter((finding) => finding.Level === 'Error' && path.resolve(ROOT, finding.Filename) === file)
    .filter((finding) => !runtimeNewerThanCfnLint(finding))
    .map(describeFinding);

  test.each(Object.keys(STACKS))('%s: no errors', (name) => {
    expect(errorsIn(synthesized[name])).toEqual([]);
  });

  test('EdgeDeploymentFnIf: the condition is used (no W8001) and each branch holds the user\'s component and ours', () => {
    const file = synthesized.EdgeDeploymentFnIf;
    expect(findings.filter((f) => path.resolve(ROOT, f.Filename) === file && f.Rule.Id === 'W8001').map(describeFinding)).toEqual([]);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const [, whenCanary, otherwise] = template.Resources.Deployment.Properties.Components['Fn::If'];
    for (const branch of [whenCanary, otherwise]) expect(Object.keys(branch).sort()).toEqual(['com.example.Inference', 'com.example.Model']);
  });

  test('every integ snapshot template: no errors', () => {
    const snapshots = integSnapshots();
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.flatMap(errorsIn)).toEqual([]);
  });

  test('the canary: a template with an unknown property is reported as an error', () => {
    expect(errorsIn(canary)).toEqual([expect.stringMatching(/ E3002 Resources\/Bucket\/Properties\/NoSuchProperty: /)]);
  });
});
