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
import type { CompilationJobSpec } from '../../src/private/contract';
import { LONG_RUN_DEFINITION } from '../../src/private/long-run-definition';
import { Driver } from '../driver/driver';
import { LONG_STACK_ID, LongJob, LongOperation, LongPath, STATE_MACHINE_ARN, waitConditionIdOf } from '../driver/long-path';
import { StepFunctions } from '../driver/step-functions';
import { nameOf, specOf } from '../handler/fixtures';

jest.setTimeout(300_000);

const HOUR = 3600;
const LOGS = (name: string) => `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${name}.`;

let fake: FakeSageMaker | undefined;
let driver: Driver | undefined;
let sfn: StepFunctions | undefined;

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
      sfn = new StepFunctions({ fake: services.fake!, definition: LONG_RUN_DEFINITION, stateMachineArn: STATE_MACHINE_ARN, signal: services.signalResource });
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
  f.advance(21);
  expect(f.activeJobs().map((j) => `${j.name} ${j.status}`)).toEqual([]);
  expect(f.violations).toEqual([]);
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

describe('long path', () => {
  test('compiles in 3 h (timeout 4 h): the WaitCondition is signalled at the first poll after the end, the attributes come from the result', async () => {
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
    expect(op.waits[0].at).toBeLessThanOrEqual(ended + 5);
    expect(f.createdCount(name)).toBe(1);
    expect(driver!.cloudformation.signals.map((s) => s.result)).toEqual(['ok']);
  });

  test('job FAILED: the result resource fails with SageMaker\'s reason and log location; the rollback deletes the start resource and the record', async () => {
    const reason = 'ClientError: InputConfiguration: Unable to load the model';
    const { fake: f, long } = await start({ script: { compileSeconds: 2 * HOUR, outcome: { status: 'FAILED', reason } } });
    const spec = longSpec();
    const name = firstName(spec);
    const op = await long.create([job(spec)]);
    expect(summary(op)).toEqual({
      status: 'FAILED', reason: `Compilation job ${name} failed: ${reason} ${LOGS(name)}`,
      outcomes: ['start Create SUCCESS', 'result Create FAILED'], rollback: ['result Delete SUCCESS', 'start Delete SUCCESS'], cleanup: [],
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
    expect(op.waits.map((w) => [w.status, w.at])).toEqual([['FAILED', 2 * HOUR + 300]]);
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
      status: 'SUCCESS', reason: undefined, outcomes: ['start Update SUCCESS', 'result Update SUCCESS'], rollback: [],
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
});
