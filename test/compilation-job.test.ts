import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import {
  CompilationJob, CompilationJobProps, CompilationTarget, CompilerOptions, DataInputConfig, Framework,
  ModelInput, TargetAccelerator, TargetArch, TargetDevice, TargetOs,
} from '../src';
import { jobSpecs, newStack, onlyJobSpec } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { MAX_JOB_TIMEOUT_SECONDS, RESOURCE_TYPE } from '../src/private/contract';

const BASE: CompilationJobProps = {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.ML_C5),
};

describe('one provider per stack', () => {
  test('GIVEN two jobs in a stack THEN one onEvent, one isComplete and two custom resources', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', BASE);
    new CompilationJob(stack, 'B', { ...BASE, target: CompilationTarget.device(TargetDevice.RASP4B) });

    const template = Template.fromStack(stack);
    template.resourceCountIs(RESOURCE_TYPE, 2);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.onEvent' }, 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.isComplete' }, 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::S3::Bucket', 1);
  });

  test('deadlines in order: the handler\'s (at most 3540 s), then the waiter\'s (3550 s of retries), then CloudFormation\'s (3600 s) with a poll in flight', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', BASE);
    const template = Template.fromStack(stack);
    template.hasResourceProperties(RESOURCE_TYPE, { ServiceTimeout: '3600' });
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":5');
    expect(definition).toContain(`\\"MaxAttempts\\":${3550 / 5}`);
    // The longest a poll takes (the isComplete function's timeout) still ends before CloudFormation's.
    const [isComplete] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.isComplete' } }));
    expect(3550 + isComplete.Properties.Timeout).toBeLessThan(3600);
    expect(MAX_JOB_TIMEOUT_SECONDS + 5).toBeLessThan(3550);
  });
});

