import * as fs from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CompilationJob, CompilationJobProps, CompilationTarget, CompilerOptions, DataInputConfig, Framework, ModelInput, TargetArch, TargetDevice, TargetOs } from '../src';
import { accepts, BASE, device, errorOf, rejectsEach } from './job-props';
import { newStack, onlyJobSpec } from './util';

const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3';

describe('model input', () => {
  rejectsEach([
    ['framework is required for S3 and asset models', { framework: undefined }, 'framework: is required when the model comes from S3 or an asset'],
    ['framework is excluded with a model package', { model: ModelInput.fromModelPackage(PACKAGE_ARN), dataInputConfig: undefined }, 'framework: must not be set with ModelInput.fromModelPackage'],
    ['frameworkVersion is excluded with a model package', { model: ModelInput.fromModelPackage(PACKAGE_ARN), framework: undefined, dataInputConfig: undefined, frameworkVersion: '2.0' }, 'frameworkVersion: must not be set with ModelInput.fromModelPackage'],
    ['dataInputConfig is excluded with a model package', { model: ModelInput.fromModelPackage(PACKAGE_ARN), framework: undefined }, 'dataInputConfig: must not be set with ModelInput.fromModelPackage'],
    ['a model package must be a versioned model package ARN', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model/resnet'), framework: undefined, dataInputConfig: undefined }, "model: must be a versioned model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/<name>/<version>), got 'arn:aws:sagemaker:us-east-1:123456789012:model/resnet'"],
    ['a local model must be a .tar.gz', { model: ModelInput.fromAsset(__filename) }, "model: must be a gzip-compressed tar archive whose name ends in '.tar.gz'"],
  ]);

  test('a local model over 5 GB (S3\'s limit for one CopyObject) is rejected at synth', () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), 'neo-large-'));
    const archive = path.join(dir, 'large.tar.gz');
    fs.writeFileSync(archive, '');
    fs.truncateSync(archive, 5 * 1024 ** 3 + 1); // sparse: no disk space used
    try {
      expect(errorOf({ model: ModelInput.fromAsset(archive) }))
        .toContain(`model: must be at most 5 GB to be copied in one request (S3 CopyObject); this archive has ${5 * 1024 ** 3 + 1} bytes: upload it to S3 yourself and use ModelInput.fromBucket`);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  test('an S3 model key must be a .tar.gz', () => {
    expect(errorOf((stack) => ({ model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'models'), 'resnet.zip') })))
      .toContain("model: must be a gzip-compressed tar archive whose name ends in '.tar.gz' (got 'resnet.zip')");
  });

  test('an S3 model URI must be at most 1024 characters', () => {
    const key = `${'k'.repeat(1010)}.tar.gz`;
    expect(errorOf((stack) => ({ model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'models'), key) })))
      .toContain('model: its S3 URI must be at most 1024 characters (got 1029)');
  });

  test('a pinned object version must be an S3 version ID', () => {
    expect(errorOf((stack) => ({ model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'models'), 'm.tar.gz', { objectVersion: 'not a version' }) })))
      .toContain("model: objectVersion must be an S3 version ID: 1 to 1024 printable characters without spaces (got 'not a version')");
  });

  test('a pinned object version that is an S3 version ID is accepted', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'models'), 'm.tar.gz', { objectVersion: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' }) });
    expect(onlyJobSpec(stack).inputCopy?.sourceVersion).toBe('3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY');
  });

  test('a model package accepts no InputConfig field and needs no framework', () => {
    accepts({ model: ModelInput.fromModelPackage(PACKAGE_ARN), framework: undefined, dataInputConfig: undefined });
  });
});

