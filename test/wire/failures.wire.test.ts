/**
 * Failures a user can read, and SageMaker's internal errors that heal themselves: the REAL handler
 * bundle in aws-cdk-lib's Provider framework runtime (test/driver), SageMaker the scripted fake
 * (jobs that fail, over virtual time), CloudWatch Logs moto_server, where the driver writes what
 * SageMaker would: the failed job's log stream in /aws/sagemaker/CompilationJobs, named after the
 * job. Each test reads the reason the framework sends CloudFormation.
 */
import { motoEndpoint } from './moto';
import { attemptNameOf } from '../../lambda/compilation-job/retry';
import type { CompilationJobSpec } from '../../src/private/contract';
import { RETRY_BACK_OFF_SECONDS } from '../../src/private/contract';
import { Driver } from '../driver/driver';
import { writeJobLog } from '../driver/job-logs';
import { FakeSageMaker, JobScript } from '../fault/fake-sagemaker';
import { createEvent, nameOf, specOf } from '../handler/fixtures';

jest.setTimeout(120_000);

const endpoint = motoEndpoint();
const describeWire = endpoint ? describe : describe.skip;

/** This run's jobs: moto may outlive one run (MOTO_ENDPOINT), and log streams cannot be created twice. */
const RUN = Date.now().toString(36).slice(-6);
let specs = 0;
function failingSpec(overrides: Partial<CompilationJobSpec> = {}): CompilationJobSpec {
  specs += 1;
  return specOf({ jobNamePrefix: `F${RUN}-Resnet${specs}`, constructAddress: `c8${RUN}f${specs}`, ...overrides });
}

const LOCATION = (name: string) => `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${name}.`;

/** SageMaker's words for its own fault (github.com/aws/amazon-sagemaker-examples/issues/1284). */
const SERVER_ERROR = 'ServerError: There was an internal server error while compiling the model. Please try again in a few minutes.';
/** A model Neo cannot compile: the reason is generic, the log says which operator. */
const CLIENT_ERROR = 'ClientError: CompilationError: Unable to compile model for ml_c5: see the compilation log for details';
const COMPILER_LOG = [
  '2025-01-01 00:00:12,101 INFO Loading ONNX model from /opt/ml/input/model/model.onnx',
  '2025-01-01 00:00:12,480 INFO Input shapes: {"input0": [1, 3, 224, 224]}',
  '2025-01-01 00:00:13,002 INFO Converting the model to Relay IR',
  'Traceback (most recent call last):',
  '  File "/opt/amazon/neo/compiler/onnx.py", line 214, in from_onnx',
  '    mod, params = relay.frontend.from_onnx(model, shape=shapes)',
  'tvm.error.OpNotImplemented: The following operators are not supported for frontend ONNX: NonMaxSuppression',
  '2025-01-01 00:00:13,610 ERROR Compilation failed for target ml_c5',
  '2025-01-01 00:00:13,611 INFO Uploading the compilation log',
];

const failed = (reason: string, compileSeconds = 30): JobScript => ({ compileSeconds, outcome: { status: 'FAILED', reason } });

let fake: FakeSageMaker | undefined;
let driver: Driver | undefined;

async function start(script: JobScript | ((jobName: string) => JobScript)): Promise<{ fake: FakeSageMaker; driver: Driver }> {
  fake = new FakeSageMaker({ script });
  driver = await Driver.start({ fake, logsEndpoint: endpoint });
  return { fake, driver };
}

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  if (!fake) return;
  const f = fake;
  fake = undefined;
  // No attempt is left running once a stop has had time to finish, and every request was valid.
  expect(f.leftovers('handler')).toEqual({ running: [], violations: [] });
});

