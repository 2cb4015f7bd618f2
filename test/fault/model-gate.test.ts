/**
 * The model gate every stand-in answers through (./model-gate.ts): a request that breaks one of
 * botocore's constraints is refused with the service's code, HTTP 400 and AWS's wording (sources
 * at awsValidationMessage in ./api-model.ts); a valid one passes; an answer outside the output
 * shape fails the test. Skipped, with a notice, when botocore is missing.
 */
import { CloudFormationClient, SignalResourceCommand } from '@aws-sdk/client-cloudformation';
import { loadApiModel } from './api-model';
import { checkAnswer, ModelValidationError, refuseInvalid, takeGateFindings } from './model-gate';
import { startEndpoint } from '../driver/aws-endpoint';
import { CloudFormationModel } from '../driver/cloudformation';

const withModels = ['sagemaker', 's3', 'cloudformation', 'greengrassv2', 'stepfunctions', 'lambda']
  .every((service) => loadApiModel(service as Parameters<typeof loadApiModel>[0]) !== undefined) ? describe : describe.skip;

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/NeoStack/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7';
const SIGNAL = { StackName: STACK_ID, LogicalResourceId: 'ResnetWait1A2B3C4D', UniqueId: 'x'.repeat(64), Status: 'SUCCESS' as const };
const ROLE = 'arn:aws:iam::123456789012:role/NeoRole';
const CREATE = {
  CompilationJobName: 'NeoStack-1a2b3c4d-Resnet-0a1b2c3d4e5f6a7b',
  RoleArn: ROLE,
  InputConfig: { S3Uri: 's3://b/m.tar.gz', Framework: 'PYTORCH', FrameworkVersion: '2.0', DataInputConfig: '{"x":[1,3,224,224]}' },
  OutputConfig: { S3OutputLocation: 's3://out/compiled/', TargetDevice: 'ml_c5' },
  StoppingCondition: { MaxRuntimeInSeconds: 900 },
  Tags: [{ Key: 'team', Value: 'vision' }],
};

/** Lambda's function name pattern, as this botocore words it (it changes between releases). */
const lambdaModel = loadApiModel('lambda');
const FUNCTION_NAME_PATTERN = lambdaModel?.shape(lambdaModel.shape('InvocationRequest').members!.FunctionName.shape).pattern;

/** What the gate answers `input` with: the error's code, status and message. */
type Service = Parameters<typeof refuseInvalid>[0];