describe('framework and version', () => {
  rejectsEach([
    ['frameworkVersion only for MXNET, PYTORCH, TENSORFLOW, TFLITE', { frameworkVersion: '1.0' }, 'frameworkVersion: is only supported for MXNET, PYTORCH, TENSORFLOW, TFLITE (framework is ONNX)'],
    ['frameworkVersion at least 3 characters', { framework: Framework.PYTORCH, frameworkVersion: '2.' }, "frameworkVersion: must be 3 to 10 characters like '2.0' (pattern [0-9]\\.[A-Za-z0-9.]+), got '2.'"],
    ['frameworkVersion at most 10 characters', { framework: Framework.PYTORCH, frameworkVersion: '2.0.0.0.0.0' }, "got '2.0.0.0.0.0'"],
    ['frameworkVersion starts with a digit and a dot', { framework: Framework.TENSORFLOW, frameworkVersion: 'v2.11' }, "frameworkVersion: must be 3 to 10 characters like '2.0' (pattern [0-9]\\.[A-Za-z0-9.]+), got 'v2.11'"],
  ]);

  test('a valid version of a versioned framework is accepted', () => {
    accepts({ framework: Framework.TFLITE, frameworkVersion: '2.4' });
  });

  test.each(['coreml', 'imx8mplus', 'jacinto_tda4vm', 'sitara_am57x', 'amba_cv2', 'amba_cv22', 'amba_cv25'])(
    'Neo refuses a framework version for %s (the SDK never sends one; Neo\'s error text omits it)', (target) => {
      expect(errorOf({ framework: Framework.TENSORFLOW, frameworkVersion: '2.4', target: device(TargetDevice.of(target)) }))
        .toContain(`frameworkVersion: Neo takes no framework version for ${target} and refuses the job ("Unsupported framework version field for target"): remove frameworkVersion`);
    });

  const warningsOf = (props: Partial<CompilationJobProps>) => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, ...props });
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('frameworkVersion:')).map((w) => w.entry.data as string);
  };

  test('a framework version for lambda warns: the SDK sends none, Neo\'s error text lists it', () => {
    expect(warningsOf({ framework: Framework.PYTORCH, frameworkVersion: '1.6', target: device(TargetDevice.LAMBDA) })).toEqual([
      expect.stringContaining('frameworkVersion: the SageMaker Python SDK sends no framework version for lambda; if the deployment fails with "Unsupported framework version field for target", remove frameworkVersion'),
    ]);
  });

  test('an MXNET framework version warns off ml_inf1, the only target the SDK sends one for', () => {
    expect(warningsOf({ framework: Framework.MXNET, frameworkVersion: '1.8', target: device(TargetDevice.ML_C5) })).toEqual([
      expect.stringContaining('frameworkVersion: the SageMaker Python SDK sends an MXNET framework version only for ml_inf1 (target is ml_c5)'),
    ]);
    expect(warningsOf({ framework: Framework.MXNET, frameworkVersion: '1.8', target: device(TargetDevice.ML_INF1) })).toEqual([]);
  });

  test('PyTorch and TensorFlow versions on other devices and on platforms are taken as they are', () => {
    expect(warningsOf({ framework: Framework.PYTORCH, frameworkVersion: '1.6', target: device(TargetDevice.RASP3B) })).toEqual([]);
    accepts({ framework: Framework.TENSORFLOW, frameworkVersion: '2.4', target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64 }) });
  });

  test('a patch component is cut, as the SDK cuts it: 1.6.1 is sent as 1.6', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, framework: Framework.PYTORCH, frameworkVersion: '1.6.1' });
    expect(onlyJobSpec(stack).request.InputConfig!.FrameworkVersion).toBe('1.6');
  });

  test('Framework.of takes the SDK\'s lower-case names and sends the API value', () => {
    expect(Framework.of('pytorch').name).toBe('PYTORCH');
    expect(Framework.of('tflite').toString()).toBe('TFLITE');
    expect(() => Framework.of('py torch')).toThrow("Framework.of(): 'PY TORCH' is not a valid Framework value");
  });
});

