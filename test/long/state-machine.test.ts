/**
 * The long path's state machine, RUN: the definition read from a synthesized stack executes in
 * aws-local-stepfunctions (its states, Retry with full jitter, the Wait loop, the Parallel race,
 * the Catch routing) on virtual time, against the scripted SageMaker (../fault/fake-sagemaker).
 * The run's input is built as the start resource builds it (lambda/compilation-job/long-run.ts).
 */
import { runNameOf, signalOf } from '../../lambda/compilation-job/long-run';
import { createRequestOf } from '../../lambda/compilation-job/spec';
import {
  LONG_RUN_FAST_POLL_SECONDS, LONG_RUN_SLOW_POLL_SECONDS, MAX_LONG_RUN_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS, QUOTA_RETRY_SECONDS,
  RUN_DEADLINE_ERROR, RUN_NOT_SIGNALLED_ERROR, type LongRunInput,
  waitConditionTimeoutSeconds,
} from '../../src/private/contract';
import { CLOUDFORMATION_GENERIC_ERROR, LONG_RUN_DEFINITION, SAGEMAKER_GENERIC_ERROR } from '../../src/private/long-run-definition';
import {
  DescribeStackResourceHandler, longRunDefinitionFromTemplate, sdkErrorName, SignalHandler, SignalResourceInput, StepFunctions,
} from '../driver/step-functions';
import { loadApiModel } from '../fault/api-model';
import { FakeOptions, FakeSageMaker, JobScript } from '../fault/fake-sagemaker';
import { takeGateFindings } from '../fault/model-gate';
import { nameOf, REQUEST_ID, specOf, STACK_ID } from '../handler/fixtures';

jest.setTimeout(60_000);

const DEFINITION = longRunDefinitionFromTemplate();
const SPEC = specOf({ timeoutSeconds: 3 * 3600, request: { StoppingCondition: { MaxRuntimeInSeconds: 3 * 3600 } } });
const NAME = nameOf(SPEC);
const WAIT_CONDITION = 'JobWaitConditionA1B2C3D4';
const RUN_NAME = runNameOf(NAME, WAIT_CONDITION, REQUEST_ID);
const HOUR = 3600;

let fake: FakeSageMaker;
let sfn: StepFunctions | undefined;
let signals: Array<{ at: number; input: SignalResourceInput }>;

function setup(options: FakeOptions = {}, signal?: SignalHandler, describeStackResource?: DescribeStackResourceHandler): void {
  fake = new FakeSageMaker(options);
  signals = [];
  sfn = new StepFunctions({
    fake,
    definition: DEFINITION,
    signal: (input) => {
      signals.push({ at: fake.clock.seconds, input });
      return signal?.(input);
    },
    describeStackResource,
  });
}

/** Starts the run as the start resource does: the whole request, the deadline, the WaitCondition. */
async function startRun(deadlineSeconds: number): Promise<string> {
  const input: LongRunInput = {
    request: createRequestOf(SPEC, NAME) as LongRunInput['request'],
    deadline: fake.clock.dateAt(deadlineSeconds).toISOString(),
    signal: signalOf(STACK_ID, WAIT_CONDITION, RUN_NAME),
    signalBy: fake.clock.dateAt(fake.clock.seconds + waitConditionTimeoutSeconds(deadlineSeconds - fake.clock.seconds)).toISOString(),
  };
  const { executionArn } = await sfn!.startExecution({ stateMachineArn: sfn!.stateMachineArn, name: RUN_NAME, input: JSON.stringify(input) });
  return executionArn;
}

function times(operation: 'CreateCompilationJob' | 'DescribeCompilationJob' | 'StopCompilationJob', result?: string): number[] {
  return fake.callsOf(operation).filter((call) => result === undefined || call.result === result).map((call) => call.at);
}

function gaps(at: number[]): number[] {
  return at.slice(1).map((t, i) => t - at[i]);
}

function expectSignalledOnce(): void {
  expect(signals.map((s) => s.input)).toEqual([{ StackName: STACK_ID, LogicalResourceId: WAIT_CONDITION, UniqueId: RUN_NAME, Status: 'SUCCESS' }]);
}

afterEach(() => {
  if (!sfn) return;
  sfn.close();
  sfn = undefined;
  expect(fake.violations).toEqual([]);
  // Every request any stand-in refused, every answer outside its model (../fault/model-gate.ts).
  expect(takeGateFindings()).toEqual([]);
});

