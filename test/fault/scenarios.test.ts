/**
 * Scenarios: the shipped handler bundle inside aws-cdk-lib's own Provider framework runtime, on
 * every path a real CloudFormation takes (../driver), against a scripted SageMaker on a virtual
 * clock (./fake-sagemaker) that checks every request against botocore's official API model.
 *
 * Every scenario ends by asserting that no job the handler created is left running, that nothing
 * asked S3 to delete or overwrite the input model or an artifact, and that every request was
 * valid. SCENARIOS.md lists these tests by name; the last test keeps the two in step.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT, FakeOptions, FakeSageMaker, JobScript, JobStatus, REGION } from './fake-sagemaker';
import { takeGateFindings } from './model-gate';
import type { CreateEvent } from '../../lambda/compilation-job/cloudformation';
import { MAX_ATTRIBUTES_JSON_BYTES } from '../../lambda/compilation-job/model-files';
import type { CompilationJobAttributes, CompilationJobSpec } from '../../src/private/contract';
import { IAM_PROPAGATION_SECONDS, MAX_JOB_TIMEOUT_SECONDS, MAX_LONG_RUN_TIMEOUT_SECONDS } from '../../src/private/contract';
import { CREATE_FAILED_MARKER, CREATION_CANCELLED, DeploymentResult, Driver, OPERATION_TIMED_OUT, UPDATE_CANCELLED } from '../driver/driver';
import { FUNCTION_ARNS } from '../driver/lambda';
import { providerSettings } from '../driver/template';
import { createEvent, deleteEvent, LOGICAL_RESOURCE_ID, LONGEST_PREFIX, nameOf, REQUEST_ID, specOf, STACK_ID, updateEvent } from '../handler/fixtures';

jest.setTimeout(120_000);

const ASSET_HASH = '0f4c1e6a7b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f';
const ASSET_OBJECT = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/${ASSET_HASH}.gz`;
const STAGED_URI = `s3://out-bucket/model-inputs/${ASSET_HASH}.tar.gz`;
const OBJECTS = [ASSET_OBJECT, 'model-bucket/models/resnet18.tar.gz'];

type SpecOverrides = Omit<NonNullable<Parameters<typeof specOf>[0]>, 'request' | 'inputCopy'>;

/** A model uploaded as a CDK asset (`<hash>.gz`), copied to a `.tar.gz` key before the job, compiled for ml_c5. */
function localSpec(overrides: SpecOverrides = {}, input = STAGED_URI): CompilationJobSpec {
  return specOf({
    ...overrides,
    request: { InputConfig: { S3Uri: input, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
    inputCopy: { source: `s3://${ASSET_OBJECT}`, target: input },
  });
}

const SPEC = localSpec();
const NAME = nameOf(SPEC);
const LOGS = (name: string) => `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${name}.`;
/** What a failure says when the job wrote no log stream (the driver's CloudWatch Logs has none). */
const NO_STREAM = 'The job\'s log could not be read (the job wrote no log stream).';

function expectedAttributes(name: string): CompilationJobAttributes {
  const key = `compiled/${name}/${ASSET_HASH}-ml_c5.tar.gz`;
  return {
    CompilationJobName: name,
    CompilationJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:compilation-job/${name}`,
    ModelArtifactsS3Uri: `s3://out-bucket/${key}`,
    ModelArtifactsObjectKey: key,
    InferenceImage: `785573368785.dkr.ecr.${REGION}.amazonaws.com/sagemaker-neo-onnx:1.6-cpu-py3`,
    ArtifactDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown as string,
    DerivedDataInputConfig: '',
    CacheHit: 'false',
  };
}

let fake: FakeSageMaker | undefined;
let driver: Driver | undefined;
const scenarioNames: string[] = [];

async function start(options: FakeOptions = {}, environment?: Record<string, string>): Promise<{ fake: FakeSageMaker; driver: Driver }> {
  fake = new FakeSageMaker({ objects: OBJECTS, ...options });
  driver = await Driver.start({ fake, environment });
  return { fake, driver };
}

function scenario(name: string, body: () => Promise<void>): void {
  scenarioNames.push(name);
  test(name, body);
}

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  if (!fake) return;
  const f = fake;
  fake = undefined;
  // No job the handler created still runs once a stop has had time to finish.
  expect(f.leftovers('handler')).toEqual({ running: [], violations: [] });
  expect(f.s3Damage()).toEqual([]);
  // Every request any stand-in refused, every answer outside its model (../fault/model-gate.ts).
  expect(takeGateFindings()).toEqual([]);
});

function statusOf(f: FakeSageMaker, name: string): JobStatus | 'deleted' | 'never created' {
  return f.job(name)?.status ?? (f.deleted.includes(name) ? 'deleted' : 'never created');
}

function count(f: FakeSageMaker, operation: Parameters<FakeSageMaker['callsOf']>[0], result?: string): number {
  return f.callsOf(operation).filter((call) => result === undefined || call.result === result).length;
}

function expectSuccess(result: DeploymentResult, data?: CompilationJobAttributes): void {
  expect({ status: result.outcome.status, reason: result.outcome.reason }).toEqual({ status: 'SUCCESS', reason: undefined });
  if (data) expect(result.outcome.data).toEqual(data);
}

function create(spec: CompilationJobSpec, requestId = REQUEST_ID): CreateEvent {
  return createEvent(spec, { requestId });
}

// ---------------------------------------------------------------------------------------------
// Create

