/**
 * The long path's state machine on a second interpreter nobody here wrote: moto 5.2.1's Step
 * Functions interpreter (a port of LocalStack's), whose aws-sdk tasks make real boto3 calls and name
 * errors the way Step Functions does (`SageMaker.ResourceLimitExceededException` for an error the
 * botocore model declares, `SageMaker.SageMakerException` for any other code). The definition is
 * the one a synthesized stack hands CloudFormation (../driver/step-functions.ts
 * longRunDefinitionFromTemplate), the run's input is built as the start resource builds it, and
 * every run goes through a front (./long-run-front.ts) that answers SageMaker and CloudFormation in
 * their wire protocols as each scenario scripts them (./long-run-world.ts), in REAL time: a poll
 * waits its 5 s, a retry its interval. Runs are started together and run concurrently.
 *
 * Workarounds of moto 5.2.1 (interpreter only; the definition runs as deployed). Paths are under
 * moto/stepfunctions/; the two patches are in ./moto-sfn-server.py:
 * - errors of services other than dynamodb/sfn are named `sagemaker.…`, `cloudformation.…`
 *   (parser/asl/component/state/exec/state_task/service/state_task_service_aws_sdk.py:34,53-62):
 *   the launcher adds `SageMaker` and `CloudFormation` to that table;
 * - a Task without `Parameters` sends `{}` instead of its effective input
 *   (parser/asl/component/state/exec/state_task/state_task.py:51-56): the launcher sends the input;
 * - one execution per backend: StartExecution deep-copies the state machine (parser/models.py:175),
 *   which holds its backend (models.py:132) and with it every running execution's locks, so a second
 *   StartExecution in the same account and region fails ("cannot pickle '_thread.RLock' object"):
 *   each scenario runs in a region of its own (moto keeps one backend per region);
 * - a Wait's TimestampPath compares with the local clock
 *   (parser/asl/component/state/wait/wait_function/timestamp.py:88): the server runs with TZ=UTC;
 *   it drops the deadline's fraction of a second (timestamp.py:54-55), as AWS does, and then the
 *   fraction of the seconds left (timestamp.py:89), so a deadline may pass up to 2 s early here.
 * Differences left as they are, within what the assertions allow: States.MathRandom includes its
 * end (parser/asl/component/intrinsic/function/statesfunction/math_operations/math_random.py:70;
 * AWS excludes it), so a random back-off may last a second longer; a Cause reads
 * `<message> (Service: SageMaker, Status Code: 400, Request ID: …)`
 * (state_task_service_aws_sdk.py:96-107), the form the definition reads.
 */
import * as fs from 'fs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  HistoryEvent,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { replayOnStandIn } from './history-replay';
import { Front, startFront } from './long-run-front';
import { RunWorld, serviceError, WorldOptions } from './long-run-world';
import { MotoServer, motoEndpoint } from './moto';
import { startStepFunctionsMoto, sfnClient } from './moto-sfn';
import { runNameOf, signalOf } from '../../lambda/compilation-job/long-run';
import { attemptNameOf } from '../../lambda/compilation-job/retry';
import { createRequestOf } from '../../lambda/compilation-job/spec';
import {
  HISTORY_EVENTS_PER_POLL, LONG_RUN_FAST_POLL_SECONDS, LONG_RUN_SLOW_POLL_SECONDS, MAX_JOB_NAME_LENGTH, MAX_LONG_RUN_TIMEOUT_SECONDS,
  POLL_INTERVAL_SECONDS, RUN_DEADLINE_ERROR, waitConditionTimeoutSeconds, type CompilationJobAttributes, type CompilationJobSpec, type LongRunInput,
  type LongRunRetry,
} from '../../src/private/contract';
import { ciToolsRequired, findExecutable, notice, REQUIRED_HINT } from '../ci-tools';
import { longRunDefinitionFromTemplate } from '../driver/step-functions';
import { extremeSpecs, LONGEST_STACK_NAME } from '../extreme-names';
import type { JobScript } from '../fault/fake-sagemaker';
import { takeGateFindings } from '../fault/model-gate';
import { nameOf, REQUEST_ID, specOf } from '../handler/fixtures';

jest.setTimeout(480_000);

const DEFINITION = JSON.stringify(longRunDefinitionFromTemplate());
const WAIT_CONDITION = 'ResnetWaitCondition5E6F7A8B';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/LongRunStateMachineRole';
/** The longest a run may take here before the test gives up on it (and stops it). */
const RUN_LIMIT_SECONDS = 420;

