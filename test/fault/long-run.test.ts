/**
 * The long path (a `timeout` above 59 minutes) end to end: the shipped handler bundle inside
 * aws-cdk-lib's Provider framework runtime (../driver), the long-run state machine's real definition
 * run by the Step Functions stand-in (../driver/step-functions), the WaitCondition and SignalResource
 * of the CloudFormation model, and the scripted SageMaker, all on one virtual clock.
 *
 * Every scenario ends by asserting that no job the handler or a run created is left running and
 * no run is left RUNNING.
 */
import { FakeOptions, FakeSageMaker } from './fake-sagemaker';
import { takeGateFindings } from './model-gate';
import { attemptNameOf } from '../../lambda/compilation-job/retry';
import type { CompilationJobSpec } from '../../src/private/contract';
import { LONG_RUN_SLOW_POLL_SECONDS, RETRY_BACK_OFF_SECONDS, RUN_NOT_SIGNALLED_ERROR } from '../../src/private/contract';
import { Driver } from '../driver/driver';
import { deployLongFleetStack, waitConditionBeginSpread } from '../driver/long-fleet';
import {
  DEFAULT_WAIT_CONDITION_BEGIN_SECONDS, LONG_STACK_ID, LongJob, LongOperation, LongPath, STATE_MACHINE_ARN, waitConditionIdOf,
} from '../driver/long-path';
import { longRunDefinitionFromTemplate, StepFunctions } from '../driver/step-functions';
import { nameOf, specOf } from '../handler/fixtures';

jest.setTimeout(300_000);

const HOUR = 3600;
/** SageMaker's words for its own fault (github.com/aws/amazon-sagemaker-examples/issues/1284). */
const SERVER_ERROR = 'ServerError: There was an internal server error while compiling the model. Please try again in a few minutes.';
const LOGS = (name: string) => `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${name}.`;

let fake: FakeSageMaker | undefined;
let driver: Driver | undefined;
let sfn: StepFunctions | undefined;
/** The definition as the construct deploys it. */
const DEFINITION = longRunDefinitionFromTemplate();

function longSpec(overrides: Parameters<typeof specOf>[0] = {}): CompilationJobSpec {
  return specOf({
    timeoutSeconds: 4 * HOUR,
    longRun: { stateMachineArn: STATE_MACHINE_ARN },
    ...overrides,
    request: { StoppingCondition: { MaxRuntimeInSeconds: 12 * HOUR }, ...overrides.request },
  });
}

function job(spec: CompilationJobSpec, logicalId = 'Resnet'): LongJob {
  return { spec, logicalId };
}

async function start(options: FakeOptions = {}): Promise<{ fake: FakeSageMaker; driver: Driver; long: LongPath }> {
  fake = new FakeSageMaker({ objects: ['model-bucket/models/resnet18.tar.gz'], ...options });
  driver = await Driver.start({
    fake,
    stepFunctions: (services) => {
      sfn = new StepFunctions({
        fake: services.fake!,
        definition: DEFINITION,
        stateMachineArn: STATE_MACHINE_ARN,
        signal: services.signalResource,
        describeStackResource: services.describeStackResource,
      });
      return sfn;
    },
  });
  return { fake, driver, long: new LongPath(driver) };
}