describe('target', () => {
  test('a target the docs tie to one region warns outside it', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-west-2' } });
    new CompilationJob(stack, 'Job', { ...BASE, target: device(TargetDevice.ML_TRN1) });
    Annotations.fromStack(stack).hasWarning('/S/Job', Match.stringLikeRegexp('target: ml_trn1 is documented for us-east-1 only; this stack is in us-west-2'));
  });

  test('... and not inside it, nor when the region is unknown', () => {
    const inRegion = new Stack(new App(), 'S', { env: { region: 'us-east-2' } });
    new CompilationJob(inRegion, 'Job', { ...BASE, target: device(TargetDevice.ML_INF2) });
    expect(Annotations.fromStack(inRegion).findWarning('*', Match.stringLikeRegexp('documented for'))).toEqual([]);
    const agnostic = new Stack(new App(), 'A');
    new CompilationJob(agnostic, 'Job', { ...BASE, target: device(TargetDevice.ML_INF2) });
    expect(Annotations.fromStack(agnostic).findWarning('*', Match.stringLikeRegexp('documented for'))).toEqual([]);
  });
});

describe('durations', () => {
  rejectsEach([
    ['maxRuntime at least 1 second', { maxRuntime: Duration.millis(500) }, 'maxRuntime: must be a whole number of seconds, at least 1 (got 500 milliseconds (0.5 seconds))'],
    ['timeout at most 11 hours 59 minutes', { timeout: Duration.hours(12) }, 'timeout: must be from 1 minute to 11 hours 59 minutes, the longest CloudFormation can wait (got 12 hours (43200 seconds))'],
    ['timeout at least 1 minute', { maxRuntime: Duration.seconds(10), timeout: Duration.seconds(30) }, 'timeout: must be from 1 minute to 11 hours 59 minutes'],
    ['maxRuntime within timeout', { maxRuntime: Duration.minutes(30), timeout: Duration.minutes(20) }, 'maxRuntime: (30 minutes (1800 seconds)) is longer than the deployment waits for the job (timeout: 20 minutes (1200 seconds)). Lower maxRuntime, or raise timeout (at most 11 hours 59 minutes)'],
  ]);
});

describe('output location', () => {
  test('outputPrefix is relative', () => {
    expect(errorOf({ outputPrefix: '/compiled/' })).toContain("outputPrefix: must not start with '/' (got '/compiled/')");
  });

  test('s3://<bucket>/<prefix><job name> fits 1024 characters', () => {
    expect(errorOf((stack) => ({ outputBucket: s3.Bucket.fromBucketName(stack, 'Out', 'my-bucket'), outputPrefix: `${'p'.repeat(950)}/` })))
      .toContain("outputPrefix: must be at most 945 characters, so that s3://<bucket>/<prefix><job name> fits SageMaker's 1024 (got 951)");
  });
});

