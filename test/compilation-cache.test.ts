/**
 * Compile once, at synth and in the key: what a job with a `cache` tells its handler, what the
 * handler's role may do with the cache (read and put under the prefix, never delete), and that the
 * key changes with every input that decides the compiled bytes and with nothing about the stage.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { cacheKeyOf, keyInputsOf } from '../lambda/compilation-job/cache';
import {
  CompilationCache, CompilationJob, CompilationJobProps, CompilationTarget, CompilerOptions, DataInputConfig, Framework, ModelInput,
  TargetArch, TargetDevice, TargetOs,
} from '../src';
import { loadApiModel } from './fault/api-model';
import { specOf } from './handler/fixtures';
import { onlyJobSpec } from './util';
import type { CompilationJobSpec } from '../src/private/contract';

const CACHE_BUCKET = 'my-org-neo-cache';

/** One stage of a pipeline: its own stack (name, account), the shared cache imported by name. */
function stage(name: string, account: string, props: Partial<CompilationJobProps> = {}): Stack {
  const stack = new Stack(new App(), name, { env: { account, region: 'us-east-1' } });
  const cache = CompilationCache.fromBucket(s3.Bucket.fromBucketName(stack, 'Cache', CACHE_BUCKET));
  new CompilationJob(stack, 'Resnet', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5), cache, ...props });
  return stack;
}

describe('CompilationCache.fromBucket', () => {
  test('the prefix defaults to neo-cache/ and gains a trailing slash', () => {
    const stack = new Stack();
    const bucket = new s3.Bucket(stack, 'B');
    expect(CompilationCache.fromBucket(bucket).prefix).toBe('neo-cache/');
    expect(CompilationCache.fromBucket(bucket, 'team/cache').prefix).toBe('team/cache/');
    expect(CompilationCache.fromBucket(bucket, '').prefix).toBe('');
  });

  test('a prefix with a leading slash is refused, naming the rule', () => {
    const bucket = new s3.Bucket(new Stack(), 'B');
    expect(() => CompilationCache.fromBucket(bucket, '/cache')).toThrow(/prefix must not start with '\/'/);
  });
});

describe('the Spec of a job with a cache', () => {
  test('names the bucket, the prefix and the model identity (an asset: its hash); a job without a cache has none', () => {
    const spec = onlyJobSpec(stage('StageA', '111111111111'));
    expect(spec.cache).toEqual({ bucket: CACHE_BUCKET, prefix: 'neo-cache/', model: { assetHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const plain = new Stack(new App(), 'Plain', { env: { account: '111111111111', region: 'us-east-1' } });
    new CompilationJob(plain, 'Resnet', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5) });
    expect(onlyJobSpec(plain).cache).toBeUndefined();
  });

  test('an S3 model: its URI (the handler reads its version or ETag at deploy time), or its pinned version; a model package: its ARN', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const models = s3.Bucket.fromBucketName(stack, 'Models', 'models');
    const cache = CompilationCache.fromBucket(s3.Bucket.fromBucketName(stack, 'Cache', CACHE_BUCKET));
    const target = CompilationTarget.device(TargetDevice.ML_C5);
    const common = { framework: Framework.ONNX, dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }), target, cache };
    new CompilationJob(stack, 'Unpinned', { ...common, model: ModelInput.fromBucket(models, 'm/a.tar.gz') });
    new CompilationJob(stack, 'Pinned', { ...common, model: ModelInput.fromBucket(models, 'm/a.tar.gz', { objectVersion: 'v3' }) });
    new CompilationJob(stack, 'Package', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:111111111111:model-package/resnet/3'), target, cache });
    const specs = Object.values(Template.fromStack(stack).findResources('Custom::SageMakerNeoCompilationJob'))
      .map((r) => JSON.parse(JSON.stringify(r.Properties.Spec)) as unknown);
    expect(JSON.stringify(specs)).toContain('\\"model\\":{\\"object\\":\\"s3://models/m/a.tar.gz\\"}');
    expect(JSON.stringify(specs)).toContain('\\"model\\":{\\"object\\":\\"s3://models/m/a.tar.gz\\",\\"version\\":\\"v3\\"}');
    expect(JSON.stringify(specs)).toContain('\\"model\\":{\\"modelPackage\\":\\"arn:aws:sagemaker:us-east-1:111111111111:model-package/resnet/3\\"}');
  });

  test('on the long path, the result resource carries the cache (it publishes; the start resource does not look up)', () => {
    const stack = stage('Long', '111111111111', { timeout: Duration.hours(3), maxRuntime: Duration.hours(2) });
    const results = Template.fromStack(stack).findResources('Custom::SageMakerNeoCompilationResult');
    const [result] = Object.values(results);
    expect(JSON.stringify(result.Properties.Result)).toContain(`\\"cache\\":{\\"bucket\\":\\"${CACHE_BUCKET}\\"`);
    expect(onlyJobSpec(stack).cache?.bucket).toBe(CACHE_BUCKET);
  });

  test('two stages (other stack names, other accounts) ask for the same key; another target does not', () => {
    const keyOf = (spec: CompilationJobSpec) => cacheKeyOf(keyInputsOf(spec, spec.cache!.model as Record<string, string>, 'us-east-1'));
    const a = onlyJobSpec(stage('Dev', '111111111111'));
    const b = onlyJobSpec(stage('Prod-Renamed', '222222222222'));
    expect(a.jobNamePrefix).not.toBe(b.jobNamePrefix);
    expect(keyOf(a)).toBe(keyOf(b));
    expect(keyOf(onlyJobSpec(stage('Prod', '222222222222', { target: CompilationTarget.device(TargetDevice.ML_M5) })))).not.toBe(keyOf(a));
  });
});

