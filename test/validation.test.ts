import * as fs from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CompilationJob, CompilationJobProps, CompilationTarget, CompilerOptions, CoreMlInputType, DataInputConfig, Framework,
  InputDataType, ModelInput, TargetAccelerator, TargetArch, TargetDevice, TargetOs,
} from '../src';
import { MODEL_ARCHIVE, newStack } from './util';

const SHAPES = DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] });
const BASE: CompilationJobProps = {
  model: ModelInput.fromAsset(MODEL_ARCHIVE),
  framework: Framework.ONNX,
  dataInputConfig: SHAPES,
  target: CompilationTarget.device(TargetDevice.ML_C5),
};
const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3';
const device = (d: TargetDevice) => CompilationTarget.device(d);
const platform = (os: TargetOs, arch: TargetArch, accelerator?: TargetAccelerator) => CompilationTarget.platform({ os, arch, accelerator });

/** The synth-time error of a job built from BASE plus `props` (fails the test if there is none). */
function errorOf(props: Partial<CompilationJobProps> | ((stack: Stack) => Partial<CompilationJobProps>)): string {
  const stack = newStack();
  try {
    new CompilationJob(stack, 'Job', { ...BASE, ...(typeof props === 'function' ? props(stack) : props) });
    (stack.node.root as App).synth(); // tag rules run at synthesis, after Tags.of
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

function accepts(props: Partial<CompilationJobProps> | ((stack: Stack) => Partial<CompilationJobProps>)): void {
  const stack = newStack();
  new CompilationJob(stack, 'Job', { ...BASE, ...(typeof props === 'function' ? props(stack) : props) });
  expect(() => (stack.node.root as App).synth()).not.toThrow();
}

describe('model input', () => {
  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['framework is required for S3 and asset models', { framework: undefined }, 'framework: is required when the model comes from S3 or an asset'],
    ['framework is excluded with a model package', { model: ModelInput.fromModelPackage(PACKAGE_ARN), dataInputConfig: undefined }, 'framework: must not be set with ModelInput.fromModelPackage'],
    ['frameworkVersion is excluded with a model package', { model: ModelInput.fromModelPackage(PACKAGE_ARN), framework: undefined, dataInputConfig: undefined, frameworkVersion: '2.0' }, 'frameworkVersion: must not be set with ModelInput.fromModelPackage'],
    ['dataInputConfig is excluded with a model package', { model: ModelInput.fromModelPackage(PACKAGE_ARN), framework: undefined }, 'dataInputConfig: must not be set with ModelInput.fromModelPackage'],
    ['a model package must be a versioned model package ARN', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model/resnet'), framework: undefined, dataInputConfig: undefined }, "model: must be a versioned model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/<name>/<version>), got 'arn:aws:sagemaker:us-east-1:123456789012:model/resnet'"],
    ['a local model must be a .tar.gz', { model: ModelInput.fromAsset(__filename) }, "model: must be a gzip-compressed tar archive whose name ends in '.tar.gz'"],
  ])('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

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

  test('a model package accepts no InputConfig field and needs no framework', () => {
    accepts({ model: ModelInput.fromModelPackage(PACKAGE_ARN), framework: undefined, dataInputConfig: undefined });
  });
});

describe('framework and version', () => {
  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['frameworkVersion only for MXNET, PYTORCH, TENSORFLOW, TFLITE', { frameworkVersion: '1.0' }, 'frameworkVersion: is only supported for MXNET, PYTORCH, TENSORFLOW, TFLITE (framework is ONNX)'],
    ['frameworkVersion at least 3 characters', { framework: Framework.PYTORCH, frameworkVersion: '2.' }, "frameworkVersion: must be 3 to 10 characters like '2.0' (pattern [0-9]\\.[A-Za-z0-9.]+), got '2.'"],
    ['frameworkVersion at most 10 characters', { framework: Framework.PYTORCH, frameworkVersion: '2.0.0.0.0.0' }, "got '2.0.0.0.0.0'"],
    ['frameworkVersion starts with a digit and a dot', { framework: Framework.TENSORFLOW, frameworkVersion: 'v2.11' }, "frameworkVersion: must be 3 to 10 characters like '2.0' (pattern [0-9]\\.[A-Za-z0-9.]+), got 'v2.11'"],
  ])('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test('a valid version of a versioned framework is accepted', () => {
    accepts({ framework: Framework.TFLITE, frameworkVersion: '2.4' });
  });
});