describe('the CreateCompilationJob request', () => {
  test('every prop reaches the request, numbers as numbers', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Out');
    const key = new kms.Key(stack, 'Key');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new CompilationJob(stack, 'Resnet', {
      ...BASE,
      framework: Framework.PYTORCH,
      frameworkVersion: '2.0',
      dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
      compilerOptions: CompilerOptions.cpu({ mcpu: 'skylake-avx512' }),
      outputBucket: bucket,
      outputPrefix: 'models/',
      encryptionKey: key,
      vpc,
      maxRuntime: Duration.minutes(10),
      timeout: Duration.minutes(20),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const spec = onlyJobSpec(stack);
    const { request } = spec;
    expect(request.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 600 });
    expect(spec.timeoutSeconds).toBe(1200);
    expect(spec.removalPolicy).toBe('retain');
    expect(spec.jobNamePrefix).toBe('teststack-e82b44c6-resnet'); // the stack's name, then a hash of it
    expect(spec.constructAddress).toMatch(/^c8[0-9a-f]{40}$/);
    expect(request.InputConfig).toEqual({
      S3Uri: expect.stringMatching(/^s3:\/\/\$\{Ref:Out[0-9A-F]+\}\/model-inputs\/[0-9a-f]{64}\.tar\.gz$/),
      Framework: 'PYTORCH',
      FrameworkVersion: '2.0',
      DataInputConfig: '{"input0":[1,3,224,224]}',
    });
    expect(request.OutputConfig).toEqual({
      S3OutputLocation: expect.stringMatching(/^s3:\/\/\$\{Ref:Out[0-9A-F]+\}\/models\/$/),
      TargetDevice: 'ml_c5',
      CompilerOptions: '{"mcpu":"skylake-avx512"}',
      KmsKeyId: expect.stringMatching(/^\$\{GetAtt:Key[0-9A-F]+\.Arn\}$/),
    });
    expect(request.RoleArn).toMatch(/^\$\{GetAtt:ResnetRole[0-9A-F]+\.Arn\}$/);
    expect(request.VpcConfig!.Subnets).toHaveLength(2);
    expect(request.VpcConfig!.SecurityGroupIds).toEqual([expect.stringMatching(/^\$\{GetAtt:ResnetSecurityGroup[0-9A-F]+\.GroupId\}$/)]);
    expect(request.ModelPackageVersionArn).toBeUndefined();
  });

  test('defaults: 15 minutes max runtime, 20 minutes timeout, DESTROY, default bucket under compiled/', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', BASE);
    const spec = onlyJobSpec(stack);
    expect(spec.request.StoppingCondition.MaxRuntimeInSeconds).toBe(900);
    expect(spec.timeoutSeconds).toBe(1200);
    expect(spec.removalPolicy).toBe('destroy');
    expect(spec.request.OutputConfig.S3OutputLocation).toMatch(/^s3:\/\/\$\{Ref:SageMakerNeoCompiledModels[0-9A-F]+\}\/compiled\/$/);
    expect(spec.tags).toEqual([]);
  });

  test('a platform target renders TargetPlatform and no TargetDevice', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', {
      ...BASE,
      target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64, accelerator: TargetAccelerator.NVIDIA }),
      compilerOptions: CompilerOptions.fromJson('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}'),
    });
    const { OutputConfig } = onlyJobSpec(stack).request;
    expect(OutputConfig.TargetPlatform).toEqual({ Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' });
    expect(OutputConfig.TargetDevice).toBeUndefined();
    expect(OutputConfig.CompilerOptions).toBe('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}');
  });

  test('a model package replaces InputConfig', () => {
    const stack = newStack();
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3';
    new CompilationJob(stack, 'A', { model: ModelInput.fromModelPackage(arn), target: BASE.target });
    const { request } = onlyJobSpec(stack);
    expect(request.ModelPackageVersionArn).toBe(arn);
    expect(request.InputConfig).toBeUndefined();
  });

  test('a local model is copied from its asset (<hash>.gz) to a .tar.gz key before the job starts', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', BASE);
    const spec = onlyJobSpec(stack);
    const hash = /([0-9a-f]{64})\.gz$/.exec(spec.inputCopy!.source)![1];
    expect(spec.inputCopy!.source).toBe(`s3://cdk-hnb659fds-assets-123456789012-us-east-1/${hash}.gz`);
    expect(spec.inputCopy!.target).toMatch(new RegExp(`^s3://\\$\\{Ref:SageMakerNeoCompiledModels[0-9A-F]+\\}/model-inputs/${hash}\\.tar\\.gz$`));
    expect(spec.request.InputConfig!.S3Uri).toBe(spec.inputCopy!.target);
  });

  test('a model in a bucket is addressed by its key', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'In', 'my-models');
    new CompilationJob(stack, 'A', { ...BASE, model: ModelInput.fromBucket(bucket, 'resnet/model.tar.gz') });
    expect(onlyJobSpec(stack).request.InputConfig!.S3Uri).toBe('s3://my-models/resnet/model.tar.gz');
    expect(onlyJobSpec(stack).inputCopy).toBeUndefined();
  });

  describe('a pinned object version (ModelInput.fromBucket with objectVersion)', () => {
    const versioned = (version: string) => {
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'In', 'my-models');
      new CompilationJob(stack, 'A', { ...BASE, model: ModelInput.fromBucket(bucket, 'resnet/model.tar.gz', { objectVersion: version }) });
      return onlyJobSpec(stack);
    };

    test('is staged to a key of its own, since SageMaker reads a key, not a version', () => {
      const spec = versioned('v1.abc');
      expect(spec.inputCopy).toEqual({
        source: 's3://my-models/resnet/model.tar.gz',
        sourceVersion: 'v1.abc',
        target: expect.stringMatching(/\/model-inputs\/[0-9a-f]{16}\/v1\.abc\.tar\.gz$/),
      });
      expect(spec.request.InputConfig!.S3Uri).toBe(spec.inputCopy!.target);
    });

    test('a new version is a new request (it recompiles); the same version is the same request', () => {
      expect(versioned('v2').request).not.toEqual(versioned('v1').request);
      expect(versioned('v1').request).toEqual(versioned('v1').request);
    });

    test('without a version, overwriting the object changes nothing in the template', () => {
      const stack = newStack();
      new CompilationJob(stack, 'A', { ...BASE, model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'In', 'my-models'), 'resnet/model.tar.gz') });
      expect(onlyJobSpec(stack).inputCopy).toBeUndefined();
    });
  });

  test('PyTorch list shapes and raw JSON render as given', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', { ...BASE, framework: Framework.PYTORCH, dataInputConfig: DataInputConfig.fromShapeList([[1, 3, 224, 224]]) });
    new CompilationJob(stack, 'B', {
      ...BASE,
      framework: Framework.TENSORFLOW,
      target: CompilationTarget.device(TargetDevice.COREML),
      dataInputConfig: DataInputConfig.fromJson('{"input_1": {"shape": ["1..10", 224, 224, 3]}}'),
    });
    const configs = Object.values(jobSpecs(stack)).map((s) => s.request.InputConfig!.DataInputConfig);
    expect(configs.sort()).toEqual(['[[1,3,224,224]]', '{"input_1": {"shape": ["1..10", 224, 224, 3]}}'].sort());
  });

  test('Tags.of(job) reaches the job', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'A', BASE);
    Tags.of(job).add('team', 'vision');
    Tags.of(stack).add('env', 'prod');
    expect(onlyJobSpec(stack).tags).toEqual([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'vision' }]);
  });

  test('job name prefixes are sanitized and fit the 46 characters left before the hash', () => {
    const stack = newStack('A-stack-name-longer-than-twenty');
    new CompilationJob(stack, 'Model_v2.1 (resnet) compiled for every target we ship to', BASE);
    const { jobNamePrefix } = onlyJobSpec(stack);
    expect(jobNamePrefix).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    expect(jobNamePrefix.length).toBeLessThanOrEqual(46);
    expect(jobNamePrefix).toBe('astacknamelongerthan-3a230337-model-v2-1-resne');
  });
});