function refusal(service: Service, operation: string, input: unknown): { name: string; status?: number; message: string } {
  try {
    refuseInvalid(service, operation, input);
  } catch (error) {
    const e = error as ModelValidationError;
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error(`${service}.${operation} was accepted`);
}

function withChange(change: (request: typeof CREATE & Record<string, any>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(CREATE)) as typeof CREATE;
  change(copy);
  return copy;
}

afterEach(() => {
  // The refusals here are on purpose; the suites of the product assert the list empty.
  takeGateFindings();
});

withModels('the model gate refuses what AWS refuses, in AWS\'s words', () => {
  test('valid requests pass: the longest UniqueId CloudFormation takes, the handler\'s CreateCompilationJob, a Step Functions start', () => {
    expect(() => refuseInvalid('cloudformation', 'SignalResource', SIGNAL)).not.toThrow();
    expect(() => refuseInvalid('sagemaker', 'CreateCompilationJob', CREATE)).not.toThrow();
    expect(() => refuseInvalid('stepfunctions', 'StartExecution', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:LongRun', name: 'n'.repeat(80) })).not.toThrow();
    expect(takeGateFindings()).toEqual([]);
  });

  test.each<[string, Parameters<typeof refuseInvalid>[0], string, unknown, string, string]>([
    ['a length above the maximum (the long path\'s 65-character UniqueId)', 'cloudformation', 'SignalResource', { ...SIGNAL, UniqueId: 'x'.repeat(65) }, 'ValidationError',
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'uniqueId' failed to satisfy constraint: Member must have length less than or equal to 64`],
    ['a length below the minimum', 'cloudformation', 'SignalResource', { ...SIGNAL, UniqueId: '' }, 'ValidationError',
      '1 validation error detected: Value \'\' at \'uniqueId\' failed to satisfy constraint: Member must have length greater than or equal to 1'],
    ['a required member missing', 'cloudformation', 'SignalResource', { ...SIGNAL, Status: undefined }, 'ValidationError',
      '1 validation error detected: Value null at \'status\' failed to satisfy constraint: Member must not be null'],
    ['a value outside the enum', 'cloudformation', 'SignalResource', { ...SIGNAL, Status: 'DONE' }, 'ValidationError',
      '1 validation error detected: Value \'DONE\' at \'status\' failed to satisfy constraint: Member must satisfy enum value set: [SUCCESS, FAILURE]'],
    ['a pattern', 'sagemaker', 'CreateCompilationJob', withChange((r) => { r.CompilationJobName = 'Neo_Stack'; }), 'ValidationException',
      '1 validation error detected: Value \'Neo_Stack\' at \'compilationJobName\' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}'],
    ['a number below its range, nested', 'sagemaker', 'CreateCompilationJob', withChange((r) => { r.StoppingCondition.MaxRuntimeInSeconds = 0; }), 'ValidationException',
      '1 validation error detected: Value \'0\' at \'stoppingCondition.maxRuntimeInSeconds\' failed to satisfy constraint: Member must have value greater than or equal to 1'],
    ['a member of a structure in a list (numbered from 1)', 'sagemaker', 'CreateCompilationJob', withChange((r) => { r.Tags.push({ Key: 'k', Value: 'a!b' }); }), 'ValidationException',
      '1 validation error detected: Value \'a!b\' at \'tags.2.member.value\' failed to satisfy constraint: Member must satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)'],
    ['a list longer than its maximum', 'sagemaker', 'CreateCompilationJob', withChange((r) => { r.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })); }), 'ValidationException',
      `1 validation error detected: Value '[${Array.from({ length: 51 }, (_, i) => `{Key=k${i}, Value=v}`).join(', ')}]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`],
    ['an item of a list of strings (reported at the list)', 'sagemaker', 'CreateCompilationJob',
      withChange((r) => { r.VpcConfig = { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet_1', 'subnet_2'] }; }), 'ValidationException',
      '1 validation error detected: Value \'[subnet_1, subnet_2]\' at \'vpcConfig.subnets\' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: [-0-9a-zA-Z]+]'],
    ['a key of a map', 'greengrassv2', 'CreateComponentVersion', { inlineRecipe: 'e30=', tags: { ['k'.repeat(129)]: 'v' } }, 'ValidationException',
      `1 validation error detected: Value '{${'k'.repeat(129)}=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128]`],
    ['a sensitive member: its value is left out', 'stepfunctions', 'StartExecution', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M', input: 'x'.repeat(262_145) }, 'ValidationException',
      '1 validation error detected: Value at \'input\' failed to satisfy constraint: Member must have length less than or equal to 262144'],
    ['two constraints at once', 'stepfunctions', 'StartExecution', { name: 'n'.repeat(81) }, 'ValidationException',
      '2 validation errors detected: Value null at \'stateMachineArn\' failed to satisfy constraint: Member must not be null; ' +
      `Value '${'n'.repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`],
    ['a Lambda function name of another service', 'lambda', 'Invoke', { FunctionName: 'arn:aws:s3:::bucket' }, 'ValidationException',
      `1 validation error detected: Value 'arn:aws:s3:::bucket' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`],
    ['a log stream name CloudWatch Logs refuses (its own error code, the same wording)', 'logs', 'GetLogEvents',
      { logGroupName: '/aws/sagemaker/CompilationJobs', logStreamName: 'job:1' }, 'InvalidParameterException',
      '1 validation error detected: Value \'job:1\' at \'logStreamName\' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*'],
  ])('%s: refused with HTTP 400 and AWS\'s words', (_, service, operation, input, code, message) => {
    expect(refusal(service, operation, input)).toEqual({ name: code, status: 400, message });
    expect(takeGateFindings()).toEqual([`${service}.${operation} refused: ${code}: ${message}`]);
  });

  test('what AWS answers otherwise (a member the shape lacks, a wrong type) is refused too, named as the stand-in\'s refusal', () => {
    const answer = refusal('sagemaker', 'DescribeCompilationJob', { CompilationJobName: 'job', JobName: 'job' });
    expect(answer).toMatchObject({ name: 'SerializationException', status: 400 });
    expect(answer.message).toMatch(/^The stand-in refuses a request AWS would not take as sent: .*JobName is not a member of DescribeCompilationJobRequest/);
  });

  test('S3 has no validation layer of that kind: InvalidArgument', () => {
    expect(refusal('s3', 'HeadObject', { Bucket: 'b', Key: 'k', ChecksumMode: 'DISABLED' })).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  test('over the wire: CloudFormation (the driver\'s model) refuses a 65-character UniqueId as the SDK surfaces it, and takes 64', async () => {
    const cloudformation = new CloudFormationModel(() => Date.now(), () => 0);
    cloudformation.startWaiting(STACK_ID, SIGNAL.LogicalResourceId, 1, () => undefined);
    const endpoint = await startEndpoint({
      cloudformation: (action, input) => cloudformation.handle(action, input),
      response: () => undefined,
      now: () => Date.now(),
    });
    const client = new CloudFormationClient({
      endpoint: endpoint.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const refused = await client.send(new SignalResourceCommand({ ...SIGNAL, UniqueId: 'r'.repeat(65) })).catch((error: unknown) => error);
      expect(refused).toMatchObject({
        name: 'ValidationError',
        message: `1 validation error detected: Value '${'r'.repeat(65)}' at 'uniqueId' failed to satisfy constraint: Member must have length less than or equal to 64`,
        $metadata: { httpStatusCode: 400 },
      });
      expect(cloudformation.isWaiting(STACK_ID, SIGNAL.LogicalResourceId)).toBe(true);
      await client.send(new SignalResourceCommand(SIGNAL));
      expect(cloudformation.isWaiting(STACK_ID, SIGNAL.LogicalResourceId)).toBe(false);
      expect(cloudformation.signals.map((s) => [s.uniqueId.length, s.result])).toEqual([[65, 'ValidationError'], [64, 'ok']]);
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});

withModels('the model gate checks the stand-ins\' answers against the output shapes', () => {
  const VERSION = {
    arn: 'arn:aws:greengrass:us-east-1:123456789012:components:com.example.Detector:versions:1.0.0',
    componentName: 'com.example.Detector',
    componentVersion: '1.0.0',
    creationTimestamp: 1_735_689_600,
    status: { componentState: 'REQUESTED', message: 'NONE', errors: {} },
  };

  test('a Greengrass answer as the model describes it passes', () => {
    expect(() => checkAnswer('greengrassv2', 'CreateComponentVersion', VERSION)).not.toThrow();
  });

  test.each<[string, object, RegExp]>([
    ['a required member missing', { ...VERSION, status: undefined }, /status is required by CreateComponentVersionResponse/],
    ['a state outside the enum', { ...VERSION, status: { ...VERSION.status, componentState: 'READY' } }, /status.componentState "READY" is not one of CloudComponentState's values/],
    ['a wrong type', { ...VERSION, creationTimestamp: '2025-01-01' }, /creationTimestamp must be a timestamp/],
  ])('a Greengrass answer with %s fails the test', (_, answer, rule) => {
    expect(() => checkAnswer('greengrassv2', 'CreateComponentVersion', answer)).toThrow(rule);
  });

  test('GetComponent with an empty tag map fails the test (the model\'s TagMap has at least one entry: the stand-in leaves it out)', () => {
    expect(() => checkAnswer('greengrassv2', 'GetComponent', { recipeOutputFormat: 'JSON', recipe: 'e30=' })).not.toThrow();
    expect(() => checkAnswer('greengrassv2', 'GetComponent', { recipeOutputFormat: 'JSON', recipe: 'e30=', tags: {} })).toThrow(/tags has 0 entries, fewer than the minimum 1/);
  });

  test('SageMaker leaves FailureReason and ModelArtifacts out of a job that has not produced them: not a fault; a status outside the enum is', () => {
    const job = {
      CompilationJobName: 'job',
      CompilationJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:compilation-job/job',
      CompilationJobStatus: 'STARTING',
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
      CreationTime: new Date(0),
      LastModifiedTime: new Date(0),
      RoleArn: ROLE,
      InputConfig: CREATE.InputConfig,
      OutputConfig: CREATE.OutputConfig,
    };
    expect(() => checkAnswer('sagemaker', 'DescribeCompilationJob', job)).not.toThrow();
    expect(() => checkAnswer('sagemaker', 'DescribeCompilationJob', { ...job, CompilationJobStatus: 'RUNNING' })).toThrow(/CompilationJobStatus "RUNNING" is not one of/);
    expect(() => checkAnswer('sagemaker', 'DescribeCompilationJob', { ...job, RoleArn: undefined })).toThrow(/RoleArn is required/);
  });
});