describe('the cache key', () => {
  const model = { object: 's3://models/resnet.tar.gz', etag: '"9dd4e461268c8034f5c8564e155c67a6"' };
  const base = specOf({
    request: {
      InputConfig: { S3Uri: 's3://stage-a-output/model-inputs/x.tar.gz', Framework: 'PYTORCH', FrameworkVersion: '2.0', DataInputConfig: '{"input0":[1,3,224,224]}' },
      OutputConfig: { S3OutputLocation: 's3://stage-a-output/compiled/', TargetDevice: 'ml_c5', CompilerOptions: '{"mcpu":"skylake-avx512"}' },
    },
  });
  const keyOf = (spec: CompilationJobSpec, m: Record<string, string> = model, region = 'us-east-1') => cacheKeyOf(keyInputsOf(spec, m, region));
  const withInput = (input: object) => ({ ...base, request: { ...base.request, InputConfig: { ...base.request.InputConfig!, ...input } } });
  const withOutput = (output: object) => ({ ...base, request: { ...base.request, OutputConfig: { ...base.request.OutputConfig, ...output } } });

  test.each<[string, () => string]>([
    ['the model bytes (another ETag)', () => keyOf(base, { ...model, etag: '"0f"' })],
    ['the model version', () => keyOf(base, { object: model.object, version: 'v2' })],
    ['the asset hash', () => keyOf(base, { assetHash: 'a'.repeat(64) })],
    ['the model package version', () => keyOf(base, { modelPackage: 'arn:aws:sagemaker:us-east-1:1:model-package/m/2' })],
    ['the framework', () => keyOf(withInput({ Framework: 'ONNX' }))],
    ['the framework version', () => keyOf(withInput({ FrameworkVersion: '2.1' }))],
    ['the data input config', () => keyOf(withInput({ DataInputConfig: '{"input0":[1,3,256,256]}' }))],
    ['the target device', () => keyOf(withOutput({ TargetDevice: 'ml_c4' }))],
    ['the target platform', () => keyOf(withOutput({ TargetDevice: undefined, TargetPlatform: { Os: 'LINUX', Arch: 'X86_64' } }))],
    ['a compiler option', () => keyOf(withOutput({ CompilerOptions: '{"mcpu":"core-avx2"}' }))],
    ['the Region', () => keyOf(base, model, 'eu-west-1')],
  ])('changes with %s', (_, changed) => {
    expect(changed()).not.toBe(keyOf(base));
  });

  test.each<[string, CompilationJobSpec]>([
    ['the stack (job name prefix, construct address)', { ...base, jobNamePrefix: 'Prod-ab12cd34-Resnet', constructAddress: 'c8ffffffffffffffffffffffffffffffffffffffff' }],
    ['the role', { ...base, request: { ...base.request, RoleArn: 'arn:aws:iam::222222222222:role/other' } }],
    ['the tags', { ...base, tags: [{ Key: 'stage', Value: 'prod' }] }],
    ['the output location and the staged input', withInput({ S3Uri: 's3://stage-b-output/model-inputs/x.tar.gz' })],
    ['the output location', withOutput({ S3OutputLocation: 's3://stage-b-output/other/' })],
    ['the KMS key', withOutput({ KmsKeyId: 'arn:aws:kms:us-east-1:222222222222:key/k' })],
    ['the VPC and the stopping condition', { ...base, request: { ...base.request, VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] }, StoppingCondition: { MaxRuntimeInSeconds: 60 } } }],
    ['the timeout and removal policy', { ...base, timeoutSeconds: 60, removalPolicy: 'retain' }],
  ])('does not change with %s', (_, other) => {
    expect(keyOf(other)).toBe(keyOf(base));
  });
});