test('the deployed definition is LONG_RUN_DEFINITION', () => {
  expect(DEFINITION).toEqual(JSON.parse(JSON.stringify(LONG_RUN_DEFINITION)));
});

/** Every error name of every Retry and Catch of a definition (Parallel branches included). */
interface ErrorRoutes {
  readonly Retry?: Array<{ ErrorEquals: string[] }>;
  readonly Catch?: Array<{ ErrorEquals: string[] }>;
  readonly Branches?: object[];
}
function errorNames(definition: { States: Record<string, ErrorRoutes> }): string[] {
  return Object.values(definition.States).flatMap((state) => [
    ...[...state.Retry ?? [], ...state.Catch ?? []].flatMap((r) => r.ErrorEquals),
    ...(state.Branches ?? []).flatMap((branch) => errorNames(branch as typeof definition)),
  ]);
}

test('every Retry and Catch names an error the AWS SDK integration produces: a declared error of the service\'s API model, or the generic name', () => {
  const names = [...new Set(errorNames(DEFINITION as Parameters<typeof errorNames>[0]))].sort();
  const services = { SageMaker: 'sagemaker', CloudFormation: 'cloudformation' } as const;
  const unknown = names.filter((name) => {
    const [prefix, error] = name.split('.');
    if (prefix === 'States' || prefix === 'Compilation') return false;
    const service = services[prefix as keyof typeof services];
    if (!service) return true;
    if (error === `${prefix}Exception`) return false;
    const model = loadApiModel(service)!;
    return ![error, error.replace(/Exception$/, '')].some((code) => model.declaredError(code) !== undefined);
  });
  expect(unknown).toEqual([]);
  // The generic names are caught (their Cause decides), and no undeclared code is named as if declared.
  expect(names).toEqual(expect.arrayContaining([SAGEMAKER_GENERIC_ERROR, CLOUDFORMATION_GENERIC_ERROR, 'SageMaker.ResourceLimitExceededException', 'SageMaker.ResourceInUseException']));
});

test('the stand-in names errors as the AWS SDK integration does, from botocore\'s model: declared ones by name, the rest generic', () => {
  expect(sdkErrorName('sagemaker', 'ResourceLimitExceeded')).toBe('SageMaker.ResourceLimitExceededException');
  expect(sdkErrorName('sagemaker', 'ConflictException')).toBe('SageMaker.ConflictException');
  for (const code of ['ThrottlingException', 'ValidationException', 'InternalFailure', 'ServiceUnavailable', 'AccessDeniedException']) {
    expect(sdkErrorName('sagemaker', code)).toBe(SAGEMAKER_GENERIC_ERROR);
  }
  for (const code of ['ValidationError', 'Throttling']) expect(sdkErrorName('cloudformation', code)).toBe(CLOUDFORMATION_GENERIC_ERROR);
});

test('(a) the run creates the job, which completes after 15 min: one Create, a Describe every 5 s, SUCCESS within a poll, SUCCEEDED', async () => {
  setup({ script: { startingSeconds: 10, compileSeconds: 890 } });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(fake.callsOf('CreateCompilationJob').map((c) => `${c.at} ${c.result}`)).toEqual(['0 ok']);
  const describes = times('DescribeCompilationJob');
  expect(describes[0]).toBe(POLL_INTERVAL_SECONDS);
  expect(new Set(gaps(describes))).toEqual(new Set([POLL_INTERVAL_SECONDS]));
  expect(describes.at(-1)).toBe(900);
  expect(fake.job(NAME)!.endedAt).toBe(900);
  expectSignalledOnce();
  expect(signals[0].at - 900).toBeLessThanOrEqual(POLL_INTERVAL_SECONDS);
  const description = await sfn!.describeExecution({ executionArn: run });
  expect(description).toMatchObject({ status: 'SUCCEEDED', startDate: fake.clock.dateAt(0), stopDate: fake.clock.dateAt(900) });
  expect(description.error).toBeUndefined();
  // CacheHit (the Choice that sends a cache hit's run straight to Signalling), Race, CreateJob, FastPolls, FastPollsFor,
  // 180 x (Poll, DescribeJob, HasEnded), Ended, PollsEnded, UntilDeadline,
  // Signalling, SignalCheck, IsWaiting, Signal, Signalled, UntilSignalBy, Outcome, Done.
  expect(sfn!.transitions(run)).toBe(1 + 4 + 180 * 3 + 3 + 8);
  expect(sfn!.sdkCalls()).toEqual({
    'sagemaker:createCompilationJob': 1, 'sagemaker:describeCompilationJob': 180, 'cloudformation:describeStackResource': 1, 'cloudformation:signalResource': 1,
  });
  // The deadline's Wait and the run's own timeout ended with it.
  expect(sfn!.nextTimerAt()).toBeUndefined();
});