describe('attributes', () => {
  test('are Fn::GetAtt of the custom resource', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'A', BASE);
    const [logicalId] = Object.keys(Template.fromStack(stack).findResources(RESOURCE_TYPE));
    const attributes = {
      CompilationJobName: job.compilationJobName,
      CompilationJobArn: job.compilationJobArn,
      ModelArtifactsS3Uri: job.modelArtifactsS3Uri,
      ModelArtifactsObjectKey: job.modelArtifactsObjectKey,
      InferenceImage: job.inferenceImage,
      ArtifactDigest: job.artifactDigest,
      DerivedDataInputConfig: job.derivedDataInputConfig,
    };
    for (const [name, token] of Object.entries(attributes)) {
      expect(stack.resolve(token)).toEqual({ 'Fn::GetAtt': [logicalId, name] });
    }
  });

  test('a SageMaker model that uses them depends on the job', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'A', BASE);
    const modelRole = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    job.grantRead(modelRole);
    new sagemaker.CfnModel(stack, 'Model', {
      executionRoleArn: modelRole.roleArn,
      primaryContainer: { image: job.inferenceImage, modelDataUrl: job.modelArtifactsS3Uri },
    });
    const template = Template.fromStack(stack);
    const [jobId] = Object.keys(template.findResources(RESOURCE_TYPE));
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Image: { 'Fn::GetAtt': [jobId, 'InferenceImage'] },
        ModelDataUrl: { 'Fn::GetAtt': [jobId, 'ModelArtifactsS3Uri'] },
      },
    });
  });

  test('grantRead allows reading exactly the compiled artifact', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const job = new CompilationJob(stack, 'A', { ...BASE, encryptionKey: key });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantRead(reader);
    const [jobId] = Object.keys(Template.fromStack(stack).findResources(RESOURCE_TYPE));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: [
          { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            // One Fn::Sub (src/private/compact.ts): the bucket's ARN, '/', the job's object key.
            Resource: { 'Fn::Sub': Match.stringLikeRegexp(`^\\$\\{SageMakerNeoCompiledModels[0-9A-F]{8}\\.Arn\\}/\\$\\{${jobId}\\.ModelArtifactsObjectKey\\}$`) },
          },
        ],
      },
    });
  });
});