describeWire('the reason in the stack events says why the job failed', () => {
  test('a client error: SageMaker\'s reason, then the compiler\'s errors from the job\'s log, then where the log is; never retried', async () => {
    const spec = failingSpec();
    const name = nameOf(spec);
    await writeJobLog(endpoint!, name, COMPILER_LOG);
    const { fake: f, driver: d } = await start(failed(CLIENT_ERROR));
    const result = await d.deploy(createEvent(spec));
    expect(result.outcome.status).toBe('FAILED');
    expect(result.outcome.reason).toBe(`Compilation job ${name} failed: ${CLIENT_ERROR} ` +
      'Errors in the job\'s log: Traceback (most recent call last): | ' +
      'tvm.error.OpNotImplemented: The following operators are not supported for frontend ONNX: NonMaxSuppression | ' +
      '2025-01-01 00:00:13,610 ERROR Compilation failed for target ml_c5 || Last lines: ' +
      '2025-01-01 00:00:12,101 INFO Loading ONNX model from /opt/ml/input/model/model.onnx | ' +
      '2025-01-01 00:00:12,480 INFO Input shapes: {"input0": [1, 3, 224, 224]} | ' +
      '2025-01-01 00:00:13,002 INFO Converting the model to Relay IR | ' +
      'File "/opt/amazon/neo/compiler/onnx.py", line 214, in from_onnx | ' +
      'mod, params = relay.frontend.from_onnx(model, shape=shapes) | ' +
      `2025-01-01 00:00:13,611 INFO Uploading the compilation log ${LOCATION(name)}`);
    expect(result.outcome.response!.contentLength).toBeLessThan(4096);
    expect(f.callsOf('CreateCompilationJob').map((call) => call.result)).toEqual(['ok']);
    // The rollback's Delete removes the record.
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect(f.deleted).toEqual([name]);
  });

  test('a log far longer than CloudFormation takes: the errors are kept, the rest trimmed, the response under 4,096 bytes', async () => {
    const spec = failingSpec();
    const name = nameOf(spec);
    const noise = Array.from({ length: 400 }, (_, i) => `2025-01-01 00:01:${String(i % 60).padStart(2, '0')} DEBUG pass ${i}: ${'fused_layer_norm '.repeat(12)}`);
    await writeJobLog(endpoint!, name, [...COMPILER_LOG.slice(0, 7), ...noise, '"ERROR": "Ü\\u0000 out of memory while tuning conv2d_nchw"']);
    const { driver: d } = await start(failed(`${CLIENT_ERROR} ${'x'.repeat(1024 - CLIENT_ERROR.length - 1)}`));
    const result = await d.deploy(createEvent(spec));
    const reason = result.outcome.reason!;
    expect(reason).toContain('tvm.error.OpNotImplemented: The following operators are not supported for frontend ONNX: NonMaxSuppression');
    expect(reason).toContain('out of memory while tuning conv2d_nchw');
    expect(reason).toContain('DEBUG pass 399');
    expect(reason).not.toContain('DEBUG pass 350:');
    expect(reason.endsWith(LOCATION(name))).toBe(true);
    expect(result.outcome.response!.contentLength).toBeLessThan(4096);
  });

  test('a log stream that does not exist: SageMaker\'s reason, that the log could not be read, and where to look', async () => {
    const spec = failingSpec();
    const name = nameOf(spec);
    const { driver: d } = await start(failed(CLIENT_ERROR));
    const result = await d.deploy(createEvent(spec));
    expect(result.outcome.reason).toBe(`Compilation job ${name} failed: ${CLIENT_ERROR} ` +
      `The job's log could not be read (the job wrote no log stream). ${LOCATION(name)}`);
  });
});