describe('VPC', () => {
  const isolatedVpc = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

  test('subnets and security groups need a vpc', () => {
    expect(errorOf((stack) => ({ securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678')] })))
      .toContain('vpcSubnets/securityGroups: need `vpc` to be set');
  });

  test('at most 5 security groups', () => {
    expect(errorOf((stack) => ({
      vpc: isolatedVpc(stack),
      securityGroups: [1, 2, 3, 4, 5, 6].map((i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `Sg${i}`, `sg-0000000${i}`)),
    }))).toContain('securityGroups: needs 1 to 5 security groups (got 6)');
  });

  test('at most 16 subnets', () => {
    expect(errorOf((stack) => ({
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
        vpcId: 'vpc-12345678',
        availabilityZones: ['us-east-1a'],
        isolatedSubnetIds: Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, '0')}`),
      }),
    }))).toContain('vpcSubnets: must select 1 to 16 subnets (selected 17)');
  });

  test('security group IDs are letters, digits and dashes', () => {
    expect(errorOf((stack) => ({ vpc: isolatedVpc(stack), securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg_bad!')] })))
      .toContain("vpcSubnets/securityGroups: IDs must be at most 32 characters of letters, digits and '-' (got 'sg_bad!')");
  });
});

describe('tags (checked at synthesis, after Tags.of)', () => {
  const tagged = (tags: Array<[string, string]>) => (stack: Stack) => {
    for (const [key, value] of tags) Tags.of(stack).add(key, value);
    return {};
  };

  test('at most 50 tags', () => {
    expect(errorOf(tagged(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'] as [string, string]))))
      .toContain('tags: at most 50 tags on a compilation job (got 51)');
  });

  test('keys are 1 to 128 allowed characters', () => {
    expect(errorOf(tagged([['team#1', 'ml']]))).toContain("tags: key 'team#1' must be 1 to 128 letters, digits, spaces or _.:/=+-@");
    expect(errorOf(tagged([['k'.repeat(129), 'ml']]))).toContain('must be 1 to 128 letters');
  });

  test('keys do not use the aws: prefix', () => {
    expect(errorOf(tagged([['aws:owner', 'me']]))).toContain("tags: key 'aws:owner' uses the reserved prefix 'aws:'");
  });

  test('values are at most 256 allowed characters', () => {
    expect(errorOf(tagged([['team', 'v'.repeat(257)]]))).toContain("tags: value of 'team' must be at most 256 letters, digits, spaces or _.:/=+-@");
  });

  test('unicode letters are allowed', () => {
    accepts(tagged([['équipe', 'vision par ordinateur']]));
  });
});

describe('tokens are skipped, never rejected', () => {
  test('unresolved framework version, prefix, durations and model key', () => {
    accepts((stack) => {
      const text = (name: string) => new CfnParameter(stack, name).valueAsString;
      const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
      return {
        framework: Framework.PYTORCH,
        frameworkVersion: text('Version'),
        outputPrefix: text('Prefix'),
        maxRuntime: Duration.seconds(seconds),
        timeout: Duration.minutes(30),
        model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'In', text('Bucket')), text('Key')),
        dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, seconds, 224] }),
      };
    });
  });
});

describe('removalPolicy', () => {
  test('SNAPSHOT is rejected: a job has nothing to snapshot', () => {
    expect(errorOf({ removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toContain('removalPolicy: SNAPSHOT does not apply: a compilation job has no data to snapshot (use DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE)');
  });
});

describe('maxRetries', () => {
  rejectsEach([
    ['a whole number', { maxRetries: 1.5 }, 'maxRetries: must be a whole number from 0 (no retries) to 5 (got 1.5)'],
    ['not negative', { maxRetries: -1 }, 'maxRetries: must be a whole number from 0 (no retries) to 5 (got -1)'],
    ['at most 5', { maxRetries: 6 }, 'maxRetries: must be a whole number from 0 (no retries) to 5 (got 6)'],
  ]);

  test('the default (2) is left out of the Spec, so templates that keep it do not change; 0 and other numbers are written', () => {
    const specWith = (maxRetries?: number) => {
      const stack = newStack();
      new CompilationJob(stack, 'Job', { ...BASE, maxRetries });
      return onlyJobSpec(stack);
    };
    expect(specWith().maxRetries).toBeUndefined();
    expect(specWith(2).maxRetries).toBeUndefined();
    expect(specWith(0).maxRetries).toBe(0);
    expect(specWith(5).maxRetries).toBe(5);
  });
});

describe('every problem in one error', () => {
  test('the error names the construct path, so an app with many jobs shows which one is wrong', () => {
    const stack = new Stack(new App(), 'MyStack');
    expect(() => new CompilationJob(stack, 'Detector', { ...BASE, framework: undefined }))
      .toThrow(/^Invalid CompilationJob props at MyStack\/Detector:\n {2}- framework: is required/);
  });

  test('each line names its property', () => {
    const message = errorOf({ framework: undefined, frameworkVersion: 'v1', outputPrefix: '/x', timeout: Duration.hours(13), compilerOptions: CompilerOptions.fromJson('{') });
    const lines = message.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines.map((line) => line.slice(4).split(':')[0])).toEqual(['framework', 'frameworkVersion', 'compilerOptions', 'compilerOptions', 'timeout', 'outputPrefix']);
  });
});
