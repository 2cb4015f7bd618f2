/**
 * The handler on the long path, call by call: the start resource hands the wait to a run (Step
 * Functions StartExecution) once the job is created or the quota refuses it, its Delete stops the
 * runs before the jobs, and the result resource turns the ended job into attributes or the one-hour
 * path's messages. End to end (real Provider framework, the definition run, WaitCondition) in test/long.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateCompilationJobCommand, DeleteCompilationJobCommand, DescribeCompilationJobCommand, ListCompilationJobsCommand, SageMakerClient,
  StopCompilationJobCommand,
} from '@aws-sdk/client-sagemaker';
import {
  DescribeExecutionCommand, ExecutionAlreadyExists, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  completedJob, createEvent, deleteEvent, failedJob, inProgressJob, isCompleteEvent, jobArnOf, nameOf, resourceLimitExceeded,
  REQUEST_ID, resourceNotFound, specOf, STACK_ID, stoppedJob,
} from './fixtures';
import type { IsCompleteRequest } from '../../lambda/compilation-job/cloudformation';
import { isComplete, onEvent } from '../../lambda/compilation-job/index';
import { runNameOf } from '../../lambda/compilation-job/long-run';
import { RESULT_RESOURCE_TYPE } from '../../src/private/contract';
import type { CompilationJobAttributes, CompilationResultSpec, LongRunInput } from '../../src/private/contract';

const sagemaker = mockClient(SageMakerClient);
const stepFunctions = mockClient(SFNClient);
const cloudformation = mockClient(CloudFormationClient);
/** Read only after a job failed: the end of its log stream. */
const logs = mockClient(CloudWatchLogsClient);

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:LongRun-AbC123';
const WAIT = 'ResnetCompiled1A2B3C4Dab12cd34';
const HOURS = 3600;
const SPEC = specOf({ timeoutSeconds: 4 * HOURS, longRun: { stateMachineArn: STATE_MACHINE } });
const NAME = nameOf(SPEC);
const RUN = runNameOf(NAME, WAIT, REQUEST_ID);
const RUN_ARN = `arn:aws:states:us-east-1:123456789012:execution:LongRun-AbC123:${RUN}`;

function withWait<E extends { ResourceProperties: object }>(event: E): E {
  return { ...event, ResourceProperties: { ...event.ResourceProperties, WaitCondition: WAIT } };
}

beforeEach(() => {
  sagemaker.reset();
  stepFunctions.reset();
  cloudformation.reset();
  logs.reset();
  logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'ERROR: could not read model.tar.gz: not a gzip file' }] });
  sagemaker.onAnyCommand().rejects(new Error('unexpected SageMaker call in this test'));
  stepFunctions.onAnyCommand().rejects(new Error('unexpected Step Functions call in this test'));
  cloudformation.on(DescribeStackResourceCommand).resolves({ $metadata: {}, StackResourceDetail: { ResourceStatus: 'CREATE_IN_PROGRESS' } as any });
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

/** A run that failed on a SageMaker error the AWS SDK integration names generically (its model does not declare it). */
function failedRun(cause: string) {
  return { $metadata: {}, executionArn: RUN_ARN, stateMachineArn: STATE_MACHINE, status: 'FAILED' as const, startDate: new Date(), error: 'SageMaker.SageMakerException', cause };
}

