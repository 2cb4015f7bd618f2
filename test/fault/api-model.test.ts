/**
 * The validator the fault tests put in front of the fake SageMaker (and its S3 and CloudFormation):
 * it must know the official model's rules well enough to reject what SageMaker would reject, and
 * accept what the handler sends. Skipped, with a notice, when botocore is missing (a failure with
 * CI_TOOLS_REQUIRED=1).
 */
import type { CreateCompilationJobCommandInput, TargetDevice } from '@aws-sdk/client-sagemaker';
import { compileJavaPattern, loadApiModel } from './api-model';
import { SAGEMAKER_OPERATIONS } from './fake-sagemaker';
import { createRequestOf } from '../../lambda/compilation-job/spec';
import { LOGICAL_RESOURCE_ID, nameOf, specOf, STACK_ID } from '../handler/fixtures';

const sagemaker = loadApiModel('sagemaker');
const s3 = loadApiModel('s3');
const cloudformation = loadApiModel('cloudformation');
const withModel = sagemaker && s3 && cloudformation ? describe : describe.skip;

const SPEC = specOf({
  tags: [{ Key: 'team', Value: 'Équipe Vision' }, { Key: 'aws-cdk:path', Value: 'NeoStack/Resnet/Resource' }],
  request: {
    OutputConfig: {
      S3OutputLocation: 's3://out-bucket/compiled/',
      TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
      CompilerOptions: '{"gpu-code":"sm_72","trt-ver":"8.2.1","cuda-ver":"10.2"}',
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
    VpcConfig: { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] },
  },
});
const VALID: CreateCompilationJobCommandInput = createRequestOf(SPEC, nameOf(SPEC));

type Change = (request: CreateCompilationJobCommandInput) => void;

/** The request with one change applied (a deep copy: the fixture is never modified). */
function variant(change: Change): unknown {
  const copy = JSON.parse(JSON.stringify(VALID)) as CreateCompilationJobCommandInput;
  change(copy);
  return copy;
}

/** For changes the SDK's types forbid (which is the point: the model must catch them too). */
function loosely(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}