interface Scenario {
  readonly region: string;
  /** The job's `timeout` (seconds): the run's deadline is this long after it starts. */
  readonly timeoutSeconds: number;
  readonly world?: Omit<WorldOptions, 'region' | 'jobName' | 'waitCondition'>;
  /** The job's name prefix, as the construct made it. @default NeoStack-<scenario id> */
  readonly jobNamePrefix?: string;
  /** Retries of a job SageMaker fails with an internal error, in the run's input (as the start resource lists them), each after 2 s here. */
  readonly retries?: number;
  /** What happened before the run started (the start resource created the job, someone filled the quota). */
  readonly before?: (world: RunWorld, request: LongRunInput['request']) => Promise<void> | void;
  /** The start resource copied a cached artifact: the input says so and carries the hit's attributes. */
  readonly cacheHit?: boolean;
}

/** A cache hit's attributes, as the start resource's lookup returns them (lambda/compilation-job/cache.ts). */
const CACHED: CompilationJobAttributes = {
  CompilationJobName: 'Dev-Resnet-0123456789abcdef',
  CompilationJobArn: 'arn:aws:sagemaker:ap-south-1:123456789012:compilation-job/Dev-Resnet-0123456789abcdef',
  ModelArtifactsS3Uri: 's3://prod-out/compiled/NeoStack-cacheHit/model-ml_c5.tar.gz',
  ModelArtifactsObjectKey: 'compiled/NeoStack-cacheHit/model-ml_c5.tar.gz',
  InferenceImage: '123456789012.dkr.ecr.ap-south-1.amazonaws.com/sagemaker-inferentia-neo:1.0',
  ArtifactDigest: 'sha256:5e6f',
  DerivedDataInputConfig: '',
  CacheHit: 'true',
};

interface RunResult {
  readonly world: RunWorld;
  readonly execution: DescribeExecutionCommandOutput;
  readonly history: HistoryEvent[];
  /** Real seconds from the run's start to its end. */
  readonly seconds: number;
  readonly input: LongRunInput;
  readonly runName: string;
}

const executable = findExecutable('moto_server');
/** The wire tests run where global setup found moto_server (or MOTO_ENDPOINT names one). */
const available = Boolean(motoEndpoint() && executable);
if (!available && ciToolsRequired()) throw new Error('The long path\'s moto tests need moto_server on PATH (CI_TOOLS_REQUIRED=1).');
if (!available) notice(`Long path on moto (test/wire/long-run-moto.wire.test.ts) SKIPPED: moto_server is not on PATH; ${REQUIRED_HINT}.`);
const describeMoto = available ? describe : describe.skip;

let front: Front;
let moto: MotoServer;
const runs = new Map<string, Promise<RunResult>>();

async function history(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...page.events ?? []);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the state machine in the scenario's region, starts one run as the start resource would, and waits for its end. */
async function run(id: string, scenario: Scenario): Promise<RunResult> {
  const spec = specOf({ jobNamePrefix: scenario.jobNamePrefix ?? `NeoStack-${id}`, timeoutSeconds: 3 * 3600 });
  const jobName = nameOf(spec);
  const request = createRequestOf(spec, jobName) as LongRunInput['request'];
  const world = new RunWorld({ region: scenario.region, jobName, waitCondition: WAIT_CONDITION, ...scenario.world });
  front.add(world);
  const client = sfnClient(moto.endpoint, scenario.region);
  try {
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'LongRunStateMachine', definition: DEFINITION, roleArn: ROLE_ARN }));
    await scenario.before?.(world, request);
    // As the start resource builds it (lambda/compilation-job/long-run.ts handOff), with a near deadline.
    const name = runNameOf(jobName, WAIT_CONDITION, REQUEST_ID);
    const input: LongRunInput = {
      request,
      deadline: new Date(Date.now() + scenario.timeoutSeconds * 1000).toISOString(),
      signal: signalOf(world.stackId, WAIT_CONDITION, name),
      signalBy: new Date(Date.now() + waitConditionTimeoutSeconds(scenario.timeoutSeconds) * 1000).toISOString(),
      ...(scenario.cacheHit ? { cacheHit: true, cached: CACHED } : { retry: retriesOf(spec, jobName, scenario.retries ?? 0) }),
    };
    world.start();
    const { executionArn = '' } = await client.send(new StartExecutionCommand({
      stateMachineArn, name, input: JSON.stringify(input),
    }));
    let execution: DescribeExecutionCommandOutput;
    for (;;) {
      execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') break;
      if (world.seconds() > RUN_LIMIT_SECONDS) {
        await client.send(new StopExecutionCommand({ executionArn, error: 'Test.GaveUp' }));
        break;
      }
      await sleep(500);
    }
    return { world, execution, history: await history(client, executionArn), seconds: world.seconds(), input, runName: name };
  } finally {
    world.close();
    client.destroy();
  }
}

