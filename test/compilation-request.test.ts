import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CompilationJob, CompilationRequest } from '../src';
import { newStack, onlyJobSpec } from './util';

/** A request as `aws sagemaker create-compilation-job --generate-cli-skeleton` shapes it. */
const REQUEST = {
  CompilationJobName: 'resnet-ml-c5',
  RoleArn: 'arn:aws:iam::123456789012:role/NeoCompilation',
  InputConfig: {
    S3Uri: 's3://my-models/resnet18/model.tar.gz',
    DataInputConfig: '{"input0": [1, 3, 224, 224]}',
    Framework: 'PYTORCH',
    FrameworkVersion: '1.13',
  },
  OutputConfig: {
    S3OutputLocation: 's3://my-artifacts/compiled/',
    TargetDevice: 'ml_c5',
    CompilerOptions: '{"mcpu": "skylake-avx512"}',
    KmsKeyId: 'alias/neo',
  },
  StoppingCondition: { MaxRuntimeInSeconds: 900 },
};

function jobOf(request: string | object): { stack: Stack; job: CompilationJob } {
  const stack = newStack();
  const job = new CompilationJob(stack, 'Job', CompilationRequest.toJobProps(stack, request as any));
  return { stack, job };
}

test('every field of a request reaches the request the job sends', () => {
  const { stack } = jobOf(JSON.stringify(REQUEST));
  const sent = stack.resolve(onlyJobSpec(stack).request);
  expect(sent).toEqual({
    RoleArn: 'arn:aws:iam::123456789012:role/NeoCompilation',
    InputConfig: REQUEST.InputConfig,
    OutputConfig: {
      S3OutputLocation: 's3://my-artifacts/compiled/',
      TargetDevice: 'ml_c5',
      CompilerOptions: '{"mcpu": "skylake-avx512"}',
      KmsKeyId: expect.stringMatching(/:kms:us-east-1:123456789012:alias\/neo$/), // the alias's ARN
    },
    StoppingCondition: { MaxRuntimeInSeconds: 900 },
  });
});

test('a boto3 dict works as the JSON does, with a platform target and a model package', () => {
  const { stack } = jobOf({
    RoleArn: 'arn:aws:iam::123456789012:role/NeoCompilation',
    ModelPackageVersionArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3',
    OutputConfig: { S3OutputLocation: 's3://my-artifacts', TargetPlatform: { Os: 'LINUX', Arch: 'ARM64' } },
  });
  const sent = stack.resolve(onlyJobSpec(stack).request);
  expect(sent.ModelPackageVersionArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3');
  expect(sent.OutputConfig.TargetPlatform).toEqual({ Os: 'LINUX', Arch: 'ARM64' });
  expect(sent.OutputConfig.S3OutputLocation).toBe('s3://my-artifacts/');
});

test('the job name is the construct\'s, and the role is imported as it is, with a warning', () => {
  const { stack, job } = jobOf(REQUEST);
  expect(stack.resolve(onlyJobSpec(stack).jobNamePrefix)).not.toContain('resnet-ml-c5');
  expect(job.role.roleArn).toBe('arn:aws:iam::123456789012:role/NeoCompilation');
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-sagemaker-neo:imported-role'))).toHaveLength(1);
});

test('the request gets the same synth-time checks as props', () => {
  expect(() => jobOf({ ...REQUEST, InputConfig: { ...REQUEST.InputConfig, FrameworkVersion: '1.10' } }))
    .toThrow('frameworkVersion: Neo lists PYTORCH 1.4, 1.5, 1.6, 1.7, 1.8, 1.12, 1.13, 2.0 for cloud instance (ml_*) targets');
});

test('fields that cannot apply are errors that say what to write', () => {
  const stack = newStack();
  let message = '';
  try {
    CompilationRequest.toJobProps(stack, {
      ...REQUEST,
      VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] }, // without options.vpc
      Tags: [{ Key: 'team', Value: 'ml' }],
      StoppingCondition: { MaxRuntimeInSeconds: 900, MaxWaitTimeInSeconds: 1800 },
      Unknown: 1,
    });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain('Invalid CompilationRequest props at TestStack:');
  expect(message).toContain('VpcConfig: names subnets by ID, and the props take the VPC itself: pass it, CompilationRequest.toJobProps(this, request, { vpc })');
  expect(message).toContain('Tags: are not props: delete Tags and add each to the job with Tags.of(job).add(key, value)');
  expect(message).toContain('StoppingCondition.MaxWaitTimeInSeconds: applies to training jobs');
  expect(message).toContain("Unknown: is not a field of CreateCompilationJob's request");
});

test('text that is not JSON, and a request without a target', () => {
  expect(() => CompilationRequest.toJobProps(newStack(), '{')).toThrow('request: is not JSON');
  expect(() => CompilationRequest.toJobProps(newStack(), { ...REQUEST, OutputConfig: { S3OutputLocation: 's3://my-artifacts/' } }))
    .toThrow('OutputConfig: needs exactly one of TargetDevice and TargetPlatform');
});

test('VpcConfig maps to the VPC given, its subnets and security groups by ID', () => {
  const stack = newStack();
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a'] });
  const props = CompilationRequest.toJobProps(stack, {
    ...REQUEST,
    VpcConfig: { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] },
  }, { vpc });
  new CompilationJob(stack, 'Job', props);
  expect(stack.resolve(onlyJobSpec(stack).request.VpcConfig)).toEqual({
    SecurityGroupIds: ['sg-0123456789abcdef0'],
    Subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
});