test('(b) the start resource created the job already: ResourceInUse is caught and polls follow', async () => {
  setup();
  await fake.call('sagemaker', 'CreateCompilationJob', createRequestOf(SPEC, NAME));
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(fake.callsOf('CreateCompilationJob').map((c) => `${c.at} ${c.result}`)).toEqual(['0 ok', '0 ResourceInUse']);
  expect(fake.createdCount(NAME)).toBe(1);
  expect(times('DescribeCompilationJob')).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70]);
  expectSignalledOnce();
  expect(signals[0].at).toBe(70);
  expect((await sfn!.describeExecution({ executionArn: run })).status).toBe('SUCCEEDED');
});

test('(c) the quota is full for 20 min: Create retried every 10 s on average (full jitter, at most 20 s), the job created within one interval of the slot freeing', async () => {
  setup({ concurrencyQuota: 1 });
  fake.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 1200 });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  const refused = times('CreateCompilationJob', 'ResourceLimitExceeded');
  const created = fake.job(NAME)!.createdAt;
  expect(refused.every((t) => t < 1200)).toBe(true);
  expect(created).toBeGreaterThanOrEqual(1200);
  expect(created - 1200).toBeLessThanOrEqual(QUOTA_RETRY_SECONDS);
  const intervals = gaps([...refused, created]);
  const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
  expect(Math.max(...intervals)).toBeLessThanOrEqual(QUOTA_RETRY_SECONDS);
  expect(mean).toBeGreaterThan(8);
  expect(mean).toBeLessThan(12);
  expect(refused.length).toBeGreaterThan(95);
  expect(refused.length).toBeLessThan(150);
  console.info(`(c) ${refused.length} refused Creates in 1200 s, mean interval ${mean.toFixed(2)} s, created ${(created - 1200).toFixed(3)} s after the slot freed`);
  expect(fake.createdCount(NAME)).toBe(1);
  expectSignalledOnce();
  // 14 polls after the create: the job ends at +70 s, seen by the Describe at that very second.
  expect(signals[0].at).toBeCloseTo(created + 70, 6);
  expect((await sfn!.describeExecution({ executionArn: run })).status).toBe('SUCCEEDED');
});

test('(c2) a quota wait of 2 h with 10 % of the calls throttled: the run still creates the job when the slot frees (one retrier counts quota refusals and throttling alike, so throttling cannot exhaust it)', async () => {
  setup({ concurrencyQuota: 1, throttleRate: 0.1, seed: 11 });
  fake.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 2 * HOUR });
  const run = await startRun(4 * HOUR);
  await sfn!.advanceTo(3 * HOUR);
  const throttledCreates = times('CreateCompilationJob').length - times('CreateCompilationJob', 'ResourceLimitExceeded').length - 1;
  // With a separate 10-attempt retrier for throttling, the tenth throttled try ended the wait.
  expect(throttledCreates).toBeGreaterThan(10);
  expect(fake.job(NAME)!.createdAt).toBeGreaterThanOrEqual(2 * HOUR);
  expect(fake.job(NAME)!.createdAt).toBeLessThanOrEqual(2 * HOUR + QUOTA_RETRY_SECONDS + 30);
  expectSignalledOnce();
  expect((await sfn!.describeExecution({ executionArn: run })).status).toBe('SUCCEEDED');
});

test('(d) throttling bursts on Create and Describe are retried with backoff: no failure', async () => {
  setup();
  fake.throttleBurst({ operation: 'CreateCompilationJob', count: 3 });
  fake.throttleBurst({ operation: 'DescribeCompilationJob', count: 5, afterCalls: 2 });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(fake.callsOf('CreateCompilationJob').map((c) => c.result)).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException', 'ok']);
  expect(times('DescribeCompilationJob', 'ThrottlingException')).toHaveLength(5);
  expect(fake.createdCount(NAME)).toBe(1);
  expectSignalledOnce();
  expect((await sfn!.describeExecution({ executionArn: run })).status).toBe('SUCCEEDED');
});