describe('Create', () => {
  scenario('STARTING -> INPROGRESS -> COMPLETED: the Create succeeds with the seven attributes, the model copied once', async () => {
    const { fake: f } = await start();
    const result = await driver!.deploy(create(SPEC));
    expectSuccess(result, expectedAttributes(NAME));
    expect(result.outcome.finishedAt).toBe(70);
    expect(count(f, 'CopyObject')).toBe(1);
    expect(f.createdCount(NAME)).toBe(1);
  });

  scenario('FAILED with a 1024-character reason: the Create fails with that reason, the rollback Delete removes the record', async () => {
    const reason = `Compilation failed: ${'x'.repeat(1004)}`;
    const { fake: f } = await start({ script: { outcome: { status: 'FAILED', reason } } });
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.reason).toBe(`Compilation job ${NAME} failed: ${reason} ${NO_STREAM} ${LOGS(NAME)}`);
    expect(result.outcome.response!.contentLength).toBeLessThan(4096);
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect(statusOf(f, NAME)).toBe('deleted');
  });

  scenario('STOPPED by someone else: the Create fails naming the stop, the rollback deletes the stopped record', async () => {
    const { fake: f } = await start({ script: { stoppedByOthersAfterSeconds: 30 } });
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.reason).toBe(`Compilation job ${NAME} was stopped (STOPPING) before it completed; it was not stopped by this deployment. Deploy again to compile anew. ${LOGS(NAME)}`);
    expect(statusOf(f, NAME)).toBe('deleted');
    expect(count(f, 'StopCompilationJob')).toBe(0);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    scenario(`ThrottlingException on 30% of all calls (seed ${seed}): Create and Delete still succeed`, async () => {
      const { fake: f } = await start({ seed, throttleRate: 0.3, s3ThrottleRate: 0.3 });
      const created = await driver!.deploy(create(SPEC));
      expectSuccess(created, expectedAttributes(NAME));
      const deleted = await driver!.deploy(deleteEvent(SPEC, NAME));
      expectSuccess(deleted);
      expect(statusOf(f, NAME)).toBe('deleted');
      expect(f.createdCount(NAME)).toBe(1);
    });
  }

  for (const operation of ['CreateCompilationJob', 'DescribeCompilationJob'] as const) {
    scenario(`a burst of 20 ThrottlingExceptions on ${operation}: the Create still succeeds, one job`, async () => {
      const { fake: f } = await start();
      f.throttleBurst({ operation, count: 20, afterCalls: operation === 'DescribeCompilationJob' ? 1 : 0 });
      const result = await driver!.deploy(create(SPEC));
      expectSuccess(result, expectedAttributes(NAME));
      expect(count(f, operation, 'ThrottlingException')).toBe(20);
      expect(f.createdCount(NAME)).toBe(1);
    });
  }

  scenario('a burst of 20 Throttling errors on DescribeStackResource before the create: no job while CloudFormation cannot be asked, then the Create succeeds', async () => {
    const { fake: f } = await start();
    driver!.cloudformation.throttleNext = 20;
    const result = await driver!.deploy(create(SPEC));
    expectSuccess(result, expectedAttributes(NAME));
    expect(driver!.cloudformation.calls.filter((c) => c.result === 'Throttling')).toHaveLength(20);
    const firstAsked = driver!.cloudformation.calls.find((c) => c.result === 'ok')!.at;
    expect(f.job(NAME)!.createdAt).toBe(firstAsked);
  });

  scenario('ResourceLimitExceeded until capacity frees (quota 1, another job until 300 s): the Create succeeds after the other job completes', async () => {
    const { fake: f } = await start({ concurrencyQuota: 1 });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 300 });
    const result = await driver!.deploy(create(SPEC));
    expectSuccess(result, expectedAttributes(NAME));
    expect(f.job(NAME)!.createdAt).toBeGreaterThanOrEqual(300);
    expect(f.job(NAME)!.createdAt).toBeLessThanOrEqual(305);
  });

  scenario('duplicate delivery of the Create: one job, and both answers carry the same attributes', async () => {
    const { fake: f } = await start();
    const result = await driver!.deploy(create(SPEC), { duplicateDeliveryAfterSeconds: 12 });
    expectSuccess(result, expectedAttributes(NAME));
    expect(result.orphans.map((o) => [o.status, o.data])).toEqual([['SUCCESS', expectedAttributes(NAME)]]);
    expect(f.createdCount(NAME)).toBe(1);
  });

  scenario('the job slower than its timeout (120 s): the Create fails naming the job, the rollback waits for STOPPED and deletes it', async () => {
    const spec = localSpec({ timeoutSeconds: 120 });
    const name = nameOf(spec);
    const { fake: f } = await start({ script: { compileSeconds: 600 } });
    const result = await driver!.deploy(create(spec));
    expect(result.outcome.reason).toBe(`Compilation job ${name} did not finish within its timeout of 120 seconds (counted from the start of the deployment; status INPROGRESS); it has been stopped. Raise the construct's \`timeout\` (at most ${MAX_LONG_RUN_TIMEOUT_SECONDS} seconds) or make the model compile faster. ${LOGS(name)}`);
    expect(result.outcome.finishedAt).toBe(125);
    expect(statusOf(f, name)).toBe('deleted');
  });

  scenario('Stop of a job that finished in between (timeout): the job\'s result is used and the Create succeeds', async () => {
    const spec = localSpec({ timeoutSeconds: 60 });
    const name = nameOf(spec);
    const { fake: f } = await start({ script: { compileSeconds: 600 } });
    f.beforeNext('StopCompilationJob', () => f.finishNow(name));
    const result = await driver!.deploy(create(spec));
    expectSuccess(result, expectedAttributes(name));
    expect(result.outcome.finishedAt).toBe(70);
  });

  scenario('RETAIN: the Delete keeps the record, and a new stack adopts the COMPLETED job without compiling again', async () => {
    const spec = localSpec({ removalPolicy: 'retain' });
    const name = nameOf(spec);
    const { fake: f } = await start();
    expectSuccess(await driver!.deploy(create(spec)));
    expectSuccess(await driver!.deploy(deleteEvent(spec, name)));
    expect(statusOf(f, name)).toBe('COMPLETED');
    const again = await driver!.deploy(create(spec, 'second-stack-create'));
    expectSuccess(again, expectedAttributes(name));
    expect(again.outcome.polls).toBe(1);
    expect(count(f, 'CreateCompilationJob')).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Delete

describe('Delete', () => {
  const cases: Array<[string, JobScript, number, JobStatus | 'missing']> = [
    ['running', { compileSeconds: 600 }, 30, 'STOPPED'],
    ['completed', {}, 100, 'COMPLETED'],
    ['failed', { outcome: { status: 'FAILED', reason: 'bad model' } }, 100, 'FAILED'],
  ];
  for (const policy of ['destroy', 'retain'] as const) {
    scenario(`Delete (removalPolicy ${policy}) of a missing job succeeds: nothing to do`, async () => {
      const spec = localSpec({ removalPolicy: policy });
      const { fake: f } = await start();
      expectSuccess(await driver!.deploy(deleteEvent(spec, nameOf(spec))));
      expect(f.calls.map((c) => c.operation)).toEqual(['DescribeCompilationJob', 'DescribeCompilationJob']);
    });
    for (const [state, script, age, end] of cases) {
      scenario(`Delete (removalPolicy ${policy}) of a ${state} job succeeds: ${policy === 'destroy' ? 'record deleted' : `${end} record kept`}`, async () => {
        const spec = localSpec({ removalPolicy: policy });
        const name = nameOf(spec);
        const { fake: f } = await start({ script });
        f.seedJob(name, script, createRequestFor(spec, name));
        f.advance(age);
        expectSuccess(await driver!.deploy(deleteEvent(spec, name)));
        expect(statusOf(f, name)).toBe(policy === 'destroy' ? 'deleted' : end);
      });
    }
  }

  scenario('bursts of 20 ThrottlingExceptions on StopCompilationJob and DeleteCompilationJob: the Delete still stops the job and deletes the record', async () => {
    const name = nameOf(SPEC);
    const { fake: f } = await start();
    f.seedJob(name, { compileSeconds: 600 }, createRequestFor(SPEC, name));
    f.throttleBurst({ operation: 'StopCompilationJob', count: 20 });
    f.throttleBurst({ operation: 'DeleteCompilationJob', count: 20 });
    expectSuccess(await driver!.deploy(deleteEvent(SPEC, name)));
    expect(statusOf(f, name)).toBe('deleted');
    expect(count(f, 'StopCompilationJob', 'ok')).toBeGreaterThanOrEqual(1);
  });

  scenario('Stop of a job that finished in between (Delete): the ValidationException is ignored, the record is deleted', async () => {
    const name = nameOf(SPEC);
    const { fake: f } = await start();
    f.seedJob(name, { compileSeconds: 600 }, createRequestFor(SPEC, name));
    f.advance(30);
    f.beforeNext('StopCompilationJob', () => f.finishNow(name));
    expectSuccess(await driver!.deploy(deleteEvent(SPEC, name)));
    expect(count(f, 'StopCompilationJob', 'ValidationException')).toBe(1);
    expect(statusOf(f, name)).toBe('deleted');
  });

  scenario('the cleanup Delete, after a library upgrade, of a job named by an earlier release (outside the handler\'s scope): succeeds and leaves the job', async () => {
    const oldSpec = localSpec({ jobNamePrefix: 'neostack-resnet' });
    const name = nameOf(oldSpec);
    const { fake: f } = await start({}, { JOB_NAME_SCOPE: 'neostack-1a2b3c4d-' });
    f.seedJob(name, { startingSeconds: 0, compileSeconds: 0 }, createRequestFor(oldSpec, name));
    f.advance(1);
    expectSuccess(await driver!.deploy(deleteEvent(oldSpec, name)));
    expect(statusOf(f, name)).toBe('COMPLETED');
    expect(f.calls.filter((c) => c.service === 'sagemaker')).toEqual([]);
  });

  scenario('a Delete whose job never stops: the waiter\'s retries run out and the framework\'s onTimeout answers before CloudFormation\'s ServiceTimeout', async () => {
    const name = nameOf(SPEC);
    const { fake: f } = await start();
    f.seedJob(name, { compileSeconds: 10_000, stoppingSeconds: 10_000 }, createRequestFor(SPEC, name));
    const result = await driver!.deploy(deleteEvent(SPEC, name));
    expect(result.outcome.reason).toBe(OPERATION_TIMED_OUT);
    const { intervalSeconds, maxAttempts, serviceTimeoutSeconds } = providerSettings();
    expect(result.outcome.finishedAt).toBe(intervalSeconds * maxAttempts);
    expect(result.outcome.finishedAt).toBeLessThan(serviceTimeoutSeconds);
    f.advance(10_000);
  });
});

/** The request the handler sends for `spec` under `name` (for seeding jobs). */
function createRequestFor(spec: CompilationJobSpec, name: string) {
  return {
    ...spec.request,
    CompilationJobName: name,
    OutputConfig: { ...spec.request.OutputConfig, S3OutputLocation: `s3://out-bucket/compiled/${name}` },
  } as never;
}

// ---------------------------------------------------------------------------------------------
// Update

describe('Update', () => {
  const NEW_SPEC = localSpec({}, `s3://out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`);

  async function deployed(f: FakeSageMaker): Promise<string> {
    f.seedJob(NAME, { startingSeconds: 0, compileSeconds: 0 }, createRequestFor(SPEC, NAME));
    f.advance(1);
    driver!.cloudformation.set(STACK_ID, LOGICAL_RESOURCE_ID, 'Custom::SageMakerNeoCompilationJob', 'CREATE_COMPLETE', NAME);
    return NAME;
  }

  scenario('Update to a new request: a new job; the cleanup Delete of the old physical id removes the old record', async () => {
    const { fake: f } = await start({ objects: [...OBJECTS, `out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`] });
    const old = await deployed(f);
    const result = await driver!.deploy(updateEvent(NEW_SPEC, SPEC, old, { requestId: 'update-1' }));
    expectSuccess(result);
    const name = result.outcome.physicalResourceId;
    expect(name).not.toBe(old);
    expectSuccess(await driver!.deploy(deleteEvent(SPEC, old)));
    expect([statusOf(f, old), statusOf(f, name)]).toEqual(['deleted', 'COMPLETED']);
  });

  scenario('Update to a new request whose job FAILS: the rollback deletes the new job, the old job stays COMPLETED', async () => {
    const { fake: f } = await start({ objects: [...OBJECTS, `out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`], script: { outcome: { status: 'FAILED', reason: 'bad' } } });
    const old = await deployed(f);
    const result = await driver!.deploy(updateEvent(NEW_SPEC, SPEC, old, { requestId: 'update-1' }));
    const name = nameOf(NEW_SPEC, 'update-1');
    expect(result.outcome.reason).toBe(`Compilation job ${name} failed: bad ${NO_STREAM} ${LOGS(name)}`);
    expect([statusOf(f, old), statusOf(f, name)]).toEqual(['COMPLETED', 'deleted']);
  });

  scenario('Update of tags only under 30% throttling: the same job is re-tagged in place', async () => {
    const { fake: f } = await start({ throttleRate: 0.3, seed: 7 });
    const old = await deployed(f);
    const tagged = localSpec({ tags: [{ Key: 'team', Value: 'vision-é' }] });
    const result = await driver!.deploy(updateEvent(tagged, SPEC, old, { requestId: 'update-tags' }));
    expectSuccess(result);
    expect(result.outcome.physicalResourceId).toBe(old);
    expect(f.job(old)!.tags).toEqual({ team: 'vision-é' });
    expect(count(f, 'CreateCompilationJob')).toBe(0);
  });

  scenario('nothing changed but the ServiceToken (a library upgrade): same physical id, no new job', async () => {
    const { fake: f } = await start();
    const old = await deployed(f);
    const result = await driver!.deploy(updateEvent(SPEC, SPEC, old, { requestId: 'upgrade', oldServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:old' }));
    expectSuccess(result, expectedAttributes(old));
    expect(count(f, 'CreateCompilationJob')).toBe(0);
  });

  for (const [what, policy, quotaFull] of [
    ['its job compiles', 'destroy', false], ['its job compiles', 'retain', false], ['its job waits for the quota', 'destroy', true],
  ] as const) {
    scenario(`cancelled replacing Update while ${what} (${policy}): the rollback ${quotaFull ? 'leaves no job, and no waiter creates one late' : `stops${policy === 'destroy' ? ' and deletes' : ''} the cancelled update's job`}`, async () => {
      const newSpec = localSpec({ removalPolicy: policy }, `s3://out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`);
      const { fake: f } = await start({
        objects: [...OBJECTS, `out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`],
        script: { compileSeconds: 600 },
        concurrencyQuota: quotaFull ? 1 : 20,
      });
      const old = await deployed(f);
      if (quotaFull) f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 120 });
      const event = updateEvent(newSpec, SPEC, old, { requestId: 'update-cancelled' });
      const result = await driver!.deploy(event, { cancelAfterSeconds: 60 });
      const name = nameOf(newSpec, 'update-cancelled');
      expect(result.outcome.reason).toBe(UPDATE_CANCELLED);
      expect(result.rollback.map((o) => [o.requestType, o.status, o.physicalResourceId])).toEqual([['Update', 'SUCCESS', old]]);
      expect(driver!.cloudformation.get(STACK_ID, LOGICAL_RESOURCE_ID)).toMatchObject({ status: 'UPDATE_COMPLETE', physicalResourceId: old });
      expect(statusOf(f, old)).toBe('COMPLETED');
      if (quotaFull) {
        expect(statusOf(f, name)).toBe('never created');
        expect(result.orphans.map((o) => o.reason)).toEqual([`Compilation job ${name} was not created: CloudFormation no longer waits for this operation on resource ${LOGICAL_RESOURCE_ID}.`]);
      } else {
        expect(statusOf(f, name)).toBe(policy === 'destroy' ? 'deleted' : 'STOPPED');
        // Stopped by the handler: SageMaker took its StopCompilationJob of the job (under DESTROY the
        // record is gone since, so its stoppedBy can no longer be read).
        const stops = f.callsOf('StopCompilationJob').filter((call) => (call.input as { CompilationJobName?: string }).CompilationJobName === name);
        expect(stops.map((call) => call.result)).toContain('ok');
        if (policy === 'retain') expect(f.job(name)!.stoppedBy).toBe('handler');
      }
    });
  }

  scenario('Update to a new request while another job holds the quota (1) for 100 s: the new job is created once capacity frees, while CloudFormation waits (UPDATE_IN_PROGRESS)', async () => {
    const { fake: f } = await start({ objects: [...OBJECTS, `out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`], concurrencyQuota: 1 });
    const old = await deployed(f);
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 100 });
    const result = await driver!.deploy(updateEvent(NEW_SPEC, SPEC, old, { requestId: 'update-1' }));
    expectSuccess(result);
    const name = result.outcome.physicalResourceId;
    expect(f.job(name)!.createdAt - result.outcome.startedAt).toBeGreaterThanOrEqual(99);
    expect(f.job(name)!.createdAt - result.outcome.startedAt).toBeLessThanOrEqual(105);
    expect(driver!.cloudformation.calls.every((c) => c.status === 'UPDATE_IN_PROGRESS')).toBe(true);
    expect(driver!.cloudformation.get(STACK_ID, LOGICAL_RESOURCE_ID)).toMatchObject({ status: 'UPDATE_COMPLETE', physicalResourceId: name });
  });

  scenario('A -> B -> A while SageMaker holds the names of deleted jobs: every step compiles under a new name and succeeds', async () => {
    const { fake: f } = await start({ objects: [...OBJECTS, `out-bucket/model-inputs/${'1'.repeat(64)}.tar.gz`], deletedNamesHeldSeconds: 3600 });
    const a = await deployed(f);
    const toB = await driver!.deploy(updateEvent(NEW_SPEC, SPEC, a, { requestId: 'to-b' }));
    expectSuccess(toB);
    expectSuccess(await driver!.deploy(deleteEvent(SPEC, a, { requestId: 'cleanup-a' })));
    const b = toB.outcome.physicalResourceId;
    const toA = await driver!.deploy(updateEvent(SPEC, NEW_SPEC, b, { requestId: 'back-to-a' }));
    expectSuccess(toA, expectedAttributes(nameOf(SPEC, 'back-to-a')));
    expect(toA.outcome.finishedAt - toA.outcome.startedAt).toBeLessThan(80);
  });
});