withModel('botocore\'s SageMaker, S3 and CloudFormation API models', () => {
  test('every pattern of the shapes the handler\'s operations use compiles as an anchored JavaScript regex', () => {
    const shapes = [
      ...sagemaker!.shapesOf(SAGEMAKER_OPERATIONS).map((name) => [sagemaker!, name] as const),
      ...s3!.shapesOf(['HeadObject', 'CopyObject']).map((name) => [s3!, name] as const),
    ];
    const withPattern = shapes.filter(([model, name]) => model.shape(name).pattern !== undefined);
    expect(withPattern.length).toBeGreaterThanOrEqual(10);
    for (const [model, name] of withPattern) expect(() => model.patternOf(name)).not.toThrow();
  });

  test('every pattern of the whole SageMaker, S3 and CloudFormation models compiles (Java POSIX classes and quantified $ translated)', () => {
    const failures: string[] = [];
    for (const model of [sagemaker!, s3!, cloudformation!]) {
      for (const name of model.shapeNames()) {
        try {
          model.patternOf(name);
        } catch (error) {
          failures.push(`${model.service} ${name}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  test('the CreateCompilationJob request the handler builds (tags, VPC, target platform, KMS) is valid', () => {
    expect(sagemaker!.validateInput('CreateCompilationJob', VALID)).toEqual([]);
  });

  test.each<[string, Change, string, RegExp]>([
    ['a job name with an underscore', (r) => { r.CompilationJobName = 'Neo_Stack-1'; }, 'CompilationJobName', /pattern/],
    ['a job name of 64 characters', (r) => { r.CompilationJobName = 'a'.repeat(64); }, 'CompilationJobName', /more than the maximum 63/],
    ['an unknown member', (r) => { loosely(r).JobName = 'x'; }, 'JobName', /not a member of CreateCompilationJobRequest/],
    ['a missing RoleArn', (r) => { delete r.RoleArn; }, 'RoleArn', /is required/],
    ['a role ARN of another service', (r) => { r.RoleArn = 'arn:aws:s3:::bucket/role'; }, 'RoleArn', /pattern/],
    ['an unknown target device', (r) => { r.OutputConfig!.TargetDevice = 'ml_c99' as TargetDevice; }, 'OutputConfig.TargetDevice', /not one of TargetDevice's values/],
    ['a target platform without Arch', (r) => { delete r.OutputConfig!.TargetPlatform!.Arch; }, 'OutputConfig.TargetPlatform.Arch', /is required/],
    ['MaxRuntimeInSeconds 0', (r) => { r.StoppingCondition!.MaxRuntimeInSeconds = 0; }, 'StoppingCondition.MaxRuntimeInSeconds', /below .* minimum 1/],
    ['MaxRuntimeInSeconds 1.5', (r) => { r.StoppingCondition!.MaxRuntimeInSeconds = 1.5; }, 'StoppingCondition.MaxRuntimeInSeconds', /integer/],
    ['MaxRuntimeInSeconds as a string', (r) => { loosely(r.StoppingCondition!).MaxRuntimeInSeconds = '900'; }, 'StoppingCondition.MaxRuntimeInSeconds', /integer/],
    ['51 tags', (r) => { r.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })); }, 'Tags', /more than the maximum 50/],
    ['a tag value with "!"', (r) => { r.Tags![0].Value = 'a!b'; }, 'Tags[0].Value', /pattern/],
    ['a tag value with an emoji (not \\p{L})', (r) => { r.Tags![0].Value = 'ml\u{1F680}'; }, 'Tags[0].Value', /pattern/],
    ['no security group', (r) => { r.VpcConfig!.SecurityGroupIds = []; }, 'VpcConfig.SecurityGroupIds', /fewer than the minimum 1/],
    ['compiler options over two lines (Java\'s "." stops at a line break)', (r) => { r.OutputConfig!.CompilerOptions = '{"a":\n1}'; }, 'OutputConfig.CompilerOptions', /pattern/],
    ['a framework version of one character', (r) => { r.InputConfig = { S3Uri: 's3://b/m.tar.gz', Framework: 'PYTORCH', FrameworkVersion: '2' }; }, 'InputConfig.FrameworkVersion', /fewer than the minimum 3/],
  ])('rejects %s', (_, change, at, rule) => {
    const violations = sagemaker!.validateInput('CreateCompilationJob', variant(change));
    expect(violations).toContainEqual(expect.objectContaining({ path: at, rule: expect.stringMatching(rule) as unknown as string }));
  });

  test('the other operations: required names, ARNs and tag keys', () => {
    expect(sagemaker!.validateInput('DescribeCompilationJob', { CompilationJobName: nameOf(SPEC) })).toEqual([]);
    expect(sagemaker!.validateInput('StopCompilationJob', {})).toEqual([expect.objectContaining({ path: 'CompilationJobName', rule: expect.stringMatching(/required/) })]);
    expect(sagemaker!.validateInput('DeleteTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:compilation-job/x', TagKeys: [] }))
      .toEqual([expect.objectContaining({ path: 'TagKeys', rule: expect.stringMatching(/fewer than the minimum 1/) })]);
    expect(s3!.validateInput('CopyObject', { Bucket: 'b', Key: 'k' })).toEqual([expect.objectContaining({ path: 'CopySource', rule: expect.stringMatching(/required/) })]);
    expect(s3!.validateInput('HeadObject', { Bucket: 'b', Key: 'models/m.tar.gz' })).toEqual([]);
  });

  test('DescribeStackResource: the request the handler sends before a late create is valid; both members are required; the answer\'s status is an enum', () => {
    expect(cloudformation!.apiVersion).toBe('2010-05-15');
    expect(cloudformation!.validateInput('DescribeStackResource', { StackName: STACK_ID, LogicalResourceId: LOGICAL_RESOURCE_ID })).toEqual([]);
    expect(cloudformation!.validateInput('DescribeStackResource', { StackName: STACK_ID })).toEqual([
      expect.objectContaining({ path: 'LogicalResourceId', rule: expect.stringMatching(/is required by DescribeStackResourceInput/) }),
    ]);
    const detail = {
      LogicalResourceId: LOGICAL_RESOURCE_ID,
      ResourceType: 'Custom::SageMakerNeoCompilationJob',
      LastUpdatedTimestamp: new Date(0),
      ResourceStatus: 'CREATE_WAITING',
    };
    expect(cloudformation!.validateOutput('DescribeStackResource', { StackResourceDetail: detail })).toEqual([
      expect.objectContaining({ path: 'StackResourceDetail.ResourceStatus', rule: expect.stringMatching(/is not one of ResourceStatus's values/) }),
    ]);
  });
});

test('Java patterns are anchored and \\p{...} keeps its Unicode meaning', () => {
  expect(compileJavaPattern('[a-z]+').test('abc1')).toBe(false); // whole value, as Java's matches()
  expect(compileJavaPattern('[\\p{L}\\p{Z}]+').test('Équipe Vision')).toBe(true);
  expect(compileJavaPattern('[\\p{L}]+').test('p{L}')).toBe(false);
  expect(compileJavaPattern('a|b').test('ab')).toBe(false); // the alternation is grouped before anchoring
  expect(compileJavaPattern('arn:[\\p{Alnum}\\-]+:x').test('arn:aws-cn:x')).toBe(true); // Java POSIX class inside a class
  expect(compileJavaPattern('\\p{Alnum}+').test('abc_')).toBe(false);
  expect(compileJavaPattern('([\\p{L}]*)${1,8}').test('abc')).toBe(true);
});