describe('start resource: creates (or finds the quota full), then hands the wait to a run', () => {
  async function firstPoll(): Promise<{ response: unknown; startedAt: number }> {
    const event = withWait(createEvent(SPEC));
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    sagemaker.on(ListCompilationJobsCommand).resolves({ $metadata: {}, CompilationJobSummaries: [] });
    const started = await onEvent(event) as { PhysicalResourceId: string; OperationStartedAt: number };
    const response = await isComplete({ ...isCompleteEvent(event, started.PhysicalResourceId), ...started });
    return { response, startedAt: started.OperationStartedAt };
  }

  test('created: one run named after the job and its WaitCondition, with the whole request, the deadline and the signal', async () => {
    sagemaker.on(CreateCompilationJobCommand).resolves({ $metadata: {}, CompilationJobArn: jobArnOf(NAME) });
    stepFunctions.on(StartExecutionCommand).resolves({ $metadata: {}, executionArn: RUN_ARN, startDate: new Date() });
    const { response, startedAt } = await firstPoll();
    const deadline = new Date(startedAt + 4 * HOURS * 1000).toISOString();
    expect(response).toEqual({ IsComplete: true, Data: { CompilationJobName: NAME, ExecutionArn: RUN_ARN, Deadline: deadline } });
    expect(stepFunctions).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const start = stepFunctions.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE);
    expect(start.name).toBe(RUN);
    expect(RUN.length).toBeLessThanOrEqual(80);
    const input = JSON.parse(start.input!) as LongRunInput;
    expect(input.request).toEqual(sagemaker.commandCalls(CreateCompilationJobCommand)[0].args[0].input);
    expect(input).toMatchObject({ deadline, signal: { StackName: STACK_ID, LogicalResourceId: WAIT, UniqueId: RUN } });
    // The run tries to signal until the WaitCondition (which begins after this hand-off) must have
    // timed out: its timeout (4 h + 5 min) from now.
    const signalBy = Date.parse(input.signalBy) - Date.now();
    expect(signalBy).toBeLessThanOrEqual((4 * HOURS + 300) * 1000);
    expect(signalBy).toBeGreaterThan((4 * HOURS + 290) * 1000);
  });

  test('every slot of the quota taken: the run waits for one; the start resource does not', async () => {
    sagemaker.on(CreateCompilationJobCommand).rejects(resourceLimitExceeded());
    stepFunctions.on(StartExecutionCommand).resolves({ $metadata: {}, executionArn: RUN_ARN, startDate: new Date() });
    const { response } = await firstPoll();
    expect(response).toMatchObject({ IsComplete: true, Data: { CompilationJobName: NAME } });
    expect(stepFunctions).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  test('a poll repeated after the run started (ExecutionAlreadyExists): complete, no second run', async () => {
    sagemaker.on(CreateCompilationJobCommand).resolves({ $metadata: {}, CompilationJobArn: jobArnOf(NAME) });
    stepFunctions.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ $metadata: {}, message: `Execution Already Exists: '${RUN_ARN}'` }));
    const { response } = await firstPoll();
    expect(response).toMatchObject({ IsComplete: true, Data: { ExecutionArn: RUN_ARN } });
  });
});

/** A cache hit's attributes, as onEvent's lookup returns them in Data (lambda/compilation-job/cache.ts). */
const CACHED: CompilationJobAttributes = {
  CompilationJobName: 'Dev-Resnet-0123456789abcdef',
  CompilationJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:compilation-job/Dev-Resnet-0123456789abcdef',
  ModelArtifactsS3Uri: `s3://out-bucket/compiled/${NAME}/model-ml_c5.tar.gz`,
  ModelArtifactsObjectKey: `compiled/${NAME}/model-ml_c5.tar.gz`,
  InferenceImage: 'image',
  ArtifactDigest: 'sha256:11',
  DerivedDataInputConfig: '',
  CacheHit: 'true',
};

/** The result resource's poll, with the run's deadline at `deadline`. */
function hitResultEvent(deadline: Date): IsCompleteRequest {
  const result: CompilationResultSpec = {
    compilationJobName: NAME, executionArn: RUN_ARN, deadline: deadline.toISOString(), timeoutSeconds: 4 * HOURS, waitCondition: WAIT,
  };
  const event = { ...createEvent(SPEC), ResourceType: RESULT_RESOURCE_TYPE, ResourceProperties: { ServiceToken: 'x', Result: JSON.stringify(result) } };
  return { ...event, PhysicalResourceId: NAME } as unknown as IsCompleteRequest;
}