describe('dataInputConfig', () => {
  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['required for ONNX', { dataInputConfig: undefined }, 'dataInputConfig: is required for ONNX models'],
    ['required for PyTorch before 2.0 on ml_*', { framework: Framework.PYTORCH, frameworkVersion: '1.13', dataInputConfig: undefined }, 'dataInputConfig: is required for PYTORCH models'],
    ['required for PyTorch 2.0 on edge targets', { framework: Framework.PYTORCH, frameworkVersion: '2.0', target: device(TargetDevice.RASP4B), dataInputConfig: undefined }, 'dataInputConfig: is required for PYTORCH models'],
    ['at most 16384 characters', { dataInputConfig: DataInputConfig.fromJson(`{"x": "${'a'.repeat(16400)}"}`) }, 'dataInputConfig: must be 1 to 16384 characters of JSON (got 16409)'],
    ['fromShapes needs an input', { dataInputConfig: DataInputConfig.fromShapes({}) }, 'dataInputConfig: fromShapes needs at least one input'],
    ['shapes are positive', { dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 0, 224] }) }, "dataInputConfig: input 'input0': dimensions must be positive integers (got [1,3,0,224])"],
    ['shapes are integers', { dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 22.5, 224] }) }, 'dimensions must be positive integers (got [1,3,22.5,224])'],
    ['a shape has a dimension', { dataInputConfig: DataInputConfig.fromShapes({ input0: [] }) }, "dataInputConfig: input 'input0': a shape needs at least one dimension"],
    ['the list form is PyTorch only', { dataInputConfig: DataInputConfig.fromShapeList([[1, 3, 224, 224]]) }, 'dataInputConfig: the list form (fromShapeList) is for PYTORCH only (framework is ONNX)'],
    ['the list form needs a shape', { framework: Framework.PYTORCH, dataInputConfig: DataInputConfig.fromShapeList([]) }, 'dataInputConfig: fromShapeList needs at least one shape'],
    ['raw JSON must parse', { dataInputConfig: DataInputConfig.fromJson("{'input0': [1,3,224,224]}") }, "dataInputConfig: must be valid JSON (got {'input0': [1,3,224,224]})"],
    ['Core ML forms need the coreml target', { dataInputConfig: DataInputConfig.coreml({ input_1: { shape: ['1', '224', '224', '3'] } }) }, 'dataInputConfig: the Core ML forms are for TargetDevice.COREML only (target is ml_c5)'],
  ])('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  const coreml = (input: Parameters<typeof DataInputConfig.coreml>[0]['x']): Partial<CompilationJobProps> =>
    ({ framework: Framework.TENSORFLOW, target: device(TargetDevice.COREML), dataInputConfig: DataInputConfig.coreml({ input_1: input }) });

  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['Core ML: shape or enumeratedShapes, not both', coreml({ shape: ['1', '224', '224', '3'], enumeratedShapes: [[1, 224, 224, 3]] }), "dataInputConfig: input 'input_1': exactly one of shape and enumeratedShapes"],
    ['Core ML: shape or enumeratedShapes, not neither', coreml({ defaultShape: [1, 224, 224, 3] }), 'exactly one of shape and enumeratedShapes'],
    ['Core ML: a range is min..max', coreml({ shape: ['10..1', '224', '224', '3'] }), "dataInputConfig: input 'input_1': a dimension is a positive integer or a range 'min..max' (got '10..1')"],
    ['Core ML: an IMAGE input needs bias and scale', coreml({ shape: ['1', '224', '224', '3'], type: CoreMlInputType.IMAGE }), "dataInputConfig: input 'input_1': an IMAGE input needs bias and scale"],
    ['Core ML: bias and scale are for IMAGE inputs', coreml({ shape: ['1', '224', '224', '3'], bias: [-1, -1, -1] }), "dataInputConfig: input 'input_1': bias and scale are for IMAGE inputs only"],
    ['Core ML: enumerated shapes are positive', coreml({ enumeratedShapes: [[1, 224, 224, 3], [1, -160, 160, 3]] }), "dataInputConfig: input 'input_1' enumerated shape 1: dimensions must be positive integers"],
  ])('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test.each<[string, Partial<CompilationJobProps>]>([
    ['XGBOOST needs none', { framework: Framework.XGBOOST, dataInputConfig: undefined }],
    ['PyTorch 2.0 on ml_* needs none', { framework: Framework.PYTORCH, frameworkVersion: '2.0', dataInputConfig: undefined }],
    ['Core ML flexible image input', coreml({ shape: ['1..10', '224', '224', '3'], defaultShape: [1, 224, 224, 3], type: CoreMlInputType.IMAGE, bias: [-1, -1, -1], scale: 0.007843137255 })],
    ['Core ML list form', { framework: Framework.PYTORCH, target: device(TargetDevice.COREML), dataInputConfig: DataInputConfig.coremlList([{ enumeratedShapes: [[1, 3, 224, 224], [1, 3, 160, 160]], defaultShape: [1, 3, 224, 224] }]) }],
  ])('accepted: %s', (_, props) => {
    accepts(props);
  });
});