describeWire('SageMaker\'s internal errors are retried within the deployment', () => {
  test('a ServerError, then success: the job is created again under a new name after the back-off, and the Create succeeds with the new job', async () => {
    const spec = failingSpec();
    const first = nameOf(spec);
    const retry = attemptNameOf(first, 1);
    const { fake: f, driver: d } = await start((jobName) => (jobName === first ? failed(SERVER_ERROR) : {}));
    const result = await d.deploy(createEvent(spec));
    expect(result.outcome.status).toBe('SUCCESS');
    // The physical id stays the first attempt's name (Delete finds every attempt from it); the attributes are the job that compiled.
    expect(result.outcome.physicalResourceId).toBe(first);
    expect(result.outcome.data?.CompilationJobName).toBe(retry);
    expect(retry.startsWith(spec.jobNamePrefix)).toBe(true);
    expect(retry.length).toBe(first.length);
    expect(f.job(first)!.status).toBe('FAILED');
    expect(f.job(retry)!.createdAt - f.job(first)!.endedAt!).toBeGreaterThanOrEqual(RETRY_BACK_OFF_SECONDS);
    // Delete: every attempt's record goes.
    const deleted = await d.deploy({ ...createEvent(spec), RequestType: 'Delete', RequestId: 'delete-1', PhysicalResourceId: first } as never);
    expect(deleted.outcome.status).toBe('SUCCESS');
    expect([...f.deleted].sort()).toEqual([first, retry].sort());
  });

  test('three ServerErrors: the Create fails after 1 + 2 attempts, quoting each attempt and the last one\'s log; the rollback deletes all three', async () => {
    const spec = failingSpec();
    const names = [0, 1, 2].map((attempt) => attemptNameOf(nameOf(spec), attempt));
    await writeJobLog(endpoint!, names[2], ['2025-01-01 00:00:05 INFO Starting', '2025-01-01 00:00:06 ERROR Internal error in the compilation service (request 4f1c)']);
    const { fake: f, driver: d } = await start(failed(SERVER_ERROR, 20));
    const result = await d.deploy(createEvent(spec));
    expect(result.outcome.reason).toBe(`Compilation job ${names[0]} failed after 3 attempts: ` +
      `attempt 1 (${names[0]}): ${SERVER_ERROR}; attempt 2 (${names[1]}): ${SERVER_ERROR}; attempt 3 (${names[2]}): ${SERVER_ERROR}. ` +
      'SageMaker internal errors are retried (maxRetries: 2). ' +
      'Errors in the job\'s log: 2025-01-01 00:00:06 ERROR Internal error in the compilation service (request 4f1c) || ' +
      `Last lines: 2025-01-01 00:00:05 INFO Starting ${LOCATION(names[2])}`);
    expect(names.map((name) => f.createdCount(name))).toEqual([1, 1, 1]);
    expect(f.callsOf('CreateCompilationJob')).toHaveLength(3);
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect([...f.deleted].sort()).toEqual([...names].sort());
  });

  test('the Create cancelled while the retry compiles: the rollback stops and deletes every attempt, and no waiter creates another', async () => {
    const spec = failingSpec();
    const first = nameOf(spec);
    const retry = attemptNameOf(first, 1);
    const { fake: f, driver: d } = await start((jobName) => (jobName === first ? failed(SERVER_ERROR, 20) : { compileSeconds: 600 }));
    // The first attempt fails at 30 s; the retry is created 60 s later and compiles for 10 minutes.
    const result = await d.deploy(createEvent(spec), { cancelAfterSeconds: 150 });
    expect(result.outcome.reason).toBe('Resource creation cancelled');
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect([...f.deleted].sort()).toEqual([first, retry].sort());
    expect(f.callsOf('CreateCompilationJob').map((call) => (call.input as { CompilationJobName: string }).CompilationJobName)).toEqual([first, retry]);
  });

  test('duplicate delivery of the Create while the retry compiles: both deliveries follow the same attempts, one retry is created', async () => {
    const spec = failingSpec();
    const first = nameOf(spec);
    const retry = attemptNameOf(first, 1);
    const { fake: f, driver: d } = await start((jobName) => (jobName === first ? failed(SERVER_ERROR, 20) : { compileSeconds: 120 }));
    const result = await d.deploy(createEvent(spec), { duplicateDeliveryAfterSeconds: 100 });
    expect(result.outcome.status).toBe('SUCCESS');
    expect(result.outcome.data?.CompilationJobName).toBe(retry);
    expect(result.orphans.map((o) => `${o.status} ${o.data?.CompilationJobName}`)).toEqual([`SUCCESS ${retry}`]);
    expect(f.callsOf('CreateCompilationJob').filter((c) => c.result === 'ok').map((c) => (c.input as { CompilationJobName: string }).CompilationJobName)).toEqual([first, retry]);
  });

  test('maxRetries: 0: a ServerError fails the Create at once, in the usual words', async () => {
    const spec = failingSpec({ maxRetries: 0 });
    const name = nameOf(spec);
    const { fake: f, driver: d } = await start(failed(SERVER_ERROR));
    const result = await d.deploy(createEvent(spec));
    expect(result.outcome.reason).toBe(`Compilation job ${name} failed: ${SERVER_ERROR} ` +
      `The job's log could not be read (the job wrote no log stream). ${LOCATION(name)}`);
    expect(f.callsOf('CreateCompilationJob')).toHaveLength(1);
  });

  test('a ServerError with too little of the timeout left for another attempt: fails, saying so', async () => {
    const spec = failingSpec({ timeoutSeconds: 150 });
    const name = nameOf(spec);
    const { fake: f, driver: d } = await start(failed(SERVER_ERROR, 60));
    const result = await d.deploy(createEvent(spec));
    expect(result.outcome.reason).toMatch(new RegExp(`^Compilation job ${name} failed after 1 attempt \\(no time was left for another attempt within the timeout\\): attempt 1 \\(${name}\\): ServerError: `));
    expect(f.callsOf('CreateCompilationJob')).toHaveLength(1);
  });
});
