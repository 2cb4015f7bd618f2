/**
 * The custom resource handler, row by row of DESIGN.md's lifecycle table
 * (Create / Update / Delete, each for onEvent and isComplete), plus the faults
 * (throttling, quota, duplicate delivery, not found, stop of a finished job, 4096-byte cap).
 */
import { CloudFormationClient, CloudFormationServiceException, DescribeStackResourceCommand, ResourceStatus } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CopyObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  CreateCompilationJobCommand,
  DeleteCompilationJobCommand,
  DescribeCompilationJobCommand,
  SageMakerClient,
  StopCompilationJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  accessDenied,
  ARTIFACT_DIGEST,
  completedJob,
  createEvent,
  deleteEvent,
  describeOutput,
  failedJob,
  inProgressJob,
  INFERENCE_IMAGE,
  internalFailure,
  isCompleteEvent,
  jobArnOf,
  JobStatus,
  nameOf,
  resourceLimitExceeded,
  resourceNotFound,
  specOf,
  stoppedJob,
  stoppingJob,
  throttling,
  updateEvent,
  validationException,
} from './fixtures';
import { isComplete } from '../../lambda/compilation-job/is-complete';
import { onEvent } from '../../lambda/compilation-job/on-event';
import { isServerSideFailure } from '../../lambda/compilation-job/retry';
import type { CompilationJobSpec } from '../../src/private/contract';

const sagemaker = mockClient(SageMakerClient);
/** The handler's only S3 use: copying a local model (CDK asset `<hash>.gz`) to its `.tar.gz` key before Create. */
const s3 = mockClient(S3Client);
/** Asked only before a late create: does CloudFormation still wait for the resource? */
const cloudformation = mockClient(CloudFormationClient);
/** Read only after a job failed: the end of its log stream. */
const logs = mockClient(CloudWatchLogsClient);

function stackResourceStatus(status: ResourceStatus): void {
  cloudformation.on(DescribeStackResourceCommand).resolves({ $metadata: {}, StackResourceDetail: { ResourceStatus: status } as any });
}

/** Everything the handler may ever send to SageMaker. */
const ALLOWED_COMMANDS = new Set([
  'CreateCompilationJobCommand',
  'DescribeCompilationJobCommand',
  'StopCompilationJobCommand',
  'DeleteCompilationJobCommand',
  'AddTagsCommand',
  'DeleteTagsCommand',
]);
const WRITE_COMMANDS = new Set([...ALLOWED_COMMANDS].filter((name) => name !== 'DescribeCompilationJobCommand'));

const SPEC = specOf();
const NAME = nameOf(SPEC);
const LOGS = (name: string) => `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${name}.`;
/** The log every failed job of these tests wrote (beforeEach), as the reason quotes it: errors first. */
const TAIL = 'Errors in the job\'s log: ERROR: onnx.onnx_cpp2py_export.checker.ValidationError: model.onnx is not a valid ONNX file || Last lines: Loading model.onnx';

const ASSET_URI = 's3://cdk-hnb659fds-assets-123456789012-us-east-1/0f4c1e6a7b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f.gz';
const STAGED_URI = 's3://out-bucket/model-inputs/0f4c1e6a7b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f.tar.gz';
/** A job whose model is a local archive: the handler copies it to a `.tar.gz` key first. */
const LOCAL_SPEC = specOf({
  request: { InputConfig: { S3Uri: STAGED_URI, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
  inputCopy: { source: ASSET_URI, target: STAGED_URI },
});
const LOCAL_NAME = nameOf(LOCAL_SPEC);

function s3Error(name: string, httpStatusCode: number, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: httpStatusCode < 500 ? 'client' : 'server', $metadata: { httpStatusCode }, message });
}

function sentCommandNames(): string[] {
  return sagemaker.calls().map((call) => (call.args[0] as object).constructor.name);
}

function expectNoWrites(): void {
  expect(sentCommandNames().filter((name) => WRITE_COMMANDS.has(name))).toEqual([]);
}