test('(d2) Describe throttled for 10 minutes (a fleet of 100 polling every 5 s): the run keeps polling, signals once the job ends, and never gives up on a running job', async () => {
  setup({ script: { compileSeconds: 1800 } });
  fake.throttleWindow({ operation: 'DescribeCompilationJob', from: 60, to: 660 });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(fake.job(NAME)!.status).toBe('COMPLETED');
  expectSignalledOnce();
  expect(signals[0].at).toBeGreaterThanOrEqual(1800);
  expect((await sfn!.describeExecution({ executionArn: run })).status).toBe('SUCCEEDED');
});

test('(e) the job FAILS: the run signals SUCCESS (the result resource reports the reason) and SUCCEEDS', async () => {
  const script: JobScript = { compileSeconds: 300, outcome: { status: 'FAILED', reason: 'ClientError: InputConfiguration: Unable to load the model.' } };
  setup({ script });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(fake.job(NAME)!.status).toBe('FAILED');
  expectSignalledOnce();
  expect(signals[0].at).toBe(310);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'SUCCEEDED' });
  expect(times('StopCompilationJob')).toEqual([]);
});

test('(f) the deadline passes before the job ends: Stop at the deadline, SUCCESS signalled, FAILED with Compilation.DeadlinePassed', async () => {
  setup({ script: { compileSeconds: 2 * HOUR } });
  const run = await startRun(HOUR);
  await sfn!.advanceTo(2 * HOUR);
  expect(times('StopCompilationJob')).toEqual([HOUR]);
  expect(fake.job(NAME)).toMatchObject({ status: 'STOPPED', stoppedBy: 'handler' });
  // The compilation branch stopped polling at the deadline.
  expect(Math.max(...times('DescribeCompilationJob'))).toBeLessThanOrEqual(HOUR);
  expectSignalledOnce();
  expect(signals[0].at).toBe(HOUR);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({
    status: 'FAILED', error: RUN_DEADLINE_ERROR, cause: 'The job did not end before its deadline.', stopDate: fake.clock.dateAt(HOUR),
  });
  expect(sfn!.nextTimerAt()).toBeUndefined();
});

test('(g) the deadline passes while the run waits for the quota: the Stop of no job is caught, SUCCESS signalled, nothing created later', async () => {
  setup({ concurrencyQuota: 1 });
  fake.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: HOUR + 100 });
  const run = await startRun(HOUR);
  await sfn!.advanceTo(2 * HOUR);
  expect(fake.callsOf('StopCompilationJob').map((c) => `${c.at} ${c.result}`)).toEqual([`${HOUR} ResourceNotFound`]);
  expectSignalledOnce();
  expect(signals[0].at).toBe(HOUR);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'FAILED', error: RUN_DEADLINE_ERROR });
  // The slot freed at 3700 s: the aborted compilation branch created nothing.
  expect(Math.max(...times('CreateCompilationJob'))).toBeLessThanOrEqual(HOUR);
  expect(fake.createdCount(NAME)).toBe(0);
});