// ---------------------------------------------------------------------------------------------
// Cancellation, rollback, and the framework's own failures

describe('cancellation and the framework', () => {
  scenario('Create cancelled while its job compiles: the Delete of the invented physical id stops and deletes the job', async () => {
    const { fake: f } = await start({ script: { compileSeconds: 600 } });
    const result = await driver!.deploy(create(SPEC), { cancelAfterSeconds: 32 });
    expect(result.outcome.reason).toBe(CREATION_CANCELLED);
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect(statusOf(f, NAME)).toBe('deleted');
    expect(f.createdCount(NAME)).toBe(1);
  });

  scenario('Create cancelled while its job compiles, every Describe throttled while the job stops: the orphaned waiter does not compile the job again', async () => {
    const { fake: f } = await start({ script: { compileSeconds: 600 } });
    f.throttleWindow({ operation: 'DescribeCompilationJob', from: 33, to: 56 });
    const result = await driver!.deploy(create(SPEC), { cancelAfterSeconds: 32 });
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect(statusOf(f, NAME)).toBe('deleted');
    expect(f.createdCount(NAME)).toBe(1);
  });

  for (const addedByStackUpdate of [false, true]) {
    scenario(`Create cancelled while it waited for the quota${addedByStackUpdate ? ' (the resource was added by a stack update that rolled back)' : ''}: no job is ever created, not even after the quota frees`, async () => {
      const { fake: f } = await start({ concurrencyQuota: 1 });
      f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 300 });
      const result = await driver!.deploy(create(SPEC), { cancelAfterSeconds: 62, addedByStackUpdate });
      expect(result.outcome.reason).toBe(CREATION_CANCELLED);
      expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
      expect(statusOf(f, NAME)).toBe('never created');
      expect(result.orphans).toHaveLength(1);
    });
  }

  scenario('one of three jobs in a new stack FAILS while the others wait for the quota: the stack rolls back and the cancelled Creates\' waiters create nothing', async () => {
    const specs = ['Alpha', 'Beta', 'Gamma'].map((id) => localSpec({ constructAddress: `c8${id}`, jobNamePrefix: `neostack-1a2b3c4d-${id.toLowerCase()}` }));
    const events = specs.map((spec, i) => ({ ...createEvent(spec, { requestId: `create-${i}` }), LogicalResourceId: `Job${i}` }));
    const { fake: f } = await start({ concurrencyQuota: 1, script: (name) => (name.includes('alpha') ? { outcome: { status: 'FAILED', reason: 'bad model' } } : { compileSeconds: 600 }) });
    const result = await driver!.createStack(events);
    expect(result.outcomes.map((o) => o.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(result.outcomes.slice(1).map((o) => o.reason)).toEqual([CREATION_CANCELLED, CREATION_CANCELLED]);
    expect(result.rollback.every((o) => o.status === 'SUCCESS')).toBe(true);
    const names = specs.map((spec, i) => nameOf(spec, `create-${i}`));
    expect(names.map((n) => statusOf(f, n)).filter((s) => s !== 'deleted' && s !== 'never created')).toEqual([]);
    f.advance(4000);
    expect(f.activeJobs('handler')).toEqual([]);
  });

  scenario('the framework fails after onEvent (StartExecution refused): CREATE_FAILED, the framework answers the Delete of its marker, and no job exists', async () => {
    const { fake: f } = await start();
    driver!.startExecutionFails = true;
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome).toMatchObject({ status: 'FAILED', physicalResourceId: CREATE_FAILED_MARKER, reason: 'ThrottlingException: Rate exceeded' });
    expect(result.rollback.map((o) => [o.status, o.handlerCalled])).toEqual([['SUCCESS', false]]);
    expect(count(f, 'CreateCompilationJob')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Findings of issue #11: records, IAM, deadlines, quota, KMS

describe('never blocked, never silent', () => {
  for (const [state, script] of [
    ['FAILED', { outcome: { status: 'FAILED' as const, reason: 'AccessDenied writing the output' } }],
    ['STOPPED', { stoppedByOthersAfterSeconds: 30 }],
  ] as const) {
    scenario(`a ${state} record kept by RETAIN does not block the request: the next deployment compiles anew and succeeds`, async () => {
      const spec = localSpec({ removalPolicy: 'retain' });
      let first = true;
      const { fake: f } = await start({ script: () => (first ? script : {}) });
      const failed = await driver!.deploy(create(spec, 'first-deploy'));
      expect(failed.outcome.status).toBe('FAILED');
      expect(statusOf(f, nameOf(spec, 'first-deploy'))).toBe(state);
      first = false;
      const again = await driver!.deploy(create(spec, 'second-deploy'));
      expectSuccess(again, expectedAttributes(nameOf(spec, 'second-deploy')));
    });
  }

  scenario('IAM propagates for 40 s ("Could not assume role", then "not authorized to perform: iam:PassRole"): the create is retried and the Create succeeds', async () => {
    const { fake: f } = await start({ iamPropagatedAt: 40 });
    const result = await driver!.deploy(create(SPEC));
    expectSuccess(result, expectedAttributes(NAME));
    expect(f.job(NAME)!.createdAt).toBeGreaterThanOrEqual(40);
    expect(f.job(NAME)!.createdAt).toBeLessThanOrEqual(45);
    expect(count(f, 'CreateCompilationJob', 'ValidationException')).toBeGreaterThan(0);
    expect(count(f, 'CreateCompilationJob', 'AccessDeniedException')).toBeGreaterThan(0);
  });

  scenario('the role never becomes usable: the Create fails after the IAM propagation window with SageMaker\'s words', async () => {
    await start({ iamPropagatedAt: 100_000 });
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.reason).toMatch(new RegExp(`^SageMaker refused to create compilation job ${NAME} for ${IAM_PROPAGATION_SECONDS} seconds: ValidationException: Could not assume role arn:aws:iam::`));
    expect(result.outcome.finishedAt).toBe(IAM_PROPAGATION_SECONDS);
  });

  scenario('a job starved of the quota fails at its timeout (300 s), naming the quota and what to do', async () => {
    const spec = localSpec({ timeoutSeconds: 300 });
    const name = nameOf(spec);
    const { fake: f } = await start({ concurrencyQuota: 1 });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 5000 });
    const result = await driver!.deploy(create(spec));
    expect(result.outcome.finishedAt).toBe(305);
    expect(result.outcome.reason).toContain(`Compilation job ${name} was not created within its timeout of 300 seconds (SageMaker: ResourceLimitExceeded: The account-level service limit 'Number of concurrent compilation jobs' is 1 Jobs`);
    expect(result.outcome.reason).toContain('Ask for a higher "Number of concurrent compilation jobs" in Service Quotas');
    expect(statusOf(f, name)).toBe('never created');
    f.advance(5000);
  });

  scenario('the timeout counts from the start of the operation: 200 s waiting for the quota plus 200 s of compiling fail a 300 s timeout at 305 s', async () => {
    const spec = localSpec({ timeoutSeconds: 300 });
    const name = nameOf(spec);
    const { fake: f } = await start({ concurrencyQuota: 1, script: { startingSeconds: 0, compileSeconds: 200 } });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 200 });
    const result = await driver!.deploy(create(spec));
    expect(result.outcome.reason).toMatch(new RegExp(`^Compilation job ${name} did not finish within its timeout of 300 seconds`));
    expect(result.outcome.finishedAt).toBe(305);
    expect(statusOf(f, name)).toBe('deleted');
  });

  scenario('the quota never frees and the timeout is the longest allowed: the handler\'s message reaches CloudFormation before the waiter\'s and CloudFormation\'s own deadlines', async () => {
    const spec = localSpec({ timeoutSeconds: MAX_JOB_TIMEOUT_SECONDS });
    const { fake: f } = await start({ concurrencyQuota: 1 });
    f.seedJob('someone-elses-job', { startingSeconds: 0, compileSeconds: 100_000 });
    const result = await driver!.deploy(create(spec));
    const { intervalSeconds, maxAttempts, serviceTimeoutSeconds, isCompleteTimeoutSeconds } = providerSettings();
    expect(result.outcome.reason).toMatch(/was not created within its timeout of 3540 seconds/);
    expect(result.outcome.finishedAt).toBeLessThan(intervalSeconds * maxAttempts);
    expect(intervalSeconds * maxAttempts + isCompleteTimeoutSeconds).toBeLessThan(serviceTimeoutSeconds);
    f.advance(100_000);
  });

  scenario('a job that cannot write to an output bucket encrypted with an unknown KMS key: the failure says how to grant the key', async () => {
    // SageMaker's `ClientError:` prefix (aws/sagemaker-python-sdk#35) before S3's words for a PutObject the key
    // refuses (buildkite/docs#2344). How a Neo job quotes them is not public: the next scenario has words no one wrote.
    const reason = 'ClientError: An error occurred (AccessDenied) when calling the PutObject operation: User: ' +
      `arn:aws:sts::${ACCOUNT}:assumed-role/NeoStack-JobRole/SageMaker is not authorized to perform: kms:GenerateDataKey on this resource ` +
      'because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access';
    await start({ script: { outcome: { status: 'FAILED', reason } } });
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.reason).toContain(reason);
    expect(result.outcome.reason).toContain('import the bucket with its key (s3.Bucket.fromBucketAttributes(scope, id, { bucketName, encryptionKey }))');
  });
});