describe('permissions', () => {
  function handlerStatements(stack: Stack): unknown[] {
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as unknown[]);
  }

  /** The actions of every statement whose resource is under the cache prefix. */
  function cacheActions(stack: Stack, prefixArn: RegExp): string[] {
    return handlerStatements(stack)
      .filter((statement) => prefixArn.test(JSON.stringify((statement as { Resource: unknown }).Resource)))
      .flatMap((statement) => [(statement as { Action: string | string[] }).Action].flat()).sort();
  }

  test('the handler reads and puts under the cache prefix, and never deletes or lists', () => {
    const stack = stage('StageA', '111111111111');
    expect(cacheActions(stack, new RegExp(`:s3:::${CACHE_BUCKET}/neo-cache/\\*"`))).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(handlerStatements(stack))).not.toMatch(/s3:DeleteObject|s3:ListBucket|s3:\*|s3:Delete/);
  });

  test('a bucket of the stack with a KMS key: the handler may use the key; the stage\'s own key encrypts the copy', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'CacheKey', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'CacheBucket', { encryptionKey: key, enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    const outputKey = new kms.Key(stack, 'OutputKey', { enableKeyRotation: true });
    new CompilationJob(stack, 'Resnet', {
      ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5), cache: CompilationCache.fromBucket(bucket), encryptionKey: outputKey,
    });
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`));
    expect(findings).toEqual([]);
    const statements = JSON.stringify(handlerStatements(stack));
    expect(statements).toContain('{"Action":["kms:GenerateDataKey","kms:Decrypt"],"Effect":"Allow","Resource":{"Fn::GetAtt":["CacheKeyA9E311EC","Arn"]}}');
    expect(statements).toContain('{"Action":["kms:GenerateDataKey","kms:Decrypt"],"Effect":"Allow","Resource":{"Fn::GetAtt":["OutputKeyFDFE7A84","Arn"]}}');
    expect(statements).not.toMatch(/s3:DeleteObject/);
  });

  test('a platform target with compiler options synthesizes', () => {
    const stack = stage('P', '111111111111', {
      target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }),
      compilerOptions: CompilerOptions.fromJson('{"mcpu":"core-avx2"}'),
    });
    expect(onlyJobSpec(stack).cache?.bucket).toBe(CACHE_BUCKET);
  });
});

describe('the key against the official API model (botocore)', () => {
  const model = loadApiModel('sagemaker');
  const withModel = model ? test : test.skip;
  /**
   * Every member of the CreateCompilationJob request, and whether it decides the compiled bytes.
   * A member AWS adds fails this test until it is classified here (and, if it decides the bytes,
   * added to keyInputsOf).
   */
  const CLASSIFIED: Record<string, Record<string, 'key' | 'model identity' | 'stage'>> = {
    CreateCompilationJobRequest: {
      CompilationJobName: 'stage',
      RoleArn: 'stage',
      ModelPackageVersionArn: 'model identity',
      InputConfig: 'key',
      OutputConfig: 'key',
      VpcConfig: 'stage',
      StoppingCondition: 'stage',
      Tags: 'stage',
    },
    InputConfig: { S3Uri: 'model identity', DataInputConfig: 'key', Framework: 'key', FrameworkVersion: 'key' },
    OutputConfig: { S3OutputLocation: 'stage', TargetDevice: 'key', TargetPlatform: 'key', CompilerOptions: 'key', KmsKeyId: 'stage' },
  };

  withModel.each(Object.keys(CLASSIFIED))('every member of %s is classified', (structure) => {
    expect(Object.keys(model!.shape(structure).members!).sort()).toEqual(Object.keys(CLASSIFIED[structure]).sort());
  });

  test('the key reads exactly the members classified as deciding the bytes (the model by its identity)', () => {
    const spec = specOf({
      request: {
        InputConfig: { S3Uri: 's3://b/m.tar.gz', Framework: 'F', FrameworkVersion: 'V', DataInputConfig: 'D' },
        OutputConfig: { S3OutputLocation: 's3://o/', TargetDevice: 'T', TargetPlatform: { Os: 'O', Arch: 'A' }, CompilerOptions: 'C', KmsKeyId: 'K' },
      },
    });
    const inputs = keyInputsOf(spec, { assetHash: 'h' }, 'r');
    const read = Object.entries(CLASSIFIED.InputConfig).concat(Object.entries(CLASSIFIED.OutputConfig))
      .filter(([, kind]) => kind === 'key').map(([member]) => member);
    const values = { Framework: 'F', FrameworkVersion: 'V', DataInputConfig: 'D', TargetDevice: 'T', TargetPlatform: { Os: 'O', Arch: 'A' }, CompilerOptions: 'C' };
    expect(Object.values(inputs)).toEqual(expect.arrayContaining(read.map((member) => values[member as keyof typeof values])));
    expect(JSON.stringify(inputs)).not.toMatch(/s3:\/\/|"K"/);
    expect(inputs).toMatchObject({ model: { assetHash: 'h' }, region: 'r' });
  });
});