test('(h) SageMaker refuses the request (ValidationException) after a quota wait: the run ends at once, SUCCESS signalled, FAILED with the generic SageMaker.SageMakerException and SageMaker\'s message', async () => {
  // The fake reads its options on every call: the role's trust is broken while the run waits.
  const options: { concurrencyQuota: number; iamPropagatedAt?: number } = { concurrencyQuota: 1 };
  setup(options);
  fake.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 610 });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(600);
  expect(times('CreateCompilationJob', 'ok')).toEqual([]);
  options.iamPropagatedAt = 1e9;
  await sfn!.advanceTo(HOUR);
  const refusal = fake.callsOf('CreateCompilationJob').filter((c) => c.result === 'ValidationException');
  expect(refusal).toHaveLength(1);
  expect(refusal[0].at).toBeGreaterThan(600);
  expectSignalledOnce();
  const description = await sfn!.describeExecution({ executionArn: run });
  const message = `Could not assume role ${SPEC.request.RoleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`;
  expect(description.status).toBe('FAILED');
  // ValidationException is not in SageMaker's API model: the generic name, the words in the Cause.
  expect(description.error).toBe(SAGEMAKER_GENERIC_ERROR);
  // At once: no second try of a refused request.
  expect(signals[0].at).toBe(refusal[0].at);
  expect(description.cause).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(Service: SageMaker, Status Code: 400, Request ID: [0-9a-f-]+\\)$`));
  expect(fake.createdCount(NAME)).toBe(0);
});

test('(i) the WaitCondition no longer waits (rolled back, timed out): the run does not signal it, and ends FAILED with Compilation.NotSignalled, not SUCCEEDED', async () => {
  setup({}, undefined, () => ({ ResourceStatus: 'CREATE_FAILED' }));
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(signals).toEqual([]);
  expect(sfn!.sdkCalls()['cloudformation:describeStackResource']).toBe(1);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'FAILED', error: RUN_NOT_SIGNALLED_ERROR, stopDate: fake.clock.dateAt(70) });
  expect(sfn!.nextTimerAt()).toBeUndefined();
});

test('(j) stopExecution while the run waits for the quota: ABORTED, and no job is ever created afterwards', async () => {
  setup({ concurrencyQuota: 1 });
  fake.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 600 });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(300);
  await sfn!.stopExecution({ executionArn: run, cause: 'Its CloudFormation resource was deleted or rolled back.' });
  await sfn!.advanceTo(2 * HOUR);
  expect(Math.max(...times('CreateCompilationJob'))).toBeLessThanOrEqual(300);
  expect(fake.createdCount(NAME)).toBe(0);
  expect(signals).toEqual([]);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'ABORTED', stopDate: fake.clock.dateAt(300) });
  expect((await sfn!.listExecutions({ stateMachineArn: sfn!.stateMachineArn, statusFilter: 'RUNNING' })).executions).toEqual([]);
  expect(sfn!.nextTimerAt()).toBeUndefined();
});

test('StartExecution is idempotent for the same name and input while RUNNING, else ExecutionAlreadyExists', async () => {
  setup({ script: { compileSeconds: 60 } });
  const run = await startRun(3 * HOUR);
  const again = await startRun(3 * HOUR);
  expect(again).toBe(run);
  expect(fake.createdCount(NAME)).toBe(1);
  await expect(startRun(2 * HOUR)).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  expect((await sfn!.listExecutions({ stateMachineArn: sfn!.stateMachineArn, statusFilter: 'RUNNING' })).executions.map((e) => e.name)).toEqual([RUN_NAME]);
  expect(sfn!.nextTimerAt()).toBe(POLL_INTERVAL_SECONDS);
  await sfn!.advanceTo(HOUR);
  await expect(startRun(3 * HOUR)).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
});

/** DescribeStackResource of a WaitCondition that CloudFormation begins at virtual second `begin`, as its ValidationError says before. */
function beginsAt(begin: number): DescribeStackResourceHandler {
  return (input) => {
    if (fake.clock.seconds < begin) {
      throw Object.assign(new Error(`Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`), { name: 'ValidationError' });
    }
    return { ResourceStatus: signals.length > 0 ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS' };
  };
}

/** SignalResource as CloudFormation answers it: refused with ValidationError before the WaitCondition begins. */
function refusedBefore(begin: number): SignalHandler {
  return (input) => {
    if (fake.clock.seconds < begin) throw Object.assign(new Error(`Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`), { name: 'ValidationError' });
  };
}

for (const begin of [15, 120]) {
  test(`(k) the job has ended at the hand-off and CloudFormation begins the WaitCondition ${begin} s later: no signal before, one after, SUCCEEDED`, async () => {
    setup({}, refusedBefore(begin), beginsAt(begin));
    fake.seedJob(NAME, { startingSeconds: 0, compileSeconds: 0 }, createRequestOf(SPEC, NAME));
    const run = await startRun(3 * HOUR);
    await sfn!.advanceTo(HOUR);
    expectSignalledOnce();
    expect(signals[0].at).toBeGreaterThanOrEqual(begin);
    expect(signals[0].at).toBeLessThanOrEqual(begin + POLL_INTERVAL_SECONDS);
    expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'SUCCEEDED' });
  });
}

test('(l) CloudFormation throttles the signal three times (Throttling, "Rate exceeded"): the run signals again, SUCCEEDED', async () => {
  let throttles = 3;
  setup({}, () => {
    if (throttles-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
  });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(signals).toHaveLength(4);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'SUCCEEDED' });
});

test('(m) the WaitCondition never begins: the run tries until `signalBy` (its timeout after the hand-off), then ends FAILED with Compilation.NotSignalled', async () => {
  setup({}, refusedBefore(1e9), beginsAt(1e9));
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(4 * HOUR);
  expect(signals).toEqual([]);
  const description = await sfn!.describeExecution({ executionArn: run });
  expect(description).toMatchObject({ status: 'FAILED', error: RUN_NOT_SIGNALLED_ERROR, stopDate: fake.clock.dateAt(waitConditionTimeoutSeconds(3 * HOUR)) });
  expect(sfn!.nextTimerAt()).toBeUndefined();
});

test('(n) 50 throttled Describes in a row while the job runs: the run keeps polling (no stop, no early signal), SUCCEEDED', async () => {
  setup({ script: { compileSeconds: 1800 } });
  fake.throttleBurst({ operation: 'DescribeCompilationJob', count: 50, afterCalls: 3 });
  const run = await startRun(3 * HOUR);
  await sfn!.advanceTo(HOUR);
  expect(times('DescribeCompilationJob', 'ThrottlingException')).toHaveLength(50);
  expect(times('StopCompilationJob')).toEqual([]);
  expectSignalledOnce();
  expect(signals[0].at).toBeGreaterThanOrEqual(1800);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'SUCCEEDED' });
});

test('(o) the Stop at the deadline is throttled twice: stopped on the third try, then signalled', async () => {
  setup({ script: { compileSeconds: 2 * HOUR } });
  fake.throttleBurst({ operation: 'StopCompilationJob', count: 2 });
  const run = await startRun(HOUR);
  await sfn!.advanceTo(2 * HOUR);
  expect(fake.callsOf('StopCompilationJob').map((c) => c.result)).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
  expect(fake.job(NAME)).toMatchObject({ status: 'STOPPED', stoppedBy: 'handler' });
  expectSignalledOnce();
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'FAILED', error: RUN_DEADLINE_ERROR });
});

test('(r) a job of 3 h: a Describe every 5 s for the first 30 minutes, then every 30 s; signalled within 30 s of its end', async () => {
  setup({ script: { startingSeconds: 10, compileSeconds: 3 * HOUR - 10 } });
  const run = await startRun(4 * HOUR);
  await sfn!.advanceTo(4 * HOUR);
  const describes = times('DescribeCompilationJob');
  const fast = describes.filter((t) => t <= LONG_RUN_FAST_POLL_SECONDS);
  expect(new Set(gaps(fast))).toEqual(new Set([POLL_INTERVAL_SECONDS]));
  expect(new Set(gaps(describes.filter((t) => t >= LONG_RUN_FAST_POLL_SECONDS)))).toEqual(new Set([LONG_RUN_SLOW_POLL_SECONDS]));
  expectSignalledOnce();
  expect(signals[0].at - 3 * HOUR).toBeLessThanOrEqual(LONG_RUN_SLOW_POLL_SECONDS);
  expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'SUCCEEDED' });
});

describe('a Standard execution fails once its history reaches 25,000 events: the longest runs stay below', () => {
  const LIMIT = 25_000;
  const deadline = MAX_LONG_RUN_TIMEOUT_SECONDS;

  test('(p) a job still compiling at the 11 h 59 min deadline, 5 % of the calls throttled', async () => {
    setup({ throttleRate: 0.05, seed: 3 });
    // Created by the start resource, with a MaxRuntime beyond the deadline.
    fake.seedJob(NAME, { compileSeconds: 13 * HOUR }, { ...createRequestOf(SPEC, NAME), StoppingCondition: { MaxRuntimeInSeconds: 13 * HOUR } });
    const run = await startRun(deadline);
    await sfn!.advanceTo(deadline + 600);
    expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'FAILED', error: RUN_DEADLINE_ERROR });
    expectSignalledOnce();
    const events = sfn!.historyEvents(run);
    console.info(`(p) ${events} history events over ${deadline} s of polling`);
    expect(events).toBeLessThan(LIMIT * 0.8);
  });

  test('(q) the quota full until the deadline, 5 % of the calls throttled', async () => {
    setup({ concurrencyQuota: 1, throttleRate: 0.05, seed: 3 });
    fake.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 13 * HOUR });
    const run = await startRun(deadline);
    await sfn!.advanceTo(deadline + 600);
    expect(await sfn!.describeExecution({ executionArn: run })).toMatchObject({ status: 'FAILED', error: RUN_DEADLINE_ERROR });
    const events = sfn!.historyEvents(run);
    console.info(`(q) ${events} history events over ${deadline} s of quota wait`);
    expect(events).toBeLessThan(LIMIT * 0.8);
  });
});