/** The retries in the run's input, as lambda/compilation-job/long-run.ts lists them, with a 2 s back-off (real time here). */
function retriesOf(spec: CompilationJobSpec, jobName: string, retries: number): LongRunRetry | undefined {
  let next: LongRunRetry | undefined;
  for (let attempt = retries; attempt >= 1; attempt--) {
    next = { request: createRequestOf(spec, attemptNameOf(jobName, attempt)) as LongRunInput['request'], backOffSeconds: 2, retry: next };
  }
  return next;
}

/** SageMaker fails the first job it is asked for with an internal error; the next ones compile. */
function serverErrorFirst(): (jobName: string) => JobScript {
  let jobs = 0;
  return () => (++jobs === 1
    ? { startingSeconds: 1, compileSeconds: 4, outcome: { status: 'FAILED', reason: 'ServerError: There was an internal server error. Please try again in a few minutes.' } }
    : { startingSeconds: 1, compileSeconds: 4 });
}

/** Starts every scenario's run now; each test awaits its own. */
function startAll(scenarios: Record<string, Scenario>): void {
  for (const [id, scenario] of Object.entries(scenarios)) {
    const started = run(id, scenario);
    started.catch(() => undefined); // awaited (and reported) by the scenario's test
    runs.set(id, started);
  }
}

/** The run's calls, one line per run of equal calls in a row. */
function callLog(outcome: RunResult): string {
  const lines: Array<{ text: string; from: number; to: number; count: number }> = [];
  for (const call of outcome.world.calls) {
    const text = `${call.service}.${call.operation} -> ${call.result}`;
    const last = lines.at(-1);
    if (last?.text === text) Object.assign(last, { to: call.at, count: last.count + 1 });
    else lines.push({ text, from: call.at, to: call.at, count: 1 });
  }
  return lines.map((l) => (l.count === 1 ? `  +${l.from.toFixed(1)}s ${l.text}` : `  +${l.from.toFixed(1)}s..+${l.to.toFixed(1)}s ${l.text} (x${l.count})`)).join('\n');
}

async function result(id: string): Promise<RunResult> {
  const outcome = await runs.get(id)!;
  const { status, error = '', cause = '' } = outcome.execution;
  console.info(`${id}: ${status} ${error} ${cause} after ${outcome.seconds.toFixed(1)} s\n${callLog(outcome)}`);
  return outcome;
}

/** The errors the interpreter named for the run's failed tasks, in order. */
function taskErrors(outcome: RunResult): string[] {
  return outcome.history.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails!.error!);
}

function results(outcome: RunResult, operation: string): string[] {
  return outcome.world.calls.filter((c) => c.operation === operation).map((c) => c.result);
}

/** Jobs of this deployment that are still running and that nobody asked to stop. */
function leftRunning(outcome: RunResult): string[] {
  return outcome.world.fake.activeJobs('handler').filter((job) => job.stoppedBy === undefined).map((job) => `${job.name} ${job.status}`);
}

/** What every run must leave behind: one signal accepted, no job running, requests the API model accepts. */
function expectClean(outcome: RunResult): void {
  expect(outcome.world.acceptedSignals()).toHaveLength(1);
  expect(outcome.world.waitOutcome?.status).toBe('SUCCESS');
  expect(leftRunning(outcome)).toEqual([]);
  expect(outcome.world.fake.violations).toEqual([]);
  // Every request any stand-in refused, every answer outside its model (../fault/model-gate.ts).
  expect(takeGateFindings()).toEqual([]);
}

/** The start resource created the job before it handed the wait to the run. */
async function createdByStartResource(world: RunWorld, request: LongRunInput['request']): Promise<void> {
  await world.fake.call('sagemaker', 'CreateCompilationJob', request);
}