/** Makes Describe answer with `output` (or fail with an error) for the given job name. */
function describeReturns(name: string, output: ReturnType<typeof describeOutput> | Error): void {
  const behaviour = sagemaker.on(DescribeCompilationJobCommand, { CompilationJobName: name });
  if (output instanceof Error) behaviour.rejects(output);
  else behaviour.resolves(output);
}

function createResolves(name: string): void {
  sagemaker.on(CreateCompilationJobCommand).resolves({ $metadata: {}, CompilationJobArn: jobArnOf(name) });
}

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  cloudformation.reset();
  logs.reset();
  stackResourceStatus('CREATE_IN_PROGRESS');
  logs.on(GetLogEventsCommand).resolves({
    events: [
      { timestamp: 1, message: 'Loading model.onnx' },
      { timestamp: 2, message: 'ERROR: onnx.onnx_cpp2py_export.checker.ValidationError: model.onnx is not a valid ONNX file' },
    ],
  });
  // Anything not set up by a test is an error, not a silent `undefined`.
  sagemaker.onAnyCommand().rejects(new Error('unexpected SageMaker call in this test'));
  s3.onAnyCommand().rejects(new Error('unexpected S3 call in this test'));
  // The staged copy of a local model does not exist yet, unless a test says otherwise.
  s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404, 'Not Found'));
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'log').mockImplementation(() => undefined); // the Provider framework logs every step
});

afterEach(() => {
  expect(sentCommandNames().filter((name) => !ALLOWED_COMMANDS.has(name))).toEqual([]);
  // The model copy (and its existence check) is the only S3 use; artifacts and input models are never deleted or changed.
  expect(s3.calls().map((call) => (call.args[0] as object).constructor.name)
    .filter((name) => name !== 'CopyObjectCommand' && name !== 'HeadObjectCommand')).toEqual([]);
  jest.restoreAllMocks();
});