afterEach(async () => {
  const s = sfn;
  const f = fake;
  const running = s ? (await s.listExecutions({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING' })).executions.map((e) => e.name) : [];
  await driver?.close();
  driver = undefined;
  sfn = undefined;
  fake = undefined;
  expect(running).toEqual([]);
  if (!f) return;
  expect(f.leftovers()).toEqual({ running: [], violations: [] });
  // Every request any stand-in refused, every answer outside its model (../fault/model-gate.ts).
  expect(takeGateFindings()).toEqual([]);
});

/** The job name the start resource's Create (its first request) gives a spec. */
function firstName(spec: CompilationJobSpec): string {
  return nameOf(spec, 'long-request-0001');
}

function summary(op: LongOperation) {
  return {
    status: op.status,
    reason: op.reason,
    outcomes: op.outcomes.map((o) => `${o.resource} ${o.outcome.requestType} ${o.outcome.status}`),
    rollback: op.rollback.map((o) => `${o.resource} ${o.outcome.requestType} ${o.outcome.status}`),
    cleanup: op.cleanup.map((o) => `${o.resource} ${o.outcome.requestType} ${o.outcome.status}`),
  };
}

async function runsOf(status: string): Promise<string[]> {
  const { executions } = await sfn!.listExecutions({ stateMachineArn: STATE_MACHINE_ARN });
  return executions.filter((e) => e.status === status).map((e) => e.name);
}

describe('long path', () => {
  test('compiles in 3 h (timeout 4 h): the WaitCondition is signalled at the first poll after the end (every 30 s after the first half hour), the attributes come from the result', async () => {
    const { fake: f, long } = await start({ script: { startingSeconds: 10, compileSeconds: 3 * HOUR } });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op)).toEqual({ status: 'SUCCESS', reason: undefined, outcomes: ['start Create SUCCESS', 'result Create SUCCESS'], rollback: [], cleanup: [] });
    const [state] = op.states;
    expect(state.start.physicalId).toBe(name);
    expect(state.result.physicalId).toBe(name);
    const result = op.outcomes[1].outcome;
    expect(result.data).toMatchObject({ CompilationJobName: name, CompilationJobArn: f.job(name)!.arn });
    expect(f.job(name)!.status).toBe('COMPLETED');
    expect(op.waits).toEqual([{ logicalId: waitConditionIdOf(job(spec)), status: 'SUCCESS', reason: undefined, at: expect.any(Number) }]);
    const ended = 10 + 3 * HOUR;
    expect(op.waits[0].at).toBeGreaterThanOrEqual(ended);
    expect(op.waits[0].at).toBeLessThanOrEqual(ended + LONG_RUN_SLOW_POLL_SECONDS);
    expect(f.createdCount(name)).toBe(1);
    expect(driver!.cloudformation.signals.map((s) => s.result)).toEqual(['ok']);
  });

  test('a ServerError, then success: the run creates the job again under the retry\'s name after the back-off; the result has the retry\'s attributes, the Delete removes both records', async () => {
    const spec = longSpec();
    const name = firstName(spec);
    const retry = attemptNameOf(name, 1);
    const { fake: f, long } = await start({ script: (jobName) => (jobName === name ? { compileSeconds: 600, outcome: { status: 'FAILED', reason: SERVER_ERROR } } : { compileSeconds: HOUR }) });
    const op = await long.create([job(spec)]);
    expect(summary(op)).toEqual({ status: 'SUCCESS', reason: undefined, outcomes: ['start Create SUCCESS', 'result Create SUCCESS'], rollback: [], cleanup: [] });
    expect(op.outcomes[1].outcome.data).toMatchObject({ CompilationJobName: retry, CompilationJobArn: f.job(retry)!.arn });
    expect(f.job(retry)!.createdAt - f.job(name)!.endedAt!).toBeGreaterThanOrEqual(RETRY_BACK_OFF_SECONDS);
    expect(f.callsOf('CreateCompilationJob').filter((c) => c.result === 'ok').map((c) => (c.input as { CompilationJobName: string }).CompilationJobName)).toEqual([name, retry]);
    await long.delete(op.states);
    expect([...f.deleted].sort()).toEqual([name, retry].sort());
  });

  test('a ServerError, then a retry that outlasts the deadline: the result resource stops the retry and fails naming the timeout; no attempt keeps running', async () => {
    const spec = longSpec({ timeoutSeconds: 2 * HOUR });
    const name = firstName(spec);
    const retry = attemptNameOf(name, 1);
    const { fake: f, long } = await start({ script: (jobName) => (jobName === name ? { compileSeconds: 600, outcome: { status: 'FAILED', reason: SERVER_ERROR } } : { compileSeconds: 5 * HOUR }) });
    const op = await long.create([job(spec)]);
    expect(op.status).toBe('FAILED');
    expect(op.reason).toMatch(new RegExp(`^Compilation job ${retry} did not finish within its timeout of 7200 seconds`));
    expect(f.job(retry)?.stoppedBy ?? 'deleted').not.toBe('others');
    expect([...f.deleted].sort()).toEqual([name, retry].sort());
  });

  test('three ServerErrors: the run retries twice, the result resource fails quoting the three attempts; the rollback deletes every record', async () => {
    const spec = longSpec();
    const names = [0, 1, 2].map((attempt) => attemptNameOf(firstName(spec), attempt));
    const { fake: f, long } = await start({ script: { compileSeconds: 300, outcome: { status: 'FAILED', reason: SERVER_ERROR } } });
    const op = await long.create([job(spec)]);
    expect(op.reason).toBe(`Compilation job ${names[0]} failed after 3 attempts: ` +
      `attempt 1 (${names[0]}): ${SERVER_ERROR}; attempt 2 (${names[1]}): ${SERVER_ERROR}; attempt 3 (${names[2]}): ${SERVER_ERROR}. ` +
      `SageMaker internal errors are retried (maxRetries). The job's log could not be read (the job wrote no log stream). ${LOGS(names[2])}`);
    expect(names.map((n) => f.createdCount(n))).toEqual([1, 1, 1]);
    expect([...f.deleted].sort()).toEqual([...names].sort());
  });

  test('maxRetries: 0: a ServerError ends the run at once; the result fails in the usual words', async () => {
    const spec = longSpec({ maxRetries: 0 });
    const name = firstName(spec);
    const { fake: f, long } = await start({ script: { compileSeconds: 300, outcome: { status: 'FAILED', reason: SERVER_ERROR } } });
    const op = await long.create([job(spec)]);
    expect(op.reason).toBe(`Compilation job ${name} failed: ${SERVER_ERROR} The job's log could not be read (the job wrote no log stream). ${LOGS(name)}`);
    expect(f.callsOf('CreateCompilationJob').filter((c) => c.result === 'ok')).toHaveLength(1);
  });

  test('job FAILED: the result resource fails with SageMaker\'s reason and log location; the rollback deletes the start resource and the record', async () => {
    const reason = 'ClientError: InputConfiguration: Unable to load the model';
    const { fake: f, long } = await start({ script: { compileSeconds: 2 * HOUR, outcome: { status: 'FAILED', reason } } });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op)).toEqual({
      status: 'FAILED',
      reason: `Compilation job ${name} failed: ${reason} The job's log could not be read (the job wrote no log stream). ${LOGS(name)}`,
      outcomes: ['start Create SUCCESS', 'result Create FAILED'],
      rollback: ['result Delete SUCCESS', 'start Delete SUCCESS'],
      cleanup: [],
    });
    expect(op.failedResource).toBe('result');
    expect(f.deleted).toEqual([name]);
  });

  test('the deadline passes (timeout 2 h, the job needs 5 h): the run stops the job and signals; the result says it did not finish within its timeout; rollback', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: 5 * HOUR } });
    const spec = longSpec({ timeoutSeconds: 2 * HOUR });
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(op.status).toBe('FAILED');
    expect(op.failedResource).toBe('result');
    expect(op.reason).toMatch(new RegExp(`^Compilation job ${name} did not finish within its timeout of 7200 seconds`));
    expect(op.waits.map((w) => [w.status, w.at])).toEqual([['SUCCESS', 2 * HOUR]]);
    expect(f.callsOf('StopCompilationJob').filter((c) => c.result === 'ok').map((c) => c.at)).toEqual([2 * HOUR]);
    expect(summary(op).rollback).toEqual(['result Delete SUCCESS', 'start Delete SUCCESS']);
    expect(f.deleted).toEqual([name]);
  });

  test('the run is stopped by someone and never signals: the WaitCondition times out (timeout + 300 s), the rollback stops the job', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: 10 * HOUR } });
    const spec = longSpec({ timeoutSeconds: 2 * HOUR });
    const name = firstName(spec);
    driver!.schedule(600, async () => {
      const [run] = (await sfn!.listExecutions({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING' })).executions;
      await sfn!.stopExecution({ executionArn: run.executionArn, cause: 'stopped by hand' });
    });
    const op = await long.create([job(spec)]);
    expect({ status: op.status, failed: op.failedResource, reason: op.reason }).toEqual({
      status: 'FAILED', failed: 'waitCondition', reason: 'Failed to receive 1 resource signal(s) within the specified duration',
    });
    // Its Timeout counts from when CloudFormation began it, a few seconds after the start resource completed.
    expect(op.waits.map((w) => [w.status, w.at])).toEqual([['FAILED', DEFAULT_WAIT_CONDITION_BEGIN_SECONDS + 2 * HOUR + 300]]);
    expect(summary(op).outcomes).toEqual(['start Create SUCCESS']);
    expect(summary(op).rollback).toEqual(['start Delete SUCCESS']);
    expect(f.job(name)).toBeUndefined();
    expect(f.deleted).toEqual([name]);
    expect(f.callsOf('StopCompilationJob').filter((c) => c.result === 'ok').length).toBeGreaterThanOrEqual(1);
    expect(driver!.cloudformation.signals).toEqual([]);
  });

  test('the quota is full for 2 h: the start resource hands off at once, the run creates the job when a slot frees, and it compiles', async () => {
    const { fake: f, long } = await start({ concurrencyQuota: 1, script: (n) => (n === 'someone-elses-job' ? { compileSeconds: 2 * HOUR } : { compileSeconds: HOUR }) });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 2 * HOUR });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op).outcomes).toEqual(['start Create SUCCESS', 'result Create SUCCESS']);
    expect(op.outcomes[0].outcome.finishedAt).toBe(0);
    const createdAt = f.job(name)!.createdAt;
    expect(createdAt).toBeGreaterThanOrEqual(2 * HOUR);
    expect(createdAt).toBeLessThanOrEqual(2 * HOUR + 20);
    expect(f.createdCount(name)).toBe(1);
    expect(op.outcomes[1].outcome.data).toMatchObject({ CompilationJobName: name });
  });

  test('a changed request: a new WaitCondition and a new job; the old job and its WaitCondition go in the cleanup', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: HOUR } });
    const spec = longSpec();
    const first = await long.create([job(spec)]);
    const oldName = first.states[0].start.physicalId;
    const changed = longSpec({ request: { OutputConfig: { S3OutputLocation: 's3://out-bucket/compiled/', TargetDevice: 'ml_c4' } } });
    const op = await long.update([{ from: first.states[0], spec: changed }]);
    const newName = op.states[0].start.physicalId;
    expect(newName).not.toBe(oldName);
    expect(summary(op)).toEqual({
      status: 'SUCCESS',
      reason: undefined,
      outcomes: ['start Update SUCCESS', 'result Update SUCCESS'],
      rollback: [],
      cleanup: ['result Delete SUCCESS', 'start Delete SUCCESS'],
    });
    expect(op.states[0].waitCondition).toBe(waitConditionIdOf(job(changed)));
    expect(op.states[0].waitCondition).not.toBe(first.states[0].waitCondition);
    expect(driver!.cloudformation.get(LONG_STACK_ID, first.states[0].waitCondition)).toBeUndefined();
    expect(driver!.cloudformation.get(LONG_STACK_ID, op.states[0].waitCondition)!.status).toBe('CREATE_COMPLETE');
    expect(op.outcomes[1].outcome.data).toMatchObject({ CompilationJobName: newName });
    expect(f.job(newName)!.status).toBe('COMPLETED');
    expect(f.deleted).toEqual([oldName]);
  });

  test('a tags-only change: the same job, tags updated, a new WaitCondition signalled at the first poll, no recompile', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: HOUR } });
    const spec = longSpec();
    const first = await long.create([job(spec)]);
    const name = first.states[0].start.physicalId;
    const tagged = longSpec({ tags: [{ Key: 'team', Value: 'vision' }] });
    const startedAt = driver!.clock.seconds;
    const op = await long.update([{ from: first.states[0], spec: tagged }]);
    expect(summary(op)).toEqual({ status: 'SUCCESS', reason: undefined, outcomes: ['start Update SUCCESS', 'result Update SUCCESS'], rollback: [], cleanup: [] });
    expect(op.states[0].start.physicalId).toBe(name);
    expect(op.waits.map((w) => w.at - startedAt)).toEqual([5]);
    expect(f.createdCount(name)).toBe(1);
    expect(f.allJobs()).toHaveLength(1);
    expect(f.job(name)!.tags).toEqual({ team: 'vision' });
    expect(op.outcomes[1].outcome.data).toMatchObject({ CompilationJobName: name });
  });

  /** Jobs of the fake take `seconds[i]` to compile, in the order they are created. */
  function inOrder(...seconds: number[]): (name: string) => { compileSeconds: number } {
    const byName = new Map<string, number>();
    return (name) => {
      if (!byName.has(name)) byName.set(name, seconds[byName.size] ?? 60);
      return { compileSeconds: byName.get(name)! };
    };
  }

  test('tags changed and changed back: the WaitCondition of the first tags comes back under its old logical id and is signalled again by a new run', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: HOUR } });
    const spec = longSpec();
    const first = await long.create([job(spec)]);
    const name = first.states[0].start.physicalId;
    const tagged = await long.update([{ from: first.states[0], spec: longSpec({ tags: [{ Key: 'team', Value: 'vision' }] }) }]);
    expect(tagged.status).toBe('SUCCESS');
    const startedAt = driver!.clock.seconds;
    const back = await long.update([{ from: tagged.states[0], spec }]);
    expect(summary(back)).toEqual({ status: 'SUCCESS', reason: undefined, outcomes: ['start Update SUCCESS', 'result Update SUCCESS'], rollback: [], cleanup: [] });
    expect(back.states[0].waitCondition).toBe(first.states[0].waitCondition);
    expect(back.waits.map((w) => [w.status, w.at - startedAt])).toEqual([['SUCCESS', 5]]);
    expect(f.createdCount(name)).toBe(1);
    expect(f.job(name)!.tags).toEqual({});
    expect(await runsOf('SUCCEEDED')).toHaveLength(3);
  });

  test('an update to a new request cancelled while the new job compiles: the rollback stops the new job and its run; the old job is kept and current', async () => {
    const { fake: f, long } = await start({ script: inOrder(HOUR, 5 * HOUR) });
    const first = await long.create([job(longSpec())]);
    const oldName = first.states[0].start.physicalId;
    const changed = longSpec({ request: { OutputConfig: { S3OutputLocation: 's3://out-bucket/compiled/', TargetDevice: 'ml_c4' } } });
    const op = await long.update([{ from: first.states[0], spec: changed }], { cancelAfterSeconds: 1800 });
    const newName = op.outcomes[0].outcome.physicalResourceId;
    expect(newName).not.toBe(oldName);
    expect(summary(op)).toEqual({
      status: 'FAILED',
      reason: 'Resource creation cancelled',
      outcomes: ['start Update SUCCESS'],
      rollback: ['start Update SUCCESS', 'start cleanup Delete SUCCESS'],
      cleanup: [],
    });
    expect(op.rollback[0].outcome.physicalResourceId).toBe(oldName);
    expect(f.job(oldName)!.status).toBe('COMPLETED');
    expect(f.job(newName)).toBeUndefined();
    expect(f.deleted).toEqual([newName]);
    expect(f.job(oldName) && f.createdCount(oldName)).toBe(1);
    expect((await runsOf('ABORTED')).map((n) => n.startsWith(`${newName}-`))).toEqual([true]);
    expect(driver!.cloudformation.get(LONG_STACK_ID, waitConditionIdOf(job(changed)))).toBeUndefined();
    expect(driver!.cloudformation.get(LONG_STACK_ID, first.states[0].waitCondition)!.status).toBe('CREATE_COMPLETE');
  });

  test('a Create cancelled while its job compiles: the rollback stops the run and the job and deletes the record', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: 5 * HOUR } });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)], { cancelAfterSeconds: 1800 });
    expect(summary(op)).toEqual({ status: 'FAILED', reason: 'Resource creation cancelled', outcomes: ['start Create SUCCESS'], rollback: ['start Delete SUCCESS'], cleanup: [] });
    expect(op.waits.map((w) => [w.status, w.reason, w.at])).toEqual([['FAILED', 'Resource creation cancelled', 1800]]);
    expect(f.deleted).toEqual([name]);
    expect(f.callsOf('StopCompilationJob').filter((c) => c.result === 'ok').map((c) => c.at)).toEqual([1810]);
    expect(await runsOf('ABORTED')).toHaveLength(1);
    expect(driver!.cloudformation.signals).toEqual([]);
  });

  for (const removalPolicy of ['destroy', 'retain'] as const) {
    test(`a stack delete while the job compiles (removalPolicy ${removalPolicy}): the run is stopped, the job stopped, its record ${removalPolicy === 'destroy' ? 'deleted' : 'kept'}`, async () => {
      const { fake: f, long } = await start({ script: { compileSeconds: 5 * HOUR } });
      const spec = longSpec({ removalPolicy });
      const name = firstName(spec);
      // Another resource fails the stack create at 30 min, rollback disabled: the job compiles on.
      const created = await long.create([job(spec)], { cancelAfterSeconds: 1800, rollback: false, returnAt: 2400 });
      expect(summary(created).rollback).toEqual([]);
      expect(f.job(name)!.status).toBe('INPROGRESS');
      expect(await runsOf('RUNNING')).toHaveLength(1);
      const deleted = await long.delete([long.leftBy(created, job(spec))]);
      expect(summary(deleted)).toMatchObject({ status: 'SUCCESS', outcomes: ['start Delete SUCCESS'] });
      expect(await runsOf('RUNNING')).toEqual([]);
      expect(await runsOf('ABORTED')).toHaveLength(1);
      expect(f.callsOf('StopCompilationJob').filter((c) => c.result === 'ok').map((c) => c.at)).toEqual([2400]);
      if (removalPolicy === 'destroy') expect(f.deleted).toEqual([name]);
      else expect({ deleted: f.deleted, status: f.job(name)!.status }).toEqual({ deleted: [], status: 'STOPPED' });
    });
  }

  test('the same request deployed again in a new stack (RETAIN): the COMPLETED job is adopted, its new WaitCondition signalled at the first poll, no recompile', async () => {
    const { fake: f, long } = await start({ script: { compileSeconds: HOUR } });
    const spec = longSpec({ removalPolicy: 'retain' });
    const first = await long.create([job(spec)]);
    const name = first.states[0].start.physicalId;
    expect(summary(await long.delete(first.states)).outcomes).toEqual(['result Delete SUCCESS', 'start Delete SUCCESS']);
    expect(f.job(name)!.status).toBe('COMPLETED');
    const otherStack = LONG_STACK_ID.replace('/NeoStack/', '/NeoStack2/');
    const startedAt = driver!.clock.seconds;
    const again = await long.create([{ ...job(spec), stackId: otherStack }]);
    expect(summary(again).outcomes).toEqual(['start Create SUCCESS', 'result Create SUCCESS']);
    expect(again.states[0].start.physicalId).toBe(name);
    expect(again.outcomes[1].outcome.data).toMatchObject({ CompilationJobName: name });
    expect(again.waits.map((w) => w.at - startedAt)).toEqual([5]);
    expect(f.createdCount(name)).toBe(1);
    expect(f.allJobs()).toHaveLength(1);
  });

  test('a fleet of 3 jobs of 2 h under a quota of 2 (timeout 6 h): every job compiles once, the third when a slot frees, at most 2 at a time', async () => {
    const { fake: f, long } = await start({ concurrencyQuota: 2, script: { compileSeconds: 2 * HOUR } });
    const jobs = [0, 1, 2].map((i) => job(longSpec({ timeoutSeconds: 6 * HOUR, constructAddress: `c8job${i}`, jobNamePrefix: `NeoStack-job${i}` }), `Job${i}`));
    const op = await long.create(jobs, { waitConditionBeginSeconds: waitConditionBeginSpread(2) });
    expect(op.status).toBe('SUCCESS');
    expect(op.states.map((s) => s.result.physicalId)).toEqual(op.states.map((s) => s.start.physicalId));
    const created = op.states.map((s) => f.job(s.start.physicalId)!.createdAt).sort((a, b) => a - b);
    expect(created.slice(0, 2)).toEqual([0, 0]);
    expect(created[2]).toBeGreaterThanOrEqual(10 + 2 * HOUR);
    expect(created[2]).toBeLessThanOrEqual(10 + 2 * HOUR + 25);
    expect(op.states.map((s) => f.createdCount(s.start.physicalId))).toEqual([1, 1, 1]);
    expect(op.states.every((s) => f.job(s.start.physicalId)!.status === 'COMPLETED')).toBe(true);
  });

  // The fleet: 100 targets of one model in one stack, a quota of 10, 15-minute jobs (ideal:
  // 10 waves, 2.5 hours), each job's timeout covering the waves as the README advises.
  test.each([[10], [100]])('a fleet of %i jobs of 15 minutes under a quota of 10, in one stack: every job compiles once, the stack completes within 1.05 x the ideal makespan, each result within two polls of its job\'s end', async (jobs) => {
    const row = await deployLongFleetStack(jobs, 10, 15);
    expect(row.status).toBe('SUCCESS');
    expect(row.jobsCreatedOnce).toBe(true);
    expect(row.makespanSeconds / row.idealMakespanSeconds).toBeLessThanOrEqual(1.05);
    expect(row.resultLatencyMaxSeconds).toBeLessThanOrEqual(2 * 5); // a poll to see the end, a poll's worth for the result resource
  });
});