/** Someone else's job takes the only slot of the quota for `seconds`. */
function quotaFullFor(seconds: number) {
  return (world: RunWorld) => {
    world.fake.seedJob(`someone-elses-job-${world.options.region}`, { startingSeconds: 0, compileSeconds: seconds });
  };
}

const SCENARIOS: Record<string, Scenario> = {
  success: {
    region: 'us-east-1',
    timeoutSeconds: 150,
    world: { sagemaker: { script: { startingSeconds: 2, compileSeconds: 8 } } },
    before: createdByStartResource,
  },
  failed: {
    region: 'us-east-2',
    timeoutSeconds: 150,
    world: { sagemaker: { script: { startingSeconds: 2, compileSeconds: 6, outcome: { status: 'FAILED', reason: 'ClientError: InputConfiguration: Unable to load the model.' } } } },
    before: createdByStartResource,
  },
  quota: {
    region: 'us-west-1',
    timeoutSeconds: 150,
    world: { sagemaker: { concurrencyQuota: 1, script: { startingSeconds: 2, compileSeconds: 6 } } },
    before: quotaFullFor(20),
  },
  // A throttled Describe is tried again after a random 1-4 s (the definition's DescribeLater;
  // moto's States.MathRandom includes its end, so 1-5 s here): 50 in a row take about 3 minutes.
  throttled3: {
    region: 'us-west-2',
    timeoutSeconds: 150,
    world: { sagemaker: { script: { startingSeconds: 2, compileSeconds: 28 } }, throttleBursts: [{ operation: 'DescribeCompilationJob', count: 3, afterCalls: 1 }] },
    before: createdByStartResource,
  },
  throttled50: {
    region: 'ca-central-1',
    timeoutSeconds: 400,
    world: { sagemaker: { script: { startingSeconds: 2, compileSeconds: 150 } }, throttleBursts: [{ operation: 'DescribeCompilationJob', count: 50, afterCalls: 1 }] },
    before: createdByStartResource,
  },
  throttledCreates: {
    region: 'eu-west-1',
    timeoutSeconds: 150,
    world: { sagemaker: { concurrencyQuota: 1, script: { startingSeconds: 2, compileSeconds: 6 } }, throttleBursts: [{ operation: 'CreateCompilationJob', count: 3, afterCalls: 1 }] },
    before: quotaFullFor(25),
  },
  validationAfterQuota: {
    region: 'eu-west-2',
    timeoutSeconds: 150,
    world: {
      sagemaker: { concurrencyQuota: 1 },
      sagemakerFault: (operation, _input, seconds) => (operation === 'CreateCompilationJob' && seconds >= 15
        ? serviceError('ValidationException', 'Could not assume role arn:aws:iam::123456789012:role/NeoStack-ResnetRole. Please ensure that the role exists and allows principal \'sagemaker.amazonaws.com\' to assume the role.')
        : undefined),
    },
    before: quotaFullFor(15),
  },
  endedAtHandOff15: {
    region: 'eu-central-1',
    timeoutSeconds: 150,
    world: { sagemaker: { script: { startingSeconds: 0, compileSeconds: 0 } }, waitConditionBeginsAfter: 15 },
    before: createdByStartResource,
  },
  endedAtHandOff120: {
    region: 'ap-southeast-1',
    timeoutSeconds: 240,
    world: { sagemaker: { script: { startingSeconds: 0, compileSeconds: 0 } }, waitConditionBeginsAfter: 120 },
    before: createdByStartResource,
  },
  signalThrottled: {
    region: 'ap-southeast-2',
    timeoutSeconds: 150,
    world: { sagemaker: { script: { startingSeconds: 1, compileSeconds: 4 } }, signalThrottles: 3 },
    before: createdByStartResource,
  },
  // The longest names a user can write (../extreme-names.ts): a 63-character job name (its run's
  // name is 72) in a stack of a 128-character name.
  longNames: {
    region: 'sa-east-1',
    timeoutSeconds: 150,
    jobNamePrefix: extremeSpecs().long.spec.jobNamePrefix,
    world: { stackName: LONGEST_STACK_NAME, sagemaker: { script: { startingSeconds: 2, compileSeconds: 8 } } },
    before: createdByStartResource,
  },
  serverError: {
    region: 'eu-north-1',
    timeoutSeconds: 150,
    retries: 2,
    world: { sagemaker: { script: serverErrorFirst() } },
    before: createdByStartResource,
  },
  // Compile once: the start resource copied a cached artifact; no job exists and none may be made.
  cacheHit: {
    region: 'ap-south-1',
    timeoutSeconds: 150,
    cacheHit: true,
  },
  deadline: {
    region: 'ap-northeast-1',
    timeoutSeconds: 20,
    world: { sagemaker: { script: { startingSeconds: 2, compileSeconds: 1000, stoppingSeconds: 3 } } },
    before: createdByStartResource,
  },
};