// ---------------------------------------------------------------------------------------------
// Words the handler has never seen: it must still behave safely

describe('an unseen wording', () => {
  const UNSEEN = 'The execution role is unusable for this request (words no public source has shown).';

  scenario('a ValidationException in words the handler has never seen on the create: the Create fails at once with SageMaker\'s words, not waited on as IAM propagation', async () => {
    const { fake: f } = await start();
    f.refuseCreates(UNSEEN);
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.status).toBe('FAILED');
    expect(result.outcome.reason).toBe(UNSEEN);
    expect(result.outcome.finishedAt).toBeLessThan(IAM_PROPAGATION_SECONDS);
    expect(count(f, 'CreateCompilationJob', 'ValidationException')).toBe(1);
  });

  scenario('an AccessDeniedException that names no iam:PassRole: the Create fails at once with SageMaker\'s words', async () => {
    const { fake: f } = await start();
    f.refuseCreates(`User: arn:aws:sts::${ACCOUNT}:assumed-role/NeoStack-HandlerRole/NeoStack-IsComplete is not authorized to perform: sagemaker:CreateCompilationJob`, 'AccessDeniedException');
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.reason).toMatch(/^User: .* is not authorized to perform: sagemaker:CreateCompilationJob$/);
    expect(result.outcome.finishedAt).toBeLessThan(IAM_PROPAGATION_SECONDS);
    expect(count(f, 'CreateCompilationJob', 'AccessDeniedException')).toBe(1);
  });

  scenario('throttling in words the handler has never seen (30% of calls): retried all the same, the Create succeeds', async () => {
    const { fake: f } = await start({ throttleRate: 0.3, seed: 7, throttleMessage: 'Slow down, please (unseen words)' });
    const result = await driver!.deploy(create(SPEC));
    expectSuccess(result, expectedAttributes(NAME));
    expect(count(f, 'DescribeCompilationJob', 'ThrottlingException') + count(f, 'CreateCompilationJob', 'ThrottlingException')).toBeGreaterThan(0);
  });

  scenario('a FailureReason the KMS hint does not recognise: the Create fails with SageMaker\'s words and no hint', async () => {
    await start({ script: { outcome: { status: 'FAILED', reason: `ClientError: ${UNSEEN}` } } });
    const result = await driver!.deploy(create(SPEC));
    expect(result.outcome.reason).toBe(`Compilation job ${NAME} failed: ClientError: ${UNSEEN} ${NO_STREAM} ${LOGS(NAME)}`);
  });
});

