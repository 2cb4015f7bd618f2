/**
 * The mistakes a newcomer makes in the first hour (issue 24), each caught at synth with a message
 * that names the property, says what is wrong and what to write instead.
 */
import { App, Annotations as CoreAnnotations, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CompilationJob, CompilationJobProps, CompilationTarget, DataInputConfig, EdgeModelComponent, Framework, ModelInput,
  TargetArch, TargetDevice, TargetOs,
} from '../src';
import { accepts, BASE, device, errorOf } from './job-props';
import { newStack, onlyJobSpec } from './util';

/** The warnings of a job built from BASE plus `props`, with their ids. */
function warningsOf(props: Partial<CompilationJobProps> | ((stack: Stack) => Partial<CompilationJobProps>)): string[] {
  const stack = newStack();
  new CompilationJob(stack, 'Job', { ...BASE, ...(typeof props === 'function' ? props(stack) : props) });
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => w.entry.data as string);
}

describe('a model in S3', () => {
  const bucket = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'B', 'my-bucket');

  test('an S3 URI given to fromBucket as the key names the fix', () => {
    expect(errorOf((stack) => ({ model: ModelInput.fromBucket(bucket(stack), 's3://my-bucket/models/m.tar.gz') })))
      .toContain("model: ModelInput.fromBucket takes the object key, not an S3 URI (got 's3://my-bucket/models/m.tar.gz'): " +
        "write ModelInput.fromBucket(bucket, 'models/m.tar.gz'), or ModelInput.fromS3Uri('s3://my-bucket/models/m.tar.gz')");
  });

  test('a key that starts with the bucket name names the key alone', () => {
    expect(errorOf((stack) => ({ model: ModelInput.fromBucket(bucket(stack), 'my-bucket/models/m.tar.gz') })))
      .toContain("model: the key starts with the bucket's name (got 'my-bucket/models/m.tar.gz'): write the key alone, 'models/m.tar.gz'");
  });

  test('a key with a leading slash', () => {
    expect(errorOf((stack) => ({ model: ModelInput.fromBucket(bucket(stack), '/models/m.tar.gz') })))
      .toContain("model: an S3 key does not start with '/' (got '/models/m.tar.gz'): write 'models/m.tar.gz'");
  });

  test('fromS3Uri sends the URI as InputConfig.S3Uri and grants the role exactly that object', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, model: ModelInput.fromS3Uri('s3://my-bucket/models/m.tar.gz') });
    expect(stack.resolve(onlyJobSpec(stack).request.InputConfig!.S3Uri)).toBe('s3://my-bucket/models/m.tar.gz');
    const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')).map((role) => JSON.stringify(role));
    expect(roles.filter((role) => role.includes(':s3:::my-bucket/models/m.tar.gz'))).toHaveLength(1);
  });

  test.each([
    ['not an S3 URI', 'https://my-bucket.s3.amazonaws.com/m.tar.gz', "model: must be an S3 URI s3://<bucket>/<key>.tar.gz (got 'https://my-bucket.s3.amazonaws.com/m.tar.gz')"],
    ['no key', 's3://my-bucket/', "model: must be an S3 URI s3://<bucket>/<key>.tar.gz (got 's3://my-bucket/')"],
    ['not a .tar.gz', 's3://my-bucket/m.zip', "model: must be a gzip-compressed tar archive whose name ends in '.tar.gz' (got 'm.zip')"],
  ])('fromS3Uri rejects %s', (_, uri, message) => {
    expect(errorOf({ model: ModelInput.fromS3Uri(uri) })).toContain(message);
  });

  test('an S3 URI given to fromAsset names fromS3Uri', () => {
    expect(errorOf({ model: ModelInput.fromAsset('s3://my-bucket/m.tar.gz') }))
      .toContain("model: 's3://my-bucket/m.tar.gz' is an S3 URI, not a local file: write ModelInput.fromS3Uri('s3://my-bucket/m.tar.gz')");
  });

  test('a local path that does not exist says where relative paths start', () => {
    expect(errorOf({ model: ModelInput.fromAsset('no/such/model.tar.gz') }))
      .toContain(`model: there is no file 'no/such/model.tar.gz' (relative paths start at ${process.cwd()})`);
  });
});