describe('the default output bucket', () => {
  test('is private, TLS-only, encrypted, versioned and retained', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', BASE);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

});

describe('removalPolicy: every value mapped explicitly', () => {
  test.each<[string, RemovalPolicy | undefined, string, string, string]>([
    // policy, the handler's record policy, CloudFormation's DeletionPolicy and UpdateReplacePolicy
    ['default (DESTROY): the handler stops and deletes', undefined, 'destroy', 'Delete', 'Delete'],
    ['DESTROY: the handler stops and deletes', RemovalPolicy.DESTROY, 'destroy', 'Delete', 'Delete'],
    ['RETAIN: the handler sees every Delete, stops a running job, keeps the record', RemovalPolicy.RETAIN, 'retain', 'Delete', 'Delete'],
    ['RETAIN_ON_UPDATE_OR_DELETE: CloudFormation keeps it on update and delete, the rollback of its creation deletes it',
      RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'destroy', 'RetainExceptOnCreate', 'Retain'],
  ])('%s', (_, removalPolicy, record, deletionPolicy, updateReplacePolicy) => {
    const stack = newStack();
    new CompilationJob(stack, 'A', { ...BASE, removalPolicy });
    expect(onlyJobSpec(stack).removalPolicy).toBe(record);
    const [resource] = Object.values(Template.fromStack(stack).findResources(RESOURCE_TYPE));
    expect(resource.DeletionPolicy).toBe(deletionPolicy);
    expect(resource.UpdateReplacePolicy).toBe(updateReplacePolicy);
  });
});

describe('handler permissions', () => {
  test('PassRole only on the stack\'s job roles, only to SageMaker; SageMaker actions only on the stack\'s jobs', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', BASE);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ProviderHandlerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sagemaker:CreateCompilationJob', 'sagemaker:StopCompilationJob']),
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:compilation-job/teststack-e82b44c6-*']] },
          }),
          {
            // The job's default role is in the stack's role path (see iam.test.ts).
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/sagemaker-neo/us-east-1/teststack-e82b44c6/*']] },
            Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
          },
        ]),
      },
    });
  });
});

describe('jobs per stack', () => {
  test('a job with a default role costs 2 resources (its role and its custom resource), however many jobs', () => {
    const resourcesWith = (jobs: number) => {
      const stack = newStack();
      const model = ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'Models', 'models'), 'resnet/model.tar.gz');
      for (let i = 0; i < jobs; i++) new CompilationJob(stack, `Job${i}`, { ...BASE, model });
      return Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    };
    const one = resourcesWith(1);
    const many = resourcesWith(101);
    expect((many.length - one.length) / 100).toBe(2);
    const count = (types: string[], type: string) => types.filter((t) => t === type).length;
    expect(count(many, 'AWS::IAM::Role') - count(one, 'AWS::IAM::Role')).toBe(100);
    expect(count(many, RESOURCE_TYPE) - count(one, RESOURCE_TYPE)).toBe(100);
    // 101 jobs fit CloudFormation's 500 resources per stack with room for more.
    expect(many.length).toBeLessThan(250);
  });
});

describe('validation', () => {
  const errorOf = (props: Partial<CompilationJobProps>): string => {
    try {
      new CompilationJob(newStack(), 'A', { ...BASE, ...props });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a validation error');
  };

  test('framework is required for S3 models', () => {
    expect(errorOf({ framework: undefined })).toContain('framework: is required');
  });

  test('InputConfig fields are rejected with a model package, all at once', () => {
    const message = errorOf({ model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1'), frameworkVersion: '2.0' });
    expect(message).toContain('framework: must not be set with ModelInput.fromModelPackage');
    expect(message).toContain('frameworkVersion: must not be set with ModelInput.fromModelPackage');
    expect(message).toContain('dataInputConfig: must not be set with ModelInput.fromModelPackage');
  });

  test('maxRuntime longer than timeout says what to do', () => {
    expect(errorOf({ maxRuntime: Duration.minutes(30), timeout: Duration.minutes(20) }))
      .toMatch(/maxRuntime: \(30 minutes \(1800 seconds\)\) is longer than the deployment waits for the job \(timeout: 20 minutes \(1200 seconds\)\)\. Lower maxRuntime, or raise timeout/);
  });

  test('maxRuntime longer than the timeout cannot be waited for', () => {
    expect(errorOf({ maxRuntime: Duration.hours(2), timeout: Duration.hours(1) }))
      .toContain('maxRuntime: (2 hours (7200 seconds)) is longer than the deployment waits for the job (timeout: 1 hour (3600 seconds)). Lower maxRuntime, or raise timeout (at most 11 hours 59 minutes)');
  });

  test('timeout above 11 hours 59 minutes is rejected: a WaitCondition waits 12 hours at most', () => {
    expect(errorOf({ timeout: Duration.hours(12) })).toContain('timeout: must be from 1 minute to 11 hours 59 minutes, the longest CloudFormation can wait (got 12 hours (43200 seconds))');
    expect(errorOf({ timeout: Duration.seconds(59) })).toContain('timeout: must be from 1 minute to 11 hours 59 minutes');
  });

  test('maxRuntime below one second is rejected', () => {
    expect(errorOf({ maxRuntime: Duration.millis(500) })).toContain('maxRuntime: must be a whole number of seconds, at least 1 (got 500 milliseconds (0.5 seconds))');
  });

  test('a model that is not a .tar.gz is rejected', () => {
    const bucket = s3.Bucket.fromBucketName(newStack(), 'B', 'my-models');
    expect(errorOf({ model: ModelInput.fromBucket(bucket, 'model.zip') })).toContain("model: must be a gzip-compressed tar archive whose name ends in '.tar.gz' (got 'model.zip')");
  });

  test('an absolute output prefix is rejected', () => {
    expect(errorOf({ outputPrefix: '/compiled' })).toContain("outputPrefix: must not start with '/'");
  });

  test('security groups without a VPC are rejected', () => {
    const stack = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678');
    expect(errorOf({ securityGroups: [sg] })).toContain('vpcSubnets/securityGroups: need `vpc` to be set');
  });

  test('all errors come in one message', () => {
    const message = errorOf({ framework: undefined, outputPrefix: '/x', timeout: Duration.hours(13) });
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });

  test('enum-like of() rejects malformed values but accepts new ones', () => {
    expect(TargetDevice.of('ml_c7g').name).toBe('ml_c7g');
    expect(() => TargetDevice.of('ML C5')).toThrow(/TargetDevice.of\(\): 'ML C5' is not a valid TargetDevice value/);
    expect(Framework.of('JAX').name).toBe('JAX');
    expect(() => Framework.of('')).toThrow(/Framework.of\(\)/);
  });
});