describe('compile once on the long path: a hit creates no job; its run only signals', () => {
  test('start resource: onEvent copied a cached artifact; the poll starts a run whose input says so, with the attributes and no retries, and calls no SageMaker', async () => {
    stepFunctions.on(StartExecutionCommand).resolves({ $metadata: {}, executionArn: RUN_ARN, startDate: new Date() });
    const event = withWait(createEvent(SPEC));
    const startedAt = Date.now();
    const response = await isComplete({
      ...isCompleteEvent(event, NAME), PhysicalResourceId: NAME, OperationStartedAt: startedAt, CacheHit: true, Data: CACHED,
    });
    const deadline = new Date(startedAt + 4 * HOURS * 1000).toISOString();
    expect(response).toEqual({ IsComplete: true, Data: { CompilationJobName: NAME, ExecutionArn: RUN_ARN, Deadline: deadline } });
    const input = JSON.parse(stepFunctions.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as LongRunInput;
    expect(input).toMatchObject({
      cacheHit: true, cached: CACHED, deadline, signal: { StackName: STACK_ID, LogicalResourceId: WAIT, UniqueId: RUN },
    });
    expect(input.retry).toBeUndefined();
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('result resource: no job of its name, its run started after a hit: the hit\'s attributes from the run\'s input (past the deadline too), nothing stopped or published', async () => {
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    const input = { cacheHit: true, cached: CACHED };
    stepFunctions.on(DescribeExecutionCommand).resolves({
      $metadata: {}, executionArn: RUN_ARN, stateMachineArn: STATE_MACHINE, status: 'SUCCEEDED', startDate: new Date(), input: JSON.stringify(input),
    });
    await expect(isComplete(hitResultEvent(new Date(Date.now() - 1000)))).resolves.toEqual({ IsComplete: true, Data: CACHED });
    expect(sagemaker.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeCompilationJobCommand']);
  });

  test('result resource: a run input that claims a hit without the attributes is no hit (the run\'s failure is reported)', async () => {
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    stepFunctions.on(DescribeExecutionCommand).resolves({ ...failedRun('refused (Service: SageMaker, Status Code: 400)'), input: JSON.stringify({ cacheHit: true }) });
    await expect(isComplete(hitResultEvent(new Date(Date.now() + HOURS * 1000)))).rejects.toThrow(`Compilation job ${NAME} was not created: SageMaker.SageMakerException: refused`);
  });
});

describe('start resource Delete: its runs stop before its jobs', () => {
  test('the job\'s running run is stopped, then the job; other jobs\' runs are left alone', async () => {
    stepFunctions.on(ListExecutionsCommand).resolves({
      $metadata: {},
      executions: [
        { executionArn: RUN_ARN, name: RUN, stateMachineArn: STATE_MACHINE, status: 'RUNNING', startDate: new Date() },
        { executionArn: `${RUN_ARN}x`, name: 'other-job-12345678', stateMachineArn: STATE_MACHINE, status: 'RUNNING', startDate: new Date() },
      ],
    });
    const order: string[] = [];
    stepFunctions.on(StopExecutionCommand).callsFake(() => { order.push('run'); return { $metadata: {}, stopDate: new Date() }; });
    sagemaker.on(DescribeCompilationJobCommand).resolves(inProgressJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).callsFake(() => { order.push('job'); return { $metadata: {} }; });
    const event = withWait(deleteEvent(SPEC, NAME));
    const response = await onEvent(event);
    expect(response).toMatchObject({ PhysicalResourceId: NAME, OperationStartedAt: expect.any(Number), RunsStopped: true });
    expect(stepFunctions).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
    expect(stepFunctions).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: RUN_ARN });
    expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: NAME });
    expect(order).toEqual(['run', 'job']);
  });

  test('the polls list the runs again only when onEvent\'s listing failed (a throttled burst of deletes)', async () => {
    stepFunctions.on(ListExecutionsCommand).resolves({ $metadata: {}, executions: [] });
    sagemaker.on(DescribeCompilationJobCommand).resolves(completedJob(SPEC, NAME));
    sagemaker.on(DeleteCompilationJobCommand).resolves({ $metadata: {} });
    const event = withWait(deleteEvent(SPEC, NAME));
    const startedAt = Date.now() - 60_000;
    await isComplete({ ...isCompleteEvent(event, NAME), OperationStartedAt: startedAt, RunsStopped: true });
    expect(stepFunctions).not.toHaveReceivedCommand(ListExecutionsCommand);
    await isComplete({ ...isCompleteEvent(event, NAME), OperationStartedAt: startedAt, RunsStopped: false });
    expect(stepFunctions).toHaveReceivedCommandTimes(ListExecutionsCommand, 1);
  });

  test('the stack\'s last long job removed (or moved to the one-hour path): its cleanup Delete still stops and deletes the job, though the run permissions are gone', async () => {
    // The update removed the state machine and, in its update phase, the handler's states:* statements;
    // the old start resource is deleted in the cleanup that follows, before the state machine.
    const accessDenied = Object.assign(new Error('User is not authorized to perform: states:ListExecutions'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    stepFunctions.on(ListExecutionsCommand).rejects(accessDenied);
    sagemaker.on(DescribeCompilationJobCommand).resolvesOnce(inProgressJob(SPEC, NAME)).resolves(stoppedJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    sagemaker.on(DeleteCompilationJobCommand).resolves({ $metadata: {} });
    const event = withWait(deleteEvent(SPEC, NAME));
    const started = await onEvent(event) as { OperationStartedAt: number };
    expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: NAME });
    const done = await isComplete({ ...isCompleteEvent(event, NAME), ...started, OperationStartedAt: started.OperationStartedAt - 11_000 });
    expect(done).toEqual({ IsComplete: true });
    expect(sagemaker).toHaveReceivedCommandWith(DeleteCompilationJobCommand, { CompilationJobName: NAME });
    // The state machine already gone (a Delete retried after the cleanup): the same.
    stepFunctions.on(ListExecutionsCommand).rejects(Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist', $metadata: { httpStatusCode: 400 } }));
    await expect(onEvent(event)).resolves.toMatchObject({ PhysicalResourceId: NAME });
  });

  test('no job found: complete only a poll later, since a stopped run\'s create may still land', async () => {
    stepFunctions.on(ListExecutionsCommand).resolves({ $metadata: {}, executions: [] });
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    const event = withWait(deleteEvent(SPEC, NAME));
    const now = Date.now();
    const early = await isComplete({ ...isCompleteEvent(event, NAME), OperationStartedAt: now - 1000 });
    const later = await isComplete({ ...isCompleteEvent(event, NAME), OperationStartedAt: now - 11_000 });
    expect([early, later]).toEqual([{ IsComplete: false }, { IsComplete: true }]);
  });
});

describe('result resource: the ended job\'s attributes, or why it did not compile', () => {
  /** A result resource's event (its properties are not the job resource's, which the event types name). */
  function resultEvent(overrides: Partial<CompilationResultSpec> = {}): IsCompleteRequest {
    const result: CompilationResultSpec = {
      compilationJobName: NAME,
      executionArn: RUN_ARN,
      deadline: new Date(Date.now() + HOURS * 1000).toISOString(),
      timeoutSeconds: 4 * HOURS,
      waitCondition: WAIT,
      ...overrides,
    };
    const event = { ...createEvent(SPEC), ResourceType: RESULT_RESOURCE_TYPE, ResourceProperties: { ServiceToken: 'x', Result: JSON.stringify(result) } };
    return { ...event, PhysicalResourceId: NAME } as unknown as IsCompleteRequest;
  }
  const passed = new Date(Date.now() - 1000).toISOString();

  test('onEvent: the job name is its physical id; nothing is called', async () => {
    await expect(onEvent(resultEvent())).resolves.toEqual({ PhysicalResourceId: NAME });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('COMPLETED: the same attributes as the one-hour path', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(completedJob(SPEC, NAME));
    const response = await isComplete(resultEvent()) as unknown as { IsComplete: true; Data: Record<string, string> };
    expect(response.IsComplete).toBe(true);
    expect(response.Data.CompilationJobName).toBe(NAME);
    expect(response.Data.ModelArtifactsS3Uri).toMatch(new RegExp(`^s3://.*/${NAME}/`));
  });

  test('FAILED: SageMaker\'s reason, the log tail and the log location', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(failedJob(SPEC, NAME, 'ClientError: InputConfiguration: Unable to load the model'));
    await expect(isComplete(resultEvent())).rejects.toThrow(
      `Compilation job ${NAME} failed: ClientError: InputConfiguration: Unable to load the model ` +
      'Errors in the job\'s log: ERROR: could not read model.tar.gz: not a gzip file ' +
      `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${NAME}.`);
  });

  test('STOPPED after the deadline: the run stopped it; the timeout message', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(stoppedJob(SPEC, NAME));
    await expect(isComplete(resultEvent({ deadline: passed }))).rejects.toThrow(
      `Compilation job ${NAME} did not finish within its timeout of 14400 seconds`);
  });

  test('STOPPED within the deadline\'s last second: the run\'s Wait (TimestampPath, whole seconds) ended then and stopped it; the timeout message, not "someone else"', async () => {
    const now = Date.UTC(2026, 11, 5, 22, 0, 0, 300);
    jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      sagemaker.on(DescribeCompilationJobCommand).resolves(stoppedJob(SPEC, NAME));
      // The deadline is 0.4 s away; the Wait until it ended at 22:00:00.000 and the run stopped the job.
      await expect(isComplete(resultEvent({ deadline: new Date(now + 400).toISOString() }))).rejects.toThrow(
        `Compilation job ${NAME} did not finish within its timeout of 14400 seconds`);
      await expect(isComplete(resultEvent({ deadline: new Date(now + 1000).toISOString() }))).rejects.toThrow('it was not stopped by this deployment');
    } finally {
      jest.spyOn(Date, 'now').mockRestore();
    }
  });

  test('still running after the deadline (the run\'s stop was throttled away): the result stops it and says it timed out', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(inProgressJob(SPEC, NAME));
    sagemaker.on(StopCompilationJobCommand).resolves({ $metadata: {} });
    await expect(isComplete(resultEvent({ deadline: passed }))).rejects.toThrow(
      `Compilation job ${NAME} did not finish within its timeout of 14400 seconds`);
    expect(sagemaker).toHaveReceivedCommandWith(StopCompilationJobCommand, { CompilationJobName: NAME });
  });

  test('still running before the deadline, its run still running (signalled by hand?): poll again, stop nothing', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(inProgressJob(SPEC, NAME));
    stepFunctions.on(DescribeExecutionCommand).resolves({ $metadata: {}, executionArn: RUN_ARN, stateMachineArn: STATE_MACHINE, status: 'RUNNING', startDate: new Date() });
    await expect(isComplete(resultEvent())).resolves.toEqual({ IsComplete: false });
    expect(sagemaker).not.toHaveReceivedCommand(StopCompilationJobCommand);
  });

  test('still running before the deadline, but its run failed (a Describe it could not take for transient): the run\'s error and cause, at once', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(inProgressJob(SPEC, NAME));
    stepFunctions.on(DescribeExecutionCommand).resolves(failedRun('Slow down, please (Service: SageMaker, Status Code: 400, Request ID: 5d2c6a1e)'));
    await expect(isComplete(resultEvent())).rejects.toThrow(
      `Compilation job ${NAME} is still running, but the run waiting for it failed: SageMaker.SageMakerException: Slow down, please (Service: SageMaker`);
    expect(sagemaker).not.toHaveReceivedCommand(StopCompilationJobCommand);
  });

  test('STOPPED before the deadline: someone else stopped it', async () => {
    sagemaker.on(DescribeCompilationJobCommand).resolves(stoppedJob(SPEC, NAME));
    await expect(isComplete(resultEvent())).rejects.toThrow('it was not stopped by this deployment');
  });

  test('never created, deadline passed: the quota\'s advice', async () => {
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    // The run is read first (a cache hit's run carries the attributes); this one waited for the quota.
    stepFunctions.on(DescribeExecutionCommand).resolves(failedRun('The job did not end before its deadline.'));
    await expect(isComplete(resultEvent({ deadline: passed }))).rejects.toThrow(
      `Compilation job ${NAME} was not created within its timeout of 14400 seconds. Every slot of the account's quota`);
  });

  test('never created before the deadline: the run\'s error and cause (SageMaker refused the request)', async () => {
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    // As the AWS SDK integration names an error SageMaker's model does not declare.
    stepFunctions.on(DescribeExecutionCommand).resolves(failedRun('TargetDevice ml_inf2 does not support framework XGBOOST (Service: SageMaker, Status Code: 400, Request ID: 5d2c6a1e)'));
    await expect(isComplete(resultEvent())).rejects.toThrow(
      `Compilation job ${NAME} was not created: SageMaker.SageMakerException: TargetDevice ml_inf2 does not support framework XGBOOST (Service: SageMaker`);
  });

  test('never created and the run still ends: poll again', async () => {
    sagemaker.on(DescribeCompilationJobCommand).rejects(resourceNotFound());
    stepFunctions.on(DescribeExecutionCommand).resolves({ $metadata: {}, executionArn: RUN_ARN, stateMachineArn: STATE_MACHINE, status: 'RUNNING', startDate: new Date() });
    await expect(isComplete(resultEvent())).resolves.toEqual({ IsComplete: false });
  });

  test('Delete: nothing to do', async () => {
    const event = { ...resultEvent(), RequestType: 'Delete' };
    await expect(isComplete(event as never)).resolves.toEqual({ IsComplete: true });
    expect(sagemaker.calls()).toHaveLength(0);
  });
});