describe('compilerOptions', () => {
  const nvidiaPlatform = platform(TargetOs.LINUX, TargetArch.ARM64, TargetAccelerator.NVIDIA);
  const nvidia = CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0.1', cudaVersion: '10.1' });

  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['at least 3 characters', { compilerOptions: CompilerOptions.fromJson('{}') }, 'compilerOptions: must be 3 to 1024 characters of JSON (got 2)'],
    ['at most 1024 characters', { compilerOptions: CompilerOptions.cpu({ mcpu: 'x'.repeat(1100) }) }, 'compilerOptions: must be 3 to 1024 characters of JSON (got 1111)'],
    ['valid JSON', { compilerOptions: CompilerOptions.fromJson("{'mcpu': 'skylake-avx512'}") }, "compilerOptions: must be valid JSON (got {'mcpu': 'skylake-avx512'})"],
    ['on one line', { compilerOptions: CompilerOptions.fromJson('{\n  "mcpu": "skylake-avx512"\n}') }, 'compilerOptions: must be on one line (SageMaker rejects line breaks)'],
    ['required with an NVIDIA accelerator', { target: nvidiaPlatform }, 'compilerOptions: are required with an NVIDIA accelerator (gpu-code, trt-ver, cuda-ver: use CompilerOptions.nvidia)'],
    ['NVIDIA needs gpu-code, trt-ver and cuda-ver', { target: nvidiaPlatform, compilerOptions: CompilerOptions.fromJson('{"gpu-code": "sm_72"}') }, 'compilerOptions: an NVIDIA accelerator needs trt-ver, cuda-ver (use CompilerOptions.nvidia)'],
    ['NVIDIA trt-ver is x.y.z', { target: nvidiaPlatform, compilerOptions: CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0', cudaVersion: '10.1' }) }, "compilerOptions: nvidia trtVersion must be in x.y.z format (got '6.0')"],
    ['NVIDIA cuda-ver is x.y', { target: nvidiaPlatform, compilerOptions: CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0.1', cudaVersion: '10' }) }, "compilerOptions: nvidia cudaVersion must be in x.y format (got '10')"],
    ['NVIDIA gpu-code is sm_NN', { target: nvidiaPlatform, compilerOptions: CompilerOptions.nvidia({ gpuCode: '72', trtVersion: '6.0.1', cudaVersion: '10.1' }) }, "compilerOptions: nvidia gpuCode must look like 'sm_72' (got '72')"],
    ['Android options need an Android platform', { target: platform(TargetOs.LINUX, TargetArch.ARM64), compilerOptions: CompilerOptions.android({ apiLevel: 28 }) }, 'compilerOptions: android options need a platform target with TargetOs.ANDROID'],
    ['Android API level 21 to 29', { target: platform(TargetOs.ANDROID, TargetArch.ARM64), compilerOptions: CompilerOptions.android({ apiLevel: 30 }) }, 'compilerOptions: android apiLevel must be an integer from 21 to 29 (got 30)'],
    ['Inferentia options need ml_inf1, ml_inf2 or ml_trn1', { compilerOptions: CompilerOptions.inferentia('--num-neuroncores 2') }, 'compilerOptions: inferentia options need an Inferentia or Trainium target (ml_inf1, ml_inf2, ml_trn1), not ml_c5'],
    ['Core ML options need the coreml target', { compilerOptions: CompilerOptions.coreml({ classLabels: 'labels.txt' }) }, 'compilerOptions: coreml options need TargetDevice.COREML, not ml_c5'],
    ['Elastic Inference options need ml_eia2', { compilerOptions: CompilerOptions.elasticInference({}) }, 'compilerOptions: elasticInference options need TargetDevice.ML_EIA2, not ml_c5'],
    ['Elastic Inference: signatureDefKey or outputNames, not both', { framework: Framework.TENSORFLOW, target: device(TargetDevice.ML_EIA2), compilerOptions: CompilerOptions.elasticInference({ signatureDefKey: 'serving', outputNames: ['out:0'] }) }, 'compilerOptions: elasticInference options take at most one of signatureDefKey and outputNames'],
    ['dtype is for PyTorch', { compilerOptions: CompilerOptions.inputDataType(InputDataType.INT64) }, 'compilerOptions: inputDataType is for PYTORCH models only (framework is ONNX)'],
    ['dtype is not for ml_inf*', { framework: Framework.PYTORCH, target: device(TargetDevice.ML_INF1), compilerOptions: CompilerOptions.inputDataType(InputDataType.LONG) }, 'compilerOptions: inputDataType is for ml_* targets other than ml_inf* (target is ml_inf1)'],
    ['dtype is not for edge targets', { framework: Framework.PYTORCH, target: device(TargetDevice.JETSON_NANO), compilerOptions: CompilerOptions.inputDataType(InputDataType.FLOAT) }, 'inputDataType is for ml_* targets other than ml_inf* (target is jetson_nano)'],
    ['mattr flags start with + or -', { compilerOptions: CompilerOptions.cpu({ mattr: ['neon'] }) }, "compilerOptions: mattr flags start with '+' or '-' (got 'neon')"],
  ])('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['cpu', { compilerOptions: CompilerOptions.cpu({ mcpu: 'skylake-avx512', mattr: ['+avx512f'] }) }, '{"mcpu":"skylake-avx512","mattr":["+avx512f"]}'],
    ['armNeon', { target: platform(TargetOs.LINUX, TargetArch.ARM_EABIHF), compilerOptions: CompilerOptions.armNeon() }, '{"mattr":["+neon"]}'],
    ['nvidia', { target: nvidiaPlatform, compilerOptions: nvidia }, '{"gpu-code":"sm_72","trt-ver":"6.0.1","cuda-ver":"10.1"}'],
    ['android', { target: platform(TargetOs.ANDROID, TargetArch.ARM_EABI), compilerOptions: CompilerOptions.android({ apiLevel: 25, mattr: ['+neon'] }) }, '{"ANDROID_PLATFORM":25,"mattr":["+neon"]}'],
    ['inferentia (a JSON string of CLI flags)', { target: device(TargetDevice.ML_INF1), compilerOptions: CompilerOptions.inferentia('--verbose 1 --num-neuroncores 2 -O2') }, '"--verbose 1 --num-neuroncores 2 -O2"'],
    ['coreml', { framework: Framework.TENSORFLOW, target: device(TargetDevice.COREML), compilerOptions: CompilerOptions.coreml({ classLabels: 'imagenet_labels_1000.txt' }) }, '{"class_labels":"imagenet_labels_1000.txt"}'],
    ['elasticInference', { framework: Framework.TENSORFLOW, target: device(TargetDevice.ML_EIA2), compilerOptions: CompilerOptions.elasticInference({ precisionMode: 'FP16' as any, outputNames: ['output:0'] }) }, '{"precision_mode":"FP16","output_names":["output:0"]}'],
    ['dtype', { framework: Framework.PYTORCH, compilerOptions: CompilerOptions.inputDataType(InputDataType.FLOAT32) }, '{"dtype":"float32"}'],
  ])('encoded exactly as SageMaker expects: %s', (_, props, json) => {
    accepts(props);
    expect(props.compilerOptions!.json).toBe(json);
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
  test.each<[string, Partial<CompilationJobProps>, string]>([
    ['maxRuntime at least 1 second', { maxRuntime: Duration.millis(500) }, 'maxRuntime: must be a whole number of seconds, at least 1 (got 0.5 seconds)'],
    ['timeout at most 59 minutes', { timeout: Duration.minutes(60) }, 'timeout: must be from 1 to 59 minutes, the longest a deployment can wait for a job (got 3600 seconds)'],
    ['timeout at least 1 minute', { maxRuntime: Duration.seconds(10), timeout: Duration.seconds(30) }, 'timeout: must be from 1 to 59 minutes'],
    ['maxRuntime within timeout', { maxRuntime: Duration.minutes(30), timeout: Duration.minutes(20) }, 'maxRuntime: (1800 seconds) is longer than the deployment waits for the job (timeout: 1200 seconds). Lower maxRuntime, or raise timeout (at most 59 minutes)'],
  ])('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });
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

describe('every problem in one error', () => {
  test('each line names its property', () => {
    const message = errorOf({ framework: undefined, frameworkVersion: 'v1', outputPrefix: '/x', timeout: Duration.minutes(90), compilerOptions: CompilerOptions.fromJson('{') });
    const lines = message.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines.map((line) => line.slice(4).split(':')[0])).toEqual(['framework', 'frameworkVersion', 'compilerOptions', 'compilerOptions', 'timeout', 'outputPrefix']);
  });
});