/** SignalResource calls of the CloudFormation model from the `from`th on: result per call. */
function signalResults(from = 0): string[] {
  return driver!.cloudformation.signals.slice(from).map((s) => s.result);
}

describe('long path on AWS\'s semantics: error names as the AWS SDK integration gives them, a WaitCondition that begins late', () => {
  for (const begin of [15, 120]) {
    test(`the job has ended at the hand-off (a tags-only update) and CloudFormation begins the WaitCondition ${begin} s later: the run waits for it and signals once; SUCCESS`, async () => {
      const { fake: f, long } = await start({ script: { compileSeconds: HOUR } });
      const spec = longSpec();
      const first = await long.create([job(spec)]);
      const name = first.states[0].start.physicalId;
      const startedAt = driver!.clock.seconds;
      const signalsBefore = driver!.cloudformation.signals.length;
      const op = await long.update([{ from: first.states[0], spec: longSpec({ tags: [{ Key: 'team', Value: 'vision' }] }) }], { waitConditionBeginSeconds: begin });
      expect(summary(op)).toEqual({ status: 'SUCCESS', reason: undefined, outcomes: ['start Update SUCCESS', 'result Update SUCCESS'], rollback: [], cleanup: [] });
      // Never a signal before the WaitCondition began (the old run signalled at +5 s, was refused, and SUCCEEDED).
      expect(signalResults(signalsBefore)).toEqual(['ok']);
      const signalledAfter = op.waits[0].at - startedAt;
      expect(signalledAfter).toBeGreaterThanOrEqual(begin);
      expect(signalledAfter).toBeLessThanOrEqual(begin + 5 + 5);
      expect(f.createdCount(name)).toBe(1);
      expect(await runsOf('SUCCEEDED')).toHaveLength(2);
    });
  }

  test('the WaitCondition never begins (another resource fails first and the rollback is slow): the run gives up at the WaitCondition\'s timeout, FAILED with Compilation.NotSignalled, never SUCCEEDED', async () => {
    const { long } = await start({ script: { compileSeconds: 60 } });
    const spec = longSpec({ timeoutSeconds: 2 * HOUR });
    // Returned while the run still tries; nothing will ever begin the WaitCondition.
    await long.create([job(spec)], { waitConditionBeginSeconds: 1e9, returnAt: 600 });
    await sfn!.advanceTo(2 * HOUR + 300 + 60);
    const [run] = (await sfn!.listExecutions({ stateMachineArn: STATE_MACHINE_ARN })).executions;
    const description = await sfn!.describeExecution({ executionArn: run.executionArn });
    expect(description).toMatchObject({ status: 'FAILED', error: RUN_NOT_SIGNALLED_ERROR });
    expect(description.stopDate!.getTime() - description.startDate.getTime()).toBeGreaterThanOrEqual((2 * HOUR + 300 - 5) * 1000);
    expect(driver!.cloudformation.signals).toEqual([]);
  });

  test.each([[3], [50]])('%i throttled Describes while the job runs (SageMaker.SageMakerException, "Rate exceeded"): the run keeps waiting; SUCCESS', async (count) => {
    const { fake: f, long } = await start({ script: { compileSeconds: 2 * HOUR } });
    f.throttleBurst({ operation: 'DescribeCompilationJob', count, afterCalls: 10 });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op).outcomes).toEqual(['start Create SUCCESS', 'result Create SUCCESS']);
    expect(f.callsOf('DescribeCompilationJob').filter((c) => c.result === 'ThrottlingException')).toHaveLength(count);
    expect(f.job(name)!.status).toBe('COMPLETED');
    expect(f.callsOf('StopCompilationJob')).toEqual([]);
    expect(signalResults()).toEqual(['ok']);
  });

  test('a throttled Describe in words no public source shows (no "Rate exceeded"): not taken for a transient fault; the result resource fails at once with the service\'s words, the rollback stops the job', async () => {
    const words = 'Slow down, please (unseen words)';
    const { fake: f, long } = await start({ script: { compileSeconds: 2 * HOUR }, throttleMessage: words });
    f.throttleBurst({ operation: 'DescribeCompilationJob', count: 1, afterCalls: 10 });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op)).toMatchObject({ status: 'FAILED', outcomes: ['start Create SUCCESS', 'result Create FAILED'] });
    expect(op.reason).toContain(`Compilation job ${name} is still running, but the run waiting for it failed: SageMaker.SageMakerException: ${words} (Service: SageMaker, Status Code: 400`);
    expect(signalResults()).toEqual(['ok']);
    // Within a few polls of the refusal, not at the result resource's hour.
    const refusedAt = f.callsOf('DescribeCompilationJob').find((c) => c.result === 'ThrottlingException')!.at;
    expect(op.finishedAt - refusedAt).toBeLessThan(120);
    expect(f.callsOf('StopCompilationJob').length).toBeGreaterThan(0);
  });

  test('Creates throttled during a quota wait: the run keeps waiting and creates the job once a slot frees; SUCCESS', async () => {
    const { fake: f, long } = await start({ concurrencyQuota: 1 });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: HOUR });
    f.throttleBurst({ operation: 'CreateCompilationJob', count: 30, afterCalls: 5 });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op).outcomes).toEqual(['start Create SUCCESS', 'result Create SUCCESS']);
    expect(f.callsOf('CreateCompilationJob').filter((c) => c.result === 'ThrottlingException')).toHaveLength(30);
    expect(f.job(name)!.createdAt).toBeGreaterThanOrEqual(HOUR);
    expect(f.createdCount(name)).toBe(1);
  });

  test('a ValidationException on the run\'s create after a quota wait: the run ends at once, and the result resource fails with SageMaker\'s words', async () => {
    const { fake: f, long } = await start({ concurrencyQuota: 1 });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 1900 });
    const spec = longSpec();
    const name = firstName(spec);
    const words = `Could not assume role ${spec.request.RoleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`;
    driver!.schedule(1800, async () => f.refuseCreates(words));
    const op = await long.create([job(spec)]);
    expect(op.failedResource).toBe('result');
    expect(op.reason).toContain(`Compilation job ${name} was not created: SageMaker.SageMakerException: ${words} (Service: SageMaker, Status Code: 400`);
    const refusals = f.callsOf('CreateCompilationJob').filter((c) => c.result === 'ValidationException');
    expect(refusals).toHaveLength(1);
    expect(op.waits.map((w) => w.status)).toEqual(['SUCCESS']);
    expect(op.waits[0].at - refusals[0].at).toBeLessThanOrEqual(1);
    expect(f.createdCount(name)).toBe(0);
    // Someone else's job ends on its own.
    f.advance(1900 - f.clock.seconds);
  });

  test('CloudFormation throttles the signal (CloudFormation.CloudFormationException, "Rate exceeded"): the run signals again; SUCCESS', async () => {
    const { long } = await start({ script: { compileSeconds: HOUR } });
    driver!.cloudformation.throttleSignals = 4;
    const op = await long.create([job(longSpec())]);
    expect(summary(op).outcomes).toEqual(['start Create SUCCESS', 'result Create SUCCESS']);
    expect(signalResults()).toEqual(['Throttling', 'Throttling', 'Throttling', 'Throttling', 'ok']);
    expect(await runsOf('SUCCEEDED')).toHaveLength(1);
  });
});