// ---------------------------------------------------------------------------------------------
// What CloudFormation receives: under its 4096-byte limit, with the longest names

describe('the response stays under 4096 bytes', () => {
  const LONGEST = localSpec({ jobNamePrefix: LONGEST_PREFIX });
  const LONG_NAME = nameOf(LONGEST);
  const size = (result: DeploymentResult) => Buffer.byteLength(result.outcome.response!.raw, 'utf8');

  for (const [what, reason] of [
    ['plain ASCII', 'E'.repeat(1024)],
    ['characters JSON escapes (quotes, backslashes)', '"\\'.repeat(512)],
    ['3-byte UTF-8 characters', '\u2026'.repeat(1024)],
    ['control characters (ANSI colour codes, 6 bytes each in JSON)', '\u001b[31mE'.repeat(170)],
  ] as const) {
    scenario(`FAILED with a 1024-character FailureReason (${what}): the framework's FAILED body is under 4096 bytes`, async () => {
      await start({ script: { outcome: { status: 'FAILED', reason } } });
      const result = await driver!.deploy(create(LONGEST), { rollback: false });
      const body = result.outcome.response!.body;
      expect(FUNCTION_ARNS.IsComplete.split(':').pop()).toHaveLength(64);
      expect(STACK_ID.length).toBeGreaterThanOrEqual(200);
      expect(LOGICAL_RESOURCE_ID).toHaveLength(255);
      expect(body).toMatchObject({ Status: 'FAILED', StackId: STACK_ID, RequestId: REQUEST_ID, PhysicalResourceId: LONG_NAME, LogicalResourceId: LOGICAL_RESOURCE_ID });
      expect(body.Reason.startsWith(`Compilation job ${LONG_NAME} failed: `)).toBe(true);
      expect(body.Reason.split('\n')[0]).not.toMatch(/[\u0000-\u001f]/);
      expect(result.outcome.response!.contentLength).toBe(size(result));
      expect(size(result)).toBeLessThan(4096);
    });
  }

  scenario('a timeout failure and an adoption conflict: the FAILED bodies are under 4096 bytes and name the job', async () => {
    const { fake: f } = await start({ script: { compileSeconds: 5000 } });
    const slow = await driver!.deploy(create(localSpec({ jobNamePrefix: LONGEST_PREFIX, timeoutSeconds: 60 })), { rollback: false });
    expect(slow.outcome.reason).toContain(`Compilation job ${LONG_NAME} did not finish within its timeout of 60 seconds`);
    expect(size(slow)).toBeLessThan(4096);
    const other = nameOf(LONGEST, 'conflict');
    f.seedJob(other, {}, { ...(createRequestFor(LONGEST, other) as object), RoleArn: 'arn:aws:iam::123456789012:role/other' } as never);
    const conflict = await driver!.deploy(create(LONGEST, 'conflict'), { rollback: false });
    expect(conflict.outcome.reason).toContain(`A compilation job named ${other} already exists with a different request (RoleArn)`);
    expect(size(conflict)).toBeLessThan(4096);
    f.advance(5000);
  });

  for (const [what, derivedBytes, returned] of [
    ['no derived shapes', undefined, ''],
    ['derived shapes that just fit the attributes\' budget', 'fit', 'fit'],
    ['derived shapes too long for the response (left out)', 16_384, ''],
  ] as const) {
    scenario(`SUCCESS with long attribute values (a 900-character artifact URI), ${what}: the body is under 4096 bytes and carries the seven attributes`, async () => {
      const input = `s3://out-bucket/model-inputs/${'k'.repeat(1000 - 91 - LONG_NAME.length)}.tar.gz`;
      const spec = localSpec({ jobNamePrefix: LONGEST_PREFIX }, input);
      const name = nameOf(spec);
      // The attributes without derived shapes, as JSON, leave this much of MAX_ATTRIBUTES_JSON_BYTES.
      const room = (data: object) => MAX_ATTRIBUTES_JSON_BYTES - Buffer.byteLength(JSON.stringify(data));
      let derived: string | undefined;
      if (derivedBytes === 'fit') {
        await start();
        const probe = await driver!.deploy(create(spec));
        derived = 'x'.repeat(room(probe.outcome.data!));
        await driver!.close();
      } else if (derivedBytes !== undefined) {
        derived = 'x'.repeat(derivedBytes);
      }
      await start({ script: { derivedDataInputConfig: derived } });
      const result = await driver!.deploy(create(spec));
      expect(result.outcome.data!.ModelArtifactsS3Uri.length).toBeGreaterThanOrEqual(900);
      expect(Object.keys(result.outcome.data!).sort()).toEqual(['ArtifactDigest', 'CacheHit', 'CompilationJobArn', 'CompilationJobName', 'DerivedDataInputConfig',
        'InferenceImage', 'ModelArtifactsObjectKey', 'ModelArtifactsS3Uri']);
      expect(result.outcome.data!.DerivedDataInputConfig).toBe(returned === 'fit' ? derived : '');
      expect(result.outcome.physicalResourceId).toBe(name);
      expect(size(result)).toBeLessThan(4096);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Quiet while waiting

describe('quiet while waiting', () => {
  scenario('12 jobs under a quota of 4: at most 13.2 AWS calls per job-minute while waiting, and the fleet within one poll per wave of ceil(N/Q) x duration', async () => {
    const { fake: f } = await start({ concurrencyQuota: 4, script: { startingSeconds: 30, compileSeconds: 242.5 } });
    const specs = Array.from({ length: 12 }, (_, i) => specOf({ constructAddress: `c8job${i}`, jobNamePrefix: `neostack-1a2b3c4d-job${i}` }));
    const events = specs.map((spec, i) => ({ ...createEvent(spec, { requestId: `create-${i}` }), LogicalResourceId: `Job${i}` }));
    const result = await driver!.createStack(events);
    expect(result.outcomes.every((o) => o.status === 'SUCCESS')).toBe(true);
    const makespan = Math.max(...result.outcomes.map((o) => o.finishedAt));
    expect(makespan).toBeLessThanOrEqual(3 * 272.5 + 3 * 5);
    // Calls of jobs while they waited: from the start to their creation, every API.
    const names = specs.map((spec, i) => nameOf(spec, `create-${i}`));
    let waitingCalls = 0;
    let waitingSeconds = 0;
    for (const [i, name] of names.entries()) {
      const createdAt = f.job(name)!.createdAt;
      waitingSeconds += createdAt;
      const mine = (input: unknown) => JSON.stringify(input).includes(name.slice(0, -4));
      waitingCalls += f.calls.filter((c) => c.at < createdAt && mine(c.input)).length;
      waitingCalls += driver!.cloudformation.calls.filter((c) => c.at < createdAt && c.logicalId === `Job${i}`).length;
    }
    expect(waitingCalls / (waitingSeconds / 60)).toBeLessThanOrEqual(13.2);
  });
});

test('SCENARIOS.md lists exactly the scenarios of this file', () => {
  const table = fs.readFileSync(path.join(__dirname, 'SCENARIOS.md'), 'utf8');
  const listed = [...table.matchAll(/^\|[^|]*\|[^|]*\| `([^`]+)` \|$/gm)].map((m) => m[1]);
  expect(listed).toEqual(scenarioNames);
});