describeMoto('the long path on moto\'s Step Functions interpreter', () => {
  beforeAll(async () => {
    front = await startFront();
    moto = await startStepFunctionsMoto(executable!, front.port);
    front.forwardTo(moto.endpoint);
    startAll(SCENARIOS);
  });

  afterAll(async () => {
    await Promise.allSettled(runs.values());
    // The interpreter's own log (its errors and tracebacks), when asked for: LONG_RUN_MOTO_LOG=<file>.
    if (moto && process.env.LONG_RUN_MOTO_LOG) fs.copyFileSync(moto.logFile, process.env.LONG_RUN_MOTO_LOG);
    await moto?.stop();
    await front?.close();
  });

  test('serverError: SageMaker fails the job with a ServerError; the run creates it again under the retry\'s name after the back-off, signals once and SUCCEEDS', async () => {
    const outcome = await result('serverError');
    expect(outcome.execution.status).toBe('SUCCEEDED');
    const creates = outcome.world.fake.callsOf('CreateCompilationJob').filter((c) => c.result === 'ok')
      .map((c) => (c.input as { CompilationJobName: string }).CompilationJobName);
    expect(creates).toHaveLength(2);
    expect(creates[1]).toBe(attemptNameOf(creates[0], 1));
    const [first, retry] = creates.map((name) => outcome.world.fake.job(name)!);
    expect(first.status).toBe('FAILED');
    expect(retry.status).toBe('COMPLETED');
    expect(retry.createdAt - first.endedAt!).toBeGreaterThanOrEqual(2);
    expectClean(outcome);
  });

  test('cacheHit: the input says the start resource copied a cached artifact; the run goes straight to the signal (no SageMaker call), signals once and SUCCEEDS', async () => {
    const outcome = await result('cacheHit');
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(outcome.world.calls.filter((c) => c.service === 'sagemaker')).toEqual([]);
    expect(outcome.world.fake.calls).toEqual([]);
    // moto's own record of the run: its states, in order, and no SageMaker task scheduled.
    expect(outcome.history.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails!.resourceType))
      .not.toContain('sagemaker');
    const entered = outcome.history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name);
    expect(entered.slice(0, 3)).toEqual(['CacheHit', 'Copied', 'Signalling']);
    expect(entered).not.toContain('Race');
    expectClean(outcome);
  });

  test('success: the job completes; the run signals once and SUCCEEDS', async () => {
    const outcome = await result('success');
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(results(outcome, 'CreateCompilationJob')).toEqual(['ResourceInUse']);
    expect(taskErrors(outcome)).toEqual(['SageMaker.ResourceInUseException']);
    expect(outcome.world.fake.job(outcome.world.options.jobName)?.status).toBe('COMPLETED');
    expectClean(outcome);
  });

  test('FAILED: the job fails; the run signals once (the result resource reports the reason) and SUCCEEDS', async () => {
    const outcome = await result('failed');
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(results(outcome, 'CreateCompilationJob')).toEqual(['ResourceInUse']);
    expect(results(outcome, 'StopCompilationJob')).toEqual([]);
    expect(outcome.world.fake.job(outcome.world.options.jobName)?.status).toBe('FAILED');
    expectClean(outcome);
  });

  test('quota full, then a free slot: Create is retried (ResourceLimitExceeded, a declared error) until SageMaker takes the job', async () => {
    const outcome = await result('quota');
    expect(outcome.execution.status).toBe('SUCCEEDED');
    const creates = results(outcome, 'CreateCompilationJob');
    expect(creates.at(-1)).toBe('ok');
    expect(creates.slice(0, -1).length).toBeGreaterThan(0);
    expect(new Set(creates.slice(0, -1))).toEqual(new Set(['ResourceLimitExceeded']));
    expect(new Set(taskErrors(outcome))).toEqual(new Set(['SageMaker.ResourceLimitExceededException']));
    const job = outcome.world.fake.job(outcome.world.options.jobName)!;
    expect(job.createdAt).toBeGreaterThanOrEqual(20);
    expect(job.status).toBe('COMPLETED');
    expectClean(outcome);
  });

  test.each([['throttled3', 3], ['throttled50', 50]])('%s: throttled Describes in a row while the job runs: the run keeps polling and signals when the job ends', async (id, count) => {
    const outcome = await result(id as string);
    const describes = outcome.world.sagemakerCalls('DescribeCompilationJob');
    const throttled = describes.filter((c) => c.result === 'ThrottlingException');
    expect(throttled).toHaveLength(count as number);
    // Undeclared in SageMaker's model: the interpreter names it as AWS does, the code only in the Cause.
    expect(taskErrors(outcome).filter((e) => e === 'SageMaker.SageMakerException')).toHaveLength(count as number);
    // Each is tried again within a poll interval (and the time a call takes here).
    const gaps = throttled.map((call) => describes[describes.indexOf(call) + 1]?.at - call.at);
    expect(Math.max(...gaps)).toBeLessThan(POLL_INTERVAL_SECONDS + 3);
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(outcome.world.fake.job(outcome.world.options.jobName)?.status).toBe('COMPLETED');
    expect(outcome.world.acceptedSignals()[0].at).toBeGreaterThan(describes.at(-1)!.at);
    expectClean(outcome);
  });

  test('throttled Creates during a quota wait: the run keeps trying and creates the job once the slot frees', async () => {
    const outcome = await result('throttledCreates');
    const creates = results(outcome, 'CreateCompilationJob');
    expect(creates.filter((r) => r === 'ThrottlingException')).toHaveLength(3);
    expect(creates.at(-1)).toBe('ok');
    expect(outcome.execution.status).toBe('SUCCEEDED');
    const job = outcome.world.fake.job(outcome.world.options.jobName)!;
    expect(job.createdAt).toBeGreaterThanOrEqual(25);
    expect(job.status).toBe('COMPLETED');
    expectClean(outcome);
  });

  test('a ValidationException on the run\'s Create after a quota wait: the run signals and FAILS at once, with SageMaker\'s words', async () => {
    const outcome = await result('validationAfterQuota');
    const creates = results(outcome, 'CreateCompilationJob');
    expect(creates.at(-1)).toBe('ValidationException');
    expect(creates.filter((r) => r === 'ValidationException')).toHaveLength(1);
    expect(creates.slice(0, -1).length).toBeGreaterThan(0);
    expect(results(outcome, 'DescribeCompilationJob')).toEqual([]);
    expect(outcome.execution.status).toBe('FAILED');
    expect(outcome.execution.cause).toContain('Could not assume role');
    const refusedAt = outcome.world.sagemakerCalls('CreateCompilationJob').at(-1)!.at;
    expect(outcome.world.acceptedSignals()[0]?.at - refusedAt).toBeLessThan(10);
    expect(outcome.world.fake.job(outcome.world.options.jobName)).toBeUndefined();
    expectClean(outcome);
  });

  test.each([['endedAtHandOff15', 15], ['endedAtHandOff120', 120]])(
    'a job that has ended at the hand-off (%s): the run\'s signal waits until CloudFormation begins the WaitCondition (%i s)', async (id, beginsAfter) => {
      const outcome = await result(id as string);
      // The run's signal is taken (not refused and dropped while CloudFormation had not begun).
      expect(outcome.world.acceptedSignals()).toHaveLength(1);
      expect(outcome.world.waitBeganAt).toBeCloseTo(beginsAfter as number, 0);
      const signalledAt = outcome.world.acceptedSignals()[0]?.at;
      expect(signalledAt).toBeGreaterThanOrEqual(outcome.world.waitBeganAt!);
      // Within one of the run's 5 s tries after it began (and the time a call takes here).
      expect(signalledAt - outcome.world.waitBeganAt!).toBeLessThan(5 + 4);
      expect(results(outcome, 'SignalResource').at(-1)).toBe('ok');
      expect(outcome.execution.status).toBe('SUCCEEDED');
      expectClean(outcome);
    });

  test('CloudFormation throttles the signal: the run tries again until it is accepted', async () => {
    const outcome = await result('signalThrottled');
    expect(results(outcome, 'SignalResource')).toEqual(['Throttling', 'Throttling', 'Throttling', 'ok']);
    // Undeclared in CloudFormation's model: the generic name, the code only in the Cause.
    expect(taskErrors(outcome).filter((e) => e.startsWith('CloudFormation.'))).toEqual(Array(3).fill('CloudFormation.CloudFormationException'));
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expectClean(outcome);
  });

  test('the longest names: a 63-character job name in a 128-character stack; CloudFormation takes the run\'s first signal', async () => {
    const outcome = await result('longNames');
    expect(outcome.world.options.jobName).toHaveLength(MAX_JOB_NAME_LENGTH);
    expect(results(outcome, 'SignalResource')).toEqual(['ok']);
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expectClean(outcome);
  });

  test('the deadline: the run stops the job, signals, and FAILS with the deadline error', async () => {
    const outcome = await result('deadline');
    const stops = outcome.world.sagemakerCalls('StopCompilationJob');
    expect(stops.map((c) => c.result)).toEqual(['ok']);
    // moto's TimestampPath truncates twice (see the header): the deadline (20 s) may pass up to 2 s early.
    expect(stops[0].at).toBeGreaterThanOrEqual(18);
    expect(stops[0].at).toBeLessThan(30);
    expect(outcome.world.fake.job(outcome.world.options.jobName)?.stoppedBy).toBe('handler');
    expect(outcome.execution.status).toBe('FAILED');
    expect(outcome.execution.error).toBe(RUN_DEADLINE_ERROR);
    expectClean(outcome);
  });

  test('history: the stand-in counts the events moto records for the same run; the 25,000-event budget holds on moto\'s count', async () => {
    await Promise.allSettled(runs.values());
    // Every run but the deadline's, whose path depends on when its deadline passes, not only on the answers.
    const replayed = Object.keys(SCENARIOS).filter((id) => id !== 'deadline');
    const counts: Array<{ id: string; status?: string; events: number; leftOver: string[] }> = [];
    const motoCounts: typeof counts = [];
    for (const id of replayed) {
      const outcome = await runs.get(id)!;
      const replay = await replayOnStandIn(outcome.world, outcome.input, outcome.runName);
      counts.push({ id, status: replay.status, events: replay.historyEvents, leftOver: replay.leftOver });
      motoCounts.push({ id, status: outcome.execution.status, events: outcome.history.length, leftOver: [] });
    }
    console.info(`History events per run, moto / stand-in:\n${motoCounts.map((m, i) => `  ${m.id}: ${m.events} / ${counts[i].events}`).join('\n')}`);
    expect(counts).toEqual(motoCounts);

    // The longest run polls for 11 h 59 min: every POLL_INTERVAL_SECONDS for the first
    // LONG_RUN_FAST_POLL_SECONDS, then every LONG_RUN_SLOW_POLL_SECONDS. A poll's events, as moto
    // records them: those between two Describes of the success run.
    const success = (await runs.get('success')!).history;
    const describes = success.filter((e) => e.taskScheduledEventDetails?.resource === 'describeCompilationJob').map((e) => success.indexOf(e));
    expect(describes).toHaveLength(2);
    const perPoll = describes[1] - describes[0];
    const fixed = success.length - describes.length * perPoll;
    const slowSeconds = MAX_LONG_RUN_TIMEOUT_SECONDS - LONG_RUN_FAST_POLL_SECONDS;
    const polls = LONG_RUN_FAST_POLL_SECONDS / POLL_INTERVAL_SECONDS + Math.ceil(slowSeconds / LONG_RUN_SLOW_POLL_SECONDS);
    console.info(`A poll records ${perPoll} events, the rest of a run ${fixed}: ${fixed + polls * perPoll} events in ${polls} polls over 11 h 59 min`);
    expect(perPoll).toBe(HISTORY_EVENTS_PER_POLL);
    // Below Step Functions' 25,000 with a fifth to spare for throttled calls (11 events each).
    expect(fixed + polls * perPoll).toBeLessThan(25_000 * 0.8);
  });

  test('the front passes any other request on to moto (here Step Functions\' own API)', async () => {
    const client = sfnClient(`http://127.0.0.1:${front.port}`, SCENARIOS.success.region);
    try {
      const { stateMachines = [] } = await client.send(new ListStateMachinesCommand({}));
      expect(stateMachines.map((machine) => machine.name)).toEqual(['LongRunStateMachine']);
    } finally {
      client.destroy();
    }
  });
});