describe('Create — onEvent', () => {
  test('Create/onEvent: the name does not depend on the key order of the request', () => {
    const reordered: CompilationJobSpec = {
      ...SPEC,
      request: {
        StoppingCondition: { MaxRuntimeInSeconds: 900 },
        OutputConfig: { TargetDevice: 'ml_c5', S3OutputLocation: 's3://out-bucket/compiled/' },
        InputConfig: { DataInputConfig: '{"input0":[1,3,224,224]}', Framework: 'ONNX', S3Uri: 's3://model-bucket/models/resnet18.tar.gz' },
        RoleArn: SPEC.request.RoleArn,
      },
    };
    expect(nameOf(reordered)).toBe(NAME);
  });

  test('Create/onEvent: a different request or a different construct address gives a different name', () => {
    const names = [
      NAME,
      nameOf(specOf({ request: { OutputConfig: { S3OutputLocation: 's3://out-bucket/compiled/', TargetDevice: 'rasp4b' } } })),
      nameOf(specOf({ request: { StoppingCondition: { MaxRuntimeInSeconds: 901 } } })),
      nameOf(specOf({ request: { InputConfig: { S3Uri: 's3://model-bucket/models/resnet50.tar.gz', Framework: 'ONNX' } } })),
      nameOf(specOf({ constructAddress: 'c8ffffffffffffffffffffffffffffffffffffffff' })),
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  test('Create/onEvent: tags, timeout and removal policy are not part of the name (they change nothing in SageMaker)', () => {
    expect(nameOf(specOf({ tags: [{ Key: 'team', Value: 'ml' }], timeoutSeconds: 3000, removalPolicy: 'retain' }))).toBe(NAME);
  });

  test('Create/isComplete: an existing job made from the same request is adopted', async () => {
    // SageMaker echoes the output location; a trailing slash must not count as a difference.
    const existing = completedJob(SPEC, NAME);
    describeReturns(NAME, { ...existing, OutputConfig: { ...existing.OutputConfig!, S3OutputLocation: `s3://out-bucket/compiled/${NAME}/` } });
    await expect(isComplete(isCompleteEvent(createEvent(SPEC), NAME))).resolves.toMatchObject({ IsComplete: true });
    expectNoWrites();
  });

  test('Create/isComplete: an existing job made from a different request fails, naming the differing field', async () => {
    const other = specOf({ request: { InputConfig: { S3Uri: 's3://someone-else/model.tar.gz', Framework: 'ONNX' } } });
    describeReturns(NAME, inProgressJob(other, NAME));
    const error = await isComplete(isCompleteEvent(createEvent(SPEC), NAME)).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(`A compilation job named ${NAME} already exists with a different request (InputConfig.S3Uri)`);
    expect(error!.message).not.toContain('RoleArn');
    expect(error!.message).not.toContain('\n');
  });

  test('Create/isComplete: an existing job with another target and role names both fields', async () => {
    const other = specOf({
      request: {
        RoleArn: 'arn:aws:iam::123456789012:role/other',
        OutputConfig: { S3OutputLocation: 's3://out-bucket/compiled/', TargetDevice: 'rasp4b' },
      },
    });
    describeReturns(NAME, inProgressJob(other, NAME));
    await expect(isComplete(isCompleteEvent(createEvent(SPEC), NAME))).rejects.toThrow('(RoleArn, OutputConfig.TargetDevice)');
  });

  test('Create/isComplete: a target platform echoed with its keys in another order is the same request', async () => {
    const platformSpec = specOf({ request: { OutputConfig: { S3OutputLocation: 's3://out-bucket/compiled/', TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' } } } });
    const name = nameOf(platformSpec);
    const job = inProgressJob(platformSpec, name);
    describeReturns(name, { ...job, OutputConfig: { ...job.OutputConfig!, TargetPlatform: { Accelerator: 'NVIDIA', Arch: 'ARM64', Os: 'LINUX' } } });
    await expect(isComplete(isCompleteEvent(createEvent(platformSpec), name))).resolves.toEqual({ IsComplete: false });
  });

});

describe('Create — isComplete', () => {
  const poll = () => isComplete(isCompleteEvent(createEvent(SPEC), NAME));

  test.each<[JobStatus]>([['STARTING'], ['INPROGRESS']])('Create/isComplete: %s -> IsComplete false', async (status) => {
    describeReturns(NAME, describeOutput(SPEC, NAME, status));
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expectNoWrites();
  });

  test('Create/isComplete: COMPLETED -> IsComplete true with the eight attributes', async () => {
    describeReturns(NAME, completedJob(SPEC, NAME));
    await expect(poll()).resolves.toEqual({
      IsComplete: true,
      Data: {
        CompilationJobName: NAME,
        CompilationJobArn: `arn:aws:sagemaker:us-east-1:123456789012:compilation-job/${NAME}`,
        ModelArtifactsS3Uri: `s3://out-bucket/compiled/${NAME}/model-ml_c5.tar.gz`,
        ModelArtifactsObjectKey: `compiled/${NAME}/model-ml_c5.tar.gz`,
        InferenceImage: INFERENCE_IMAGE,
        ArtifactDigest: ARTIFACT_DIGEST,
        DerivedDataInputConfig: '',
        CacheHit: 'false',
      },
    });
    expectNoWrites();
  });

  test('Create/isComplete: COMPLETED for an edge target -> InferenceImage and ArtifactDigest are empty strings', async () => {
    describeReturns(NAME, completedJob(SPEC, NAME, { inferenceImage: null, artifactDigest: null }));
    const result = await poll();
    expect(result.IsComplete && result.Data).toMatchObject({ InferenceImage: '', ArtifactDigest: '' });
  });

  test('Create/isComplete: COMPLETED without an S3 artifact fails with a clear message', async () => {
    describeReturns(NAME, { ...completedJob(SPEC, NAME), ModelArtifacts: undefined });
    await expect(poll()).rejects.toThrow(`Compilation job ${NAME} completed but reported no S3 model artifact`);
  });

  test('Create/isComplete: FAILED -> throws SageMaker\'s reason and where the logs are', async () => {
    const reason = 'ClientError: InputConfiguration: Unable to load the ONNX model: model.onnx is not a valid ONNX file.';
    describeReturns(NAME, failedJob(SPEC, NAME, reason));
    await expect(poll()).rejects.toThrow(new Error(`Compilation job ${NAME} failed: ${reason} ${TAIL} ${LOGS(NAME)}`));
    expect(logs).toHaveReceivedCommandWith(GetLogEventsCommand, { logGroupName: '/aws/sagemaker/CompilationJobs', logStreamName: NAME, startFromHead: false });
  });

  test.each([
    ['AccessDeniedException', 'the handler may not read it (AccessDenied)'],
    ['ThrottlingException', 'CloudWatch Logs did not answer in time (ThrottlingException)'],
    ['ResourceNotFoundException', 'the job wrote no log stream'],
  ])('Create/isComplete: FAILED and the log read refused (%s) -> SageMaker\'s reason, why the log is missing, and where it is', async (code, why) => {
    const reason = 'ClientError: CompilationError: Unable to compile model for ml_c5';
    describeReturns(NAME, failedJob(SPEC, NAME, reason));
    logs.on(GetLogEventsCommand).rejects(Object.assign(new Error(code), { name: code, $metadata: { httpStatusCode: 400 } }));
    await expect(poll()).rejects.toThrow(new Error(`Compilation job ${NAME} failed: ${reason} The job's log could not be read (${why}). ${LOGS(NAME)}`));
  });

  test.each([
    ['ServerError: There was an internal server error. Please try again in a few minutes.', true],
    ['InternalServerError: We encountered an internal error. Please try again.', true],
    ['ClientError: CompilationError: Unable to compile model', false],
    ['ClientError: an internal error of the model converter', false],
    ['TimeOut: the compilation job exceeded its stopping condition', false],
    [undefined, false],
  ])('retries: %s -> server-side %s', (reason, expected) => {
    expect(isServerSideFailure(reason)).toBe(expected);
  });

  test('Create/isComplete: FAILED with a multi-line reason -> one line', async () => {
    describeReturns(NAME, failedJob(SPEC, NAME, 'ClientError:\n  line one\n\tline two  '));
    const error = await poll().then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe(`Compilation job ${NAME} failed: ClientError: line one line two ${TAIL} ${LOGS(NAME)}`);
    expect(error?.stack).toBe(`DeploymentError: ${error?.message}`);
  });

  test.each<[JobStatus]>([['STOPPING'], ['STOPPED']])('Create/isComplete: %s -> throws (stopped by someone else)', async (status) => {
    describeReturns(NAME, describeOutput(SPEC, NAME, status));
    await expect(poll()).rejects.toThrow(`Compilation job ${NAME} was stopped (${status}) before it completed`);
    expectNoWrites();
  });

  test.each([
    ['throttling', throttling],
    ['an HTTP 500', internalFailure],
    ['ResourceLimitExceeded', resourceLimitExceeded],
  ])('Create/isComplete: %s on DescribeCompilationJob -> IsComplete false, never throws', async (_, error) => {
    describeReturns(NAME, error());
    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  test('Create/isComplete: a permanent error on DescribeCompilationJob fails', async () => {
    describeReturns(NAME, accessDenied());
    await expect(poll()).rejects.toThrow('not authorized');
  });

  test('Create/isComplete: ResourceNotFound (not created yet) -> creates the job and returns IsComplete false', async () => {
    describeReturns(NAME, resourceNotFound());
    createResolves(NAME);
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(sagemaker).toHaveReceivedCommandWith(CreateCompilationJobCommand, {
      CompilationJobName: NAME,
      OutputConfig: { S3OutputLocation: `s3://out-bucket/compiled/${NAME}`, TargetDevice: 'ml_c5' },
    });
  });

  test('Create/isComplete: ResourceNotFound for a local model -> copies the model, creates the job, IsComplete false', async () => {
    describeReturns(LOCAL_NAME, resourceNotFound());
    s3.on(CopyObjectCommand).resolves({ $metadata: {} });
    createResolves(LOCAL_NAME);
    await expect(isComplete(isCompleteEvent(createEvent(LOCAL_SPEC), LOCAL_NAME))).resolves.toEqual({ IsComplete: false });
    expect(s3).toHaveReceivedCommandTimes(CopyObjectCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(CreateCompilationJobCommand, { CompilationJobName: LOCAL_NAME });
  });

  test('Create/isComplete: ResourceNotFound, DescribeStackResource throttled -> IsComplete false, no create yet', async () => {
    cloudformation.on(DescribeStackResourceCommand).rejects(new CloudFormationServiceException({
      name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded',
    }));
    describeReturns(NAME, resourceNotFound());
    await expect(isComplete(isCompleteEvent(createEvent(SPEC), NAME))).resolves.toEqual({ IsComplete: false });
    expect(sagemaker).not.toHaveReceivedCommand(CreateCompilationJobCommand);
  });

  test('Update/isComplete: a new job not created yet is created while the resource is UPDATE_IN_PROGRESS', async () => {
    stackResourceStatus('UPDATE_IN_PROGRESS');
    const newSpec = specOf({ request: { StoppingCondition: { MaxRuntimeInSeconds: 600 } } });
    const newName = nameOf(newSpec);
    describeReturns(newName, resourceNotFound());
    createResolves(newName);
    await expect(isComplete(isCompleteEvent(updateEvent(newSpec, SPEC, NAME), newName))).resolves.toEqual({ IsComplete: false });
    expect(sagemaker).toHaveReceivedCommandWith(CreateCompilationJobCommand, { CompilationJobName: newName });
  });

  test('Create/isComplete: ResourceNotFound and the quota still full -> IsComplete false', async () => {
    describeReturns(NAME, resourceNotFound());
    sagemaker.on(CreateCompilationJobCommand).rejects(resourceLimitExceeded());
    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  describe('the job\'s own timeout', () => {
    const NOW = Date.parse('2025-06-01T12:00:00.000Z');
    beforeEach(() => {
      jest.spyOn(Date, 'now').mockReturnValue(NOW);
    });

    // A job of its own: the function instance remembers jobs the quota refused in earlier tests.
    const spec = specOf({ constructAddress: 'c8timeouttests' });
    const name = nameOf(spec);
    /** A poll of an operation that started `ms` ago (the timeout counts from there, not from the job's creation). */
    const pollStartedAgo = (ms: number) => isComplete({ ...isCompleteEvent(createEvent(spec), name), OperationStartedAt: NOW - ms });

    test('Create/isComplete: exactly at timeoutSeconds since the operation started -> still waiting, no stop', async () => {
      describeReturns(name, inProgressJob(spec, name, { createdAt: new Date(NOW - 10_000) }));
      await expect(pollStartedAgo(1200_000)).resolves.toEqual({ IsComplete: false });
      expectNoWrites();
    });

    test('Create/isComplete: past the timeout but Stop is throttled -> IsComplete false (the next poll stops it)', async () => {
      describeReturns(name, inProgressJob(spec, name, { createdAt: new Date(NOW - 10_000) }));
      sagemaker.on(StopCompilationJobCommand).rejects(throttling());
      await expect(pollStartedAgo(1300_000)).resolves.toEqual({ IsComplete: false });
      expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: name });
    });

  });
});

describe('Update — onEvent', () => {
  test('Update/onEvent: the same tags in another order -> no SageMaker call at all', async () => {
    const tags = [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }];
    await onEvent(updateEvent(specOf({ tags: [tags[1], tags[0]] }), specOf({ tags }), NAME));
    expect(sagemaker.calls()).toHaveLength(0);
  });

});

describe('Update — isComplete (as Create)', () => {
  const NEW_SPEC = specOf({ request: { StoppingCondition: { MaxRuntimeInSeconds: 1800 } }, timeoutSeconds: 2400 });
  const NEW_NAME = nameOf(NEW_SPEC, 'update');
  const poll = (physicalId: string, spec = NEW_SPEC) => isComplete(isCompleteEvent(updateEvent(spec, SPEC, NAME), physicalId));

  test('Update/isComplete: the new job INPROGRESS -> IsComplete false; the old job is not touched', async () => {
    describeReturns(NEW_NAME, inProgressJob(NEW_SPEC, NEW_NAME));
    await expect(poll(NEW_NAME)).resolves.toEqual({ IsComplete: false });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeCompilationJobCommand, { CompilationJobName: NEW_NAME });
    expect(sagemaker).not.toHaveReceivedCommandWith(DescribeCompilationJobCommand, { CompilationJobName: NAME });
  });

  test('Update/isComplete: the new job COMPLETED -> the attributes of the new job', async () => {
    describeReturns(NEW_NAME, completedJob(NEW_SPEC, NEW_NAME));
    const result = await poll(NEW_NAME);
    expect(result).toMatchObject({
      IsComplete: true,
      Data: { CompilationJobName: NEW_NAME, ModelArtifactsObjectKey: `compiled/${NEW_NAME}/model-ml_c5.tar.gz` },
    });
  });

  test('Update/isComplete: the new job FAILED -> throws with the reason', async () => {
    describeReturns(NEW_NAME, failedJob(NEW_SPEC, NEW_NAME, 'Out of memory.'));
    await expect(poll(NEW_NAME)).rejects.toThrow(`Compilation job ${NEW_NAME} failed: Out of memory. ${TAIL} ${LOGS(NEW_NAME)}`);
  });

  test('Update/isComplete: the new job uses the new timeoutSeconds', async () => {
    const now = Date.parse('2025-06-01T12:00:00.000Z');
    jest.spyOn(Date, 'now').mockReturnValue(now);
    describeReturns(NEW_NAME, inProgressJob(NEW_SPEC, NEW_NAME, { createdAt: new Date(now - 2000_000) }));
    await expect(poll(NEW_NAME)).resolves.toEqual({ IsComplete: false }); // 2000 s < 2400 s (the old spec said 1200)
  });

});

describe('Delete — onEvent', () => {
  afterEach(() => {
    expect(s3.calls()).toHaveLength(0); // never touches the model, its copy or the artifacts
  });

  test('Delete/onEvent: a job with a local model -> stopped, no S3 call', async () => {
    describeReturns(LOCAL_NAME, inProgressJob(LOCAL_SPEC, LOCAL_NAME));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    await expect(onEvent(deleteEvent(LOCAL_SPEC, LOCAL_NAME))).resolves.toEqual({ PhysicalResourceId: LOCAL_NAME });
    expect(sentCommandNames()).toEqual(['DescribeCompilationJobCommand', 'StopCompilationJobCommand']);
  });

  test.each<[JobStatus]>([['STARTING'], ['INPROGRESS']])('Delete/onEvent: a running job (%s) -> StopCompilationJob', async (status) => {
    describeReturns(NAME, describeOutput(SPEC, NAME, status));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    await expect(onEvent(deleteEvent(SPEC, NAME))).resolves.toEqual({ PhysicalResourceId: NAME });
    expect(sagemaker).toHaveReceivedCommandTimes(StopCompilationJobCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: NAME });
    expect(sagemaker).not.toHaveReceivedCommand(DeleteCompilationJobCommand);
  });

  test.each<[JobStatus]>([['COMPLETED'], ['FAILED'], ['STOPPING'], ['STOPPED']])('Delete/onEvent: a job that is not running (%s) -> no stop', async (status) => {
    describeReturns(NAME, describeOutput(SPEC, NAME, status));
    await expect(onEvent(deleteEvent(SPEC, NAME))).resolves.toEqual({ PhysicalResourceId: NAME });
    expectNoWrites();
  });

  test('Delete/onEvent: the job does not exist -> fine', async () => {
    describeReturns(NAME, resourceNotFound());
    await expect(onEvent(deleteEvent(SPEC, NAME))).resolves.toEqual({ PhysicalResourceId: NAME });
    expectNoWrites();
  });

  test('Delete/onEvent: a job that finished between Describe and Stop (Stop -> ValidationException) -> no failure', async () => {
    describeReturns(NAME, inProgressJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).rejects(validationException(`The compilation job ${NAME} is not in a stoppable state.`));
    await expect(onEvent(deleteEvent(SPEC, NAME))).resolves.toEqual({ PhysicalResourceId: NAME });
  });

  test.each([
    ['throttling on Describe', () => describeReturns(NAME, throttling())],
    ['an HTTP 500 on Describe', () => describeReturns(NAME, internalFailure())],
    ['throttling on Stop', () => {
      describeReturns(NAME, inProgressJob(SPEC, NAME));
      sagemaker.on(StopCompilationJobCommand).rejects(throttling());
    }],
  ])('Delete/onEvent: %s -> no failure (isComplete stops the job)', async (_, arrange) => {
    arrange();
    await expect(onEvent(deleteEvent(SPEC, NAME))).resolves.toEqual({ PhysicalResourceId: NAME });
  });

  test('Delete/onEvent: the old job of a replacement (cleanup after an Update) is stopped under its own name, not the recomputed one', async () => {
    const oldName = nameOf(specOf({ request: { StoppingCondition: { MaxRuntimeInSeconds: 600 } } }));
    describeReturns(oldName, inProgressJob(SPEC, oldName));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    await expect(onEvent(deleteEvent(SPEC, oldName))).resolves.toEqual({ PhysicalResourceId: oldName });
    expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: oldName });
    expect(sagemaker).not.toHaveReceivedCommandWith(DescribeCompilationJobCommand, { CompilationJobName: NAME });
  });

  test('Delete/onEvent: a permanent error on Describe fails the delete', async () => {
    describeReturns(NAME, accessDenied());
    await expect(onEvent(deleteEvent(SPEC, NAME))).rejects.toThrow('not authorized');
  });
});

describe('Delete — isComplete', () => {
  const poll = (physicalId = NAME, spec = SPEC) => isComplete(isCompleteEvent(deleteEvent(spec, physicalId), physicalId));

  afterEach(() => {
    expect(s3.calls()).toHaveLength(0); // never deletes model artifacts or the input model
  });

  test('Delete/isComplete: a COMPLETED job with a local model -> only the job record is deleted, no S3 call', async () => {
    describeReturns(LOCAL_NAME, completedJob(LOCAL_SPEC, LOCAL_NAME));
    sagemaker.on(DeleteCompilationJobCommand).resolves({ $metadata: {} });
    await expect(poll(LOCAL_NAME, LOCAL_SPEC)).resolves.toEqual({ IsComplete: true });
    expect(sentCommandNames()).toEqual(['DescribeCompilationJobCommand', 'DeleteCompilationJobCommand']);
  });

  test('Delete/isComplete: STOPPING -> IsComplete false, nothing sent but Describe', async () => {
    describeReturns(NAME, stoppingJob(SPEC, NAME));
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(sentCommandNames()).toEqual(['DescribeCompilationJobCommand']);
  });

  test.each<[JobStatus]>([['STARTING'], ['INPROGRESS']])('Delete/isComplete: %s -> IsComplete false and Stop sent again', async (status) => {
    describeReturns(NAME, describeOutput(SPEC, NAME, status));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: NAME });
    expect(sagemaker).not.toHaveReceivedCommand(DeleteCompilationJobCommand);
  });

  test.each<[JobStatus]>([['COMPLETED'], ['FAILED'], ['STOPPED']])(
    'Delete/isComplete: %s with removalPolicy destroy -> DeleteCompilationJob, complete; only Describe and Delete sent',
    async (status) => {
      describeReturns(NAME, describeOutput(SPEC, NAME, status));
      sagemaker.on(DeleteCompilationJobCommand).resolves({ $metadata: {} });
      await expect(poll()).resolves.toEqual({ IsComplete: true });
      expect(sagemaker).toHaveReceivedCommandWith(DeleteCompilationJobCommand, { CompilationJobName: NAME });
      expect(sentCommandNames()).toEqual(['DescribeCompilationJobCommand', 'DeleteCompilationJobCommand']);
    });

  test.each<[JobStatus]>([['COMPLETED'], ['FAILED'], ['STOPPED']])('Delete/isComplete: %s with removalPolicy retain -> complete, no DeleteCompilationJob', async (status) => {
    const retained = specOf({ removalPolicy: 'retain' });
    describeReturns(NAME, describeOutput(retained, NAME, status));
    await expect(poll(NAME, retained)).resolves.toEqual({ IsComplete: true });
    expectNoWrites();
  });

  test('Delete/isComplete: ResourceNotFound on Describe -> complete', async () => {
    describeReturns(NAME, resourceNotFound());
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expectNoWrites();
  });

  test('Delete/isComplete: ResourceNotFound on DeleteCompilationJob (deleted in between) -> complete', async () => {
    describeReturns(NAME, completedJob(SPEC, NAME));
    sagemaker.on(DeleteCompilationJobCommand).rejects(resourceNotFound());
    await expect(poll()).resolves.toEqual({ IsComplete: true });
  });

  test('Delete/isComplete: ResourceNotFound on Stop (vanished in between) -> no failure', async () => {
    describeReturns(NAME, inProgressJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).rejects(resourceNotFound());
    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  test('Delete/isComplete: Stop of a job that finished in between (ValidationException) -> no failure; the next poll deletes it', async () => {
    sagemaker.on(DescribeCompilationJobCommand, { CompilationJobName: NAME })
      .resolvesOnce(inProgressJob(SPEC, NAME))
      .resolves(completedJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).rejects(validationException(`The compilation job ${NAME} is not in a stoppable state.`));
    sagemaker.on(DeleteCompilationJobCommand).resolves({ $metadata: {} });
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    await expect(poll()).resolves.toEqual({ IsComplete: true });
    expect(sagemaker).toHaveReceivedCommandTimes(DeleteCompilationJobCommand, 1);
  });

  test.each([
    ['throttling on Describe', () => describeReturns(NAME, throttling())],
    ['an HTTP 500 on Describe', () => describeReturns(NAME, internalFailure())],
    ['throttling on DeleteCompilationJob', () => {
      describeReturns(NAME, completedJob(SPEC, NAME));
      sagemaker.on(DeleteCompilationJobCommand).rejects(throttling());
    }],
  ])('Delete/isComplete: %s -> IsComplete false, never throws', async (_, arrange) => {
    arrange();
    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  test('Delete (running job, full sequence): stop, wait through STOPPING, delete the record', async () => {
    const event = deleteEvent(SPEC, NAME);
    sagemaker.on(DescribeCompilationJobCommand, { CompilationJobName: NAME })
      .resolvesOnce(inProgressJob(SPEC, NAME)) // onEvent
      .resolvesOnce(stoppingJob(SPEC, NAME))
      .resolvesOnce(stoppingJob(SPEC, NAME))
      .resolves(stoppedJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    sagemaker.on(DeleteCompilationJobCommand).resolves({ $metadata: {} });

    const { PhysicalResourceId } = await onEvent(event);
    const polls = [];
    for (let i = 0; i < 3; i++) polls.push((await isComplete(isCompleteEvent(event, PhysicalResourceId))).IsComplete);
    expect(polls).toEqual([false, false, true]);
    expect(sentCommandNames()).toEqual([
      'DescribeCompilationJobCommand', 'StopCompilationJobCommand',
      'DescribeCompilationJobCommand', 'DescribeCompilationJobCommand', 'DescribeCompilationJobCommand',
      'DeleteCompilationJobCommand',
    ]);
  });
});
