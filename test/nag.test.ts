import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CompilationJob, CompilationJobProps, CompilationTarget, EdgeModelComponent, ModelInput, TargetDevice } from '../src';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { CompilationJobProvider } from '../src/private/provider';

const BASE: CompilationJobProps = {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.ML_C5),
};

/** Every unacknowledged AwsSolutions finding in the stack, as `rule @ construct path`. */
function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`));
}

/** A VPC that passes cdk-nag itself (flow logs), so only the job's findings are left. */
function nagCleanVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  vpc.addFlowLog('FlowLog');
  return vpc;
}

describe('cdk-nag AwsSolutions: zero unacknowledged findings', () => {
  test('default job', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', BASE);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('KMS key', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('VPC', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, vpc: nagCleanVpc(stack) });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('own role', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    new CompilationJob(stack, 'Job', { ...BASE, role });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('model package input', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', {
      model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3'),
      target: BASE.target,
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('long path (timeout above 59 minutes): its state machine and roles', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, maxRuntime: Duration.hours(3) });
    new CompilationJob(stack, 'Other', { ...BASE, timeout: Duration.hours(2) });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('several jobs in one stack', () => {
    const stack = newStack();
    for (const device of [TargetDevice.ML_C5, TargetDevice.RASP4B, TargetDevice.JETSON_NANO]) {
      new CompilationJob(stack, `Job-${device.name}`, { ...BASE, target: CompilationTarget.device(device) });
    }
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a wildcard the library did not cause is still reported', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'Job', BASE);
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    reader.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    job.grantRead(reader);
    expect(nagFindings(stack).filter((f) => f.includes('/Reader/'))).not.toEqual([]);
  });

  test('other principals that may pass the job roles, granted before and after the first job', () => {
    const stack = newStack();
    const principal = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    const early = principal('Early');
    CompilationJobProvider.of(stack).grantPassJobRoles(early);
    new CompilationJob(stack, 'Job', BASE);
    CompilationJobProvider.of(stack).grantPassJobRoles(principal('Late'));
    expect(nagFindings(stack)).toEqual([]);
    // Both got the stack's role path (the early one when the first default role came).
    const passRole = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st) => st.Action === 'iam:PassRole');
    expect(passRole).toHaveLength(3);
    expect(new Set(passRole.map((st) => JSON.stringify(st.Resource))).size).toBe(1);
  });
});

/**
 * cdk-nag 3 as its README tells users to enable it: a plugin of the app's `Validations`, run by
 * `app.synth()`. It needs the construct tree on the validation context (`appConstruct`), which
 * aws-cdk-lib gives plugins from 2.258.0 on; on 2.257.0 cdk-nag fails with "NagPack requires a
 * construct tree on the validation context", whatever the app holds. `npx projen test:newest-cdk`
 * runs this on the newest aws-cdk-lib.
 */
const CDK_LIB_VERSION: string = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'package.json'), 'utf8')).version;
const validationsGiveTheTree = CDK_LIB_VERSION.split('.').map(Number)[1] >= 258;

(validationsGiveTheTree ? describe : describe.skip)(`cdk-nag through Validations.of(app).addPlugins (aws-cdk-lib ${CDK_LIB_VERSION})`, () => {
  /**
   * Synthesizes the app with the plugin. A failed validation throws `ValidationFailed` (aws-cdk-lib
   * 2.278) or prints the report and sets the exit code to 1 (earlier releases); either fails `cdk synth`.
   */
  function synthWithNag(build: (stack: Stack) => void): { failed: boolean; report: string } {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
    const app = new App({ outdir });
    build(new Stack(app, 'Stack', { env: { account: '123456789012', region: 'us-east-1' } }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const saved = process.exitCode;
    const printed: string[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((...args) => { printed.push(args.join(' ')); });
    try {
      app.synth();
      return { failed: process.exitCode === 1, report: printed.join('\n') };
    } catch (e) {
      return { failed: true, report: [...printed, (e as Error).message].join('\n') };
    } finally {
      process.exitCode = saved;
      error.mockRestore();
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  test.each([
    ['a one-hour job', (stack: Stack) => { new CompilationJob(stack, 'Job', BASE); }],
    ['a long-path job', (stack: Stack) => { new CompilationJob(stack, 'Job', { ...BASE, timeout: Duration.hours(3) }); }],
    ['an EdgeModelComponent', (stack: Stack) => {
      const job = new CompilationJob(stack, 'Job', { ...BASE, target: CompilationTarget.device(TargetDevice.RASP4B) });
      new EdgeModelComponent(stack, 'Component', { compilationJob: job, componentName: 'com.example.Model', platform: { os: 'linux', architecture: 'arm' } });
    }],
  ])('%s: the synth passes with no finding', (_name, build) => {
    const { failed, report } = synthWithNag(build);
    expect(report).not.toMatch(/AwsSolutions-|NagPack/);
    expect(failed).toBe(false);
  });

  test('a finding the library did not cause fails the synth (the check is on)', () => {
    const { failed, report } = synthWithNag((stack) => {
      new CompilationJob(stack, 'Job', BASE);
      new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() })
        .addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    });
    expect(report).toContain('AwsSolutions-IAM5');
    expect(report).not.toMatch(/SageMakerNeo|AwsSolutions-L1/);
    expect(failed).toBe(true);
  });
});

describe('acknowledgements: one metadata entry per construct', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-metadata-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  /** A stack of `jobs` jobs sharing one role, synthesized: its metadata file and the stack. */
  function sharedRoleFleet(jobs: number): { bytes: number; metadata: Record<string, { type: string }[]>; stack: Stack } {
    const app = new App({ outdir: fs.mkdtempSync(path.join(outdir, 'app-')) });
    const stack = new Stack(app, 'FleetStack', { env: { account: '123456789012', region: 'us-east-1' } });
    const role = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    for (let i = 0; i < jobs; i++) new CompilationJob(stack, `Job${i}`, { ...BASE, role });
    const file = path.join(app.synth().directory, 'FleetStack.metadata.json');
    return { bytes: fs.statSync(file).size, metadata: JSON.parse(fs.readFileSync(file, 'utf8')), stack };
  }

  test('a role shared by 10 or 100 jobs: one entry, and a metadata file linear in the jobs', () => {
    const ten = sharedRoleFleet(10);
    const hundred = sharedRoleFleet(100);
    for (const { metadata } of [ten, hundred]) {
      for (const entries of Object.values(metadata)) {
        expect(entries.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).length).toBeLessThanOrEqual(1);
      }
    }
    // Ten times the jobs, at most ten times the bytes (a fixed part and a part per job); a new
    // entry copying every earlier acknowledgement made it 6.8 MB at 100 jobs, quadratic.
    expect(hundred.bytes).toBeLessThanOrEqual(10 * ten.bytes);
    expect(nagFindings(ten.stack)).toEqual([]);
  });

  test('an acknowledgement of the user on the same construct is kept', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    // The user's entry comes first (Validations.acknowledge); the jobs add to it.
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM4', reason: 'The user\'s own reason.' });
    new CompilationJob(stack, 'A', { ...BASE, role });
    new CompilationJob(stack, 'B', { ...BASE, role });
    expect(nagFindings(stack)).toEqual([]);
    const entries = role.node.metadata.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0].data).filter((id) => id.includes('IAM5[Resource::'))).toHaveLength(2 + 1 + 1); // A's and B's log streams, output, '*'
    expect(Object.values(entries[0].data)).toContain('The user\'s own reason.');
  });
});