describe('the role', () => {
  test('a role SageMaker cannot assume is an error that names the trusted principal and the fix', () => {
    expect(errorOf((stack) => ({ role: new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) })))
      .toContain('role: SageMaker cannot assume this role: its trust policy allows sts:AssumeRole to {"Service":"lambda.amazonaws.com"}, ' +
        "not to sagemaker.amazonaws.com. Create it with assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com')");
  });

  test('a role SageMaker can assume among others is accepted', () => {
    accepts((stack) => ({
      role: new iam.Role(stack, 'R', { assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('sagemaker.amazonaws.com'), new iam.AccountRootPrincipal()) }),
    }));
  });

  test('an imported role gets a warning that says no grants reach an immutable one', () => {
    const warnings = warningsOf((stack) => ({ role: iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::210987654321:role/neo', { mutable: false }) }));
    expect(warnings).toEqual([expect.stringContaining('role: an imported role. The construct cannot read its trust policy')]);
    expect(warnings[0]).toContain('[ack: cdk-sagemaker-neo:imported-role]');
  });

  test('the imported-role warning can be acknowledged on the job', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'Job', { ...BASE, role: iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::210987654321:role/neo') });
    // After the constructor added it, as a user's app does.
    CoreAnnotations.of(job).acknowledgeWarning('cdk-sagemaker-neo:imported-role', 'the role is managed by the platform team');
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('framework versions Neo lists (neo-supported-cloud.html, neo-supported-devices-edge-frameworks.html)', () => {
  test('a version newer than the newest listed is a warning with the newest to write instead', () => {
    expect(warningsOf({ framework: Framework.PYTORCH, frameworkVersion: '9.9', dataInputConfig: undefined })).toEqual([
      expect.stringContaining("frameworkVersion: '9.9' is newer than the PYTORCH versions Neo lists for cloud instance (ml_*) targets " +
        "(1.4, 1.5, 1.6, 1.7, 1.8, 1.12, 1.13, 2.0, https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html); if Neo refuses it, write '2.0'"),
    ]);
  });

  test('a version the cloud table does not list is an error', () => {
    expect(errorOf({ framework: Framework.PYTORCH, frameworkVersion: '1.10' }))
      .toContain('frameworkVersion: Neo lists PYTORCH 1.4, 1.5, 1.6, 1.7, 1.8, 1.12, 1.13, 2.0 for cloud instance (ml_*) targets ' +
        "(https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html), not '1.10': write one of those versions");
  });

  test('edge tables say "or earlier": an older version is accepted, a newer one warns', () => {
    const edge = { framework: Framework.TENSORFLOW, target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64 }) };
    expect(warningsOf({ ...edge, frameworkVersion: '2.3' })).toEqual([]);
    expect(warningsOf({ ...edge, frameworkVersion: '2.11' })).toEqual([expect.stringContaining("if Neo refuses it, write '2.5'")]);
  });

  test('a listed version with a patch component is accepted (sent as major.minor)', () => {
    expect(warningsOf({ framework: Framework.PYTORCH, frameworkVersion: '1.13.1' })).toEqual([]);
  });

  test('the error for missing shapes states the PyTorch-without-version assumption', () => {
    expect(errorOf({ framework: Framework.PYTORCH, frameworkVersion: '1.13', dataInputConfig: undefined }))
      .toContain('a PYTORCH job without frameworkVersion counts as 2.0 or later): add DataInputConfig.fromShapes');
  });
});

describe('a model package in another Region', () => {
  const env = { account: '123456789012', region: 'eu-west-1' };
  const packageJob = { framework: undefined, dataInputConfig: undefined, model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3') };

  test('is an error naming both Regions when both are known', () => {
    const stack = new Stack(new App(), 'TestStack', { env });
    expect(() => new CompilationJob(stack, 'Job', { ...BASE, ...packageJob }))
      .toThrow('model: the model package is in us-east-1, the stack in eu-west-1: SageMaker compiles a model package of its own Region only');
  });

  test('is not judged in an environment-agnostic stack', () => {
    accepts(packageJob);
  });
});

describe('messages that used to confuse', () => {
  test('a flat shape list is one line that shows the named and the nested form', () => {
    const message = errorOf({ framework: Framework.PYTORCH, dataInputConfig: DataInputConfig.fromJson('[1, 3, 224, 224]') });
    const lines = message.split('\n').filter((line) => line.includes('dataInputConfig'));
    expect(lines).toEqual(['  - dataInputConfig: [1,3,224,224] is one shape, not a list of inputs: name the input, {"input0": [1,3,224,224]} ' +
      '(DataInputConfig.fromShapes({ input0: [1,3,224,224] })), or for PYTORCH list the shapes in input order, [[1,3,224,224]]']);
  });

  test('durations read in the unit written, seconds in brackets', () => {
    expect(errorOf({ timeout: Duration.hours(13) })).toContain('(got 13 hours (46800 seconds))');
    expect(errorOf({ maxRuntime: Duration.minutes(90), timeout: Duration.hours(1) }))
      .toContain('maxRuntime: (90 minutes (5400 seconds)) is longer than the deployment waits for the job (timeout: 1 hour (3600 seconds))');
  });

  test('a cloud target in an EdgeModelComponent says it is a cloud target', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'Job', BASE);
    expect(() => new EdgeModelComponent(stack, 'Component', { compilationJob: job, componentName: 'com.example.M' }))
      .toThrow("compilationJob: job 'TestStack/Job' compiles for ml_c5, a cloud instance target; compile for a device or platform for Greengrass");
  });
});

describe('end of life', () => {
  test.each([
    ['ml_eia2', { framework: Framework.TENSORFLOW, target: device(TargetDevice.ML_EIA2) }, 'Amazon Elastic Inference, which ended on 2024-04-15'],
    ['deeplens', { framework: Framework.MXNET, target: device(TargetDevice.DEEPLENS) }, 'AWS DeepLens reached its end of life on 2024-01-31'],
  ])('%s warns, with the end date', (_, props, text) => {
    expect(warningsOf(props as Partial<CompilationJobProps>)).toEqual([expect.stringMatching(new RegExp(`target: .*${text}.*\\[ack: cdk-sagemaker-neo:end-of-life\\]`))]);
  });
});

test('a trust statement for SageMaker added after the job is made counts: the role is judged at synth', () => {
  const stack = newStack();
  const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new CompilationJob(stack, 'Job', { ...BASE, role });
  role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
    actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal('sagemaker.amazonaws.com')],
  }));
  expect(() => (stack.node.root as App).synth()).not.toThrow();
});
