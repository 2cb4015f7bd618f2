/**
 * Deployment overhead, simulated: N compilation jobs deployed together in one stack (each its own
 * custom resource, every Create sent at t = 0), driven by the fault tests' driver
 * (test/fault/driver.ts: the real onEvent and isComplete, called the way the Provider framework
 * calls them, poll interval 5 s, waiter timeout 3590 s) against their fake SageMaker
 * (test/fault/fake-sagemaker.ts) on a virtual clock: jobs go STARTING (30 s) -> INPROGRESS ->
 * COMPLETED (after 242.5 s of compiling), at most `quota` at a time (ResourceLimitExceeded above
 * it), with random throttling (5 % of the SageMaker, CloudFormation and S3 calls, fixed seed).
 * Calls take no virtual time, so every poll falls on a multiple of 5 s after the Creates; the
 * half second puts each job's end midway between two polls, the average case (SageMaker's clock
 * and the waiter's polls are not in phase): a duration that is a multiple of 5 s would show a
 * detection latency of 0 and hide the wait for the next poll after each wave frees the quota.
 *
 * Per N it reports how late each resource completes after its job did (detection latency), how
 * often the handler describes a job, how the whole deployment compares with the ideal
 * ceil(N / quota) x job duration, the other calls it makes, and failures (must be 0).
 *
 * No jest here: `measureDeploymentOverhead()` (synchronous, like the other benchmarks) runs this
 * file in a ts-node process of its own, which prints the rows as JSON; `simulateDeployment()`
 * is the asynchronous, in-process simulation (used by deploy-sim.test.ts).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { median } from './stats';
import type { CreateEvent } from '../../lambda/compilation-job/events';
import type { CompilationJobSpec } from '../../src/private/contract';
import { createStack, POLL_SECONDS } from '../fault/driver';
import { ACCOUNT, FakeSageMaker, REGION } from '../fault/fake-sagemaker';
import { createEvent, specOf } from '../handler/fixtures';

const ROOT = path.join(__dirname, '..', '..');

/** The job counts `measureDeploymentOverhead` simulates. */
export const DEPLOY_SIM_JOB_COUNTS = [1, 10, 50] as const;

export interface DeploySimOptions {
  /** Jobs in the stack. */
  readonly jobs: number;
  /** Concurrent compilation jobs the account may run. @default 10 */
  readonly quota?: number;
  /** Seconds a job spends in STARTING. @default 30 */
  readonly startingSeconds?: number;
  /** Seconds a job spends in INPROGRESS before it is COMPLETED. @default 242.5 */
  readonly compileSeconds?: number;
  /** Share (0..1) of SageMaker, CloudFormation and S3 calls answered with throttling. @default 0.05 */
  readonly throttleRate?: number;
  /** Seed of the throttling's PRNG. @default 1 */
  readonly seed?: number;
}

export interface DeploySimRow {
  readonly jobs: number;
  readonly quota: number;
  readonly throttleRate: number;
  /** The Provider's poll interval (5 s); its waiter gives up after 3590 s. */
  readonly pollSeconds: number;
  /** STARTING + INPROGRESS of one job, seconds. */
  readonly jobDurationSeconds: number;
  /** Resource completion minus the job's COMPLETED time, over the jobs: median and max, seconds. */
  readonly detectionLatencyMedianSeconds: number;
  readonly detectionLatencyMaxSeconds: number;
  /**
   * DescribeCompilationJob calls for a job (from the first poll, throttled ones included) per
   * minute of its lifetime (creation to COMPLETED): median over the jobs. Waiting for the quota
   * adds polls outside the lifetime, so jobs that waited count more.
   */
  readonly describeCallsPerJobMinute: number;
  /** The same, max over the jobs. */
  readonly describeCallsPerJobMinuteMax: number;
  /** Only the Describe calls within the job's lifetime, per minute of it: median over the jobs (the polling rate itself). */
  readonly describeCallsWhileRunningPerJobMinute: number;
  /** When the last resource completed, seconds after the Creates were sent. */
  readonly makespanSeconds: number;
  /** ceil(jobs / quota) x jobDurationSeconds. */
  readonly idealMakespanSeconds: number;
  /** CreateCompilationJob calls (onEvent's and isComplete's late creates), whatever the answer. */
  readonly createAttempts: number;
  /** Of those, answered ResourceLimitExceeded. */
  readonly createQuotaRejections: number;
  readonly describeCalls: number;
  /** DescribeStackResource calls (one before each late create). */
  readonly describeStackResourceCalls: number;
  /** HeadObject / CopyObject calls (the model asset's copy to its .tar.gz key, checked before each create). */
  readonly s3Calls: number;
  readonly isCompleteInvocations: number;
  /** Calls answered with throttling (SageMaker, CloudFormation and S3). */
  readonly throttledCalls: number;
  /** Resources that did not end CREATE_COMPLETE (must be 0). */
  readonly failures: number;
  /** Wall time of this simulation, milliseconds. */
  readonly wallMs: number;
}

/** The model every job compiles: one CDK file asset, copied once to the `.tar.gz` key the jobs read. */
const ASSET_HASH = '0f4c1e6a7b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f';
const ASSET_OBJECT = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/${ASSET_HASH}.gz`;
const STAGED_URI = `s3://out-bucket/model-inputs/${ASSET_HASH}.tar.gz`;

function jobSpec(index: number): CompilationJobSpec {
  return specOf({
    jobNamePrefix: `BenchStack-Job${index}`,
    constructAddress: `c8${index.toString(16).padStart(40, '0')}`,
    request: { InputConfig: { S3Uri: STAGED_URI, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
    inputCopy: { source: `s3://${ASSET_OBJECT}`, target: STAGED_URI },
  });
}

function jobEvent(index: number): CreateEvent {
  const requestId = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return { ...createEvent(jobSpec(index), { requestId }), LogicalResourceId: `Job${index}CompilationJob1A2B3C4D` };
}

/** Runs `body` with the handler's console.info/warn (one line per poll of N jobs) silenced. */
async function quietly<T>(body: () => Promise<T>): Promise<T> {
  const { info, warn } = console;
  console.info = () => undefined;
  console.warn = () => undefined;
  try {
    return await body();
  } finally {
    console.info = info;
    console.warn = warn;
  }
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** One deployment of `options.jobs` jobs, in this process (the fake is installed and restored). */
export async function simulateDeployment(options: DeploySimOptions): Promise<DeploySimRow> {
  const jobs = options.jobs;
  const quota = options.quota ?? 10;
  const startingSeconds = options.startingSeconds ?? 30;
  const compileSeconds = options.compileSeconds ?? 242.5;
  const throttleRate = options.throttleRate ?? 0.05;
  const started = process.hrtime.bigint();

  const fake = new FakeSageMaker({
    seed: options.seed ?? 1,
    throttleRate,
    s3ThrottleRate: throttleRate,
    concurrencyQuota: quota,
    script: { startingSeconds, compileSeconds },
    objects: [ASSET_OBJECT],
  }).install();
  let result: Awaited<ReturnType<typeof createStack>>;
  try {
    const events = Array.from({ length: jobs }, (_, i) => jobEvent(i + 1));
    result = await quietly(() => createStack(fake, events, { rollback: false }));
  } finally {
    fake.restore();
  }
  // A request the official API model rejects, or one the fake does not implement, voids the run.
  const unsupported = fake.calls.filter((call) => call.operation === 'UnsupportedCommand');
  if (fake.violations.length > 0 || unsupported.length > 0) {
    throw new Error(`the simulation sent invalid or unsupported requests: ${[...fake.violations, ...unsupported.map((c) => JSON.stringify(c.input))].join('; ')}`);
  }

  const describes = fake.callsOf('DescribeCompilationJob');
  const perJob = result.outcomes.flatMap((outcome) => {
    const job = fake.job(outcome.physicalResourceId);
    if (outcome.status !== 'SUCCESS' || job?.status !== 'COMPLETED' || job.endedAt === undefined) return [];
    const lifetimeMinutes = (job.endedAt - job.createdAt) / 60;
    const own = describes.filter((call) => (call.input as { CompilationJobName?: string }).CompilationJobName === job.name);
    const whileRunning = own.filter((call) => call.at >= job.createdAt && call.at <= job.endedAt!);
    return [{
      latency: outcome.finishedAt - job.endedAt,
      describesPerMinute: own.length / lifetimeMinutes,
      whileRunningPerMinute: whileRunning.length / lifetimeMinutes,
    }];
  });
  const latencies = perJob.map((j) => j.latency);
  const perMinute = perJob.map((j) => j.describesPerMinute);
  const creates = fake.callsOf('CreateCompilationJob');
  const jobDurationSeconds = startingSeconds + compileSeconds;

  return {
    jobs,
    quota,
    throttleRate,
    pollSeconds: POLL_SECONDS,
    jobDurationSeconds,
    detectionLatencyMedianSeconds: perJob.length ? median(latencies) : NaN,
    detectionLatencyMaxSeconds: perJob.length ? Math.max(...latencies) : NaN,
    describeCallsPerJobMinute: perJob.length ? round(median(perMinute)) : NaN,
    describeCallsPerJobMinuteMax: perJob.length ? round(Math.max(...perMinute)) : NaN,
    describeCallsWhileRunningPerJobMinute: perJob.length ? round(median(perJob.map((j) => j.whileRunningPerMinute))) : NaN,
    makespanSeconds: Math.max(...result.outcomes.map((o) => o.finishedAt)),
    idealMakespanSeconds: Math.ceil(jobs / quota) * jobDurationSeconds,
    createAttempts: creates.length,
    createQuotaRejections: creates.filter((call) => call.result === 'ResourceLimitExceeded').length,
    describeCalls: describes.length,
    describeStackResourceCalls: fake.callsOf('DescribeStackResource').length,
    s3Calls: fake.calls.filter((call) => call.service === 's3').length,
    isCompleteInvocations: result.outcomes.reduce((sum, o) => sum + o.polls, 0) + result.orphans.reduce((sum, o) => sum + o.polls, 0),
    throttledCalls: fake.calls.filter((call) => ['ThrottlingException', 'Throttling', 'SlowDown'].includes(call.result)).length,
    failures: result.outcomes.filter((o) => o.status !== 'SUCCESS').length,
    wallMs: round(Number(process.hrtime.bigint() - started) / 1e6, 0),
  };
}

/** The rows for N = 1, 10 and 50 (quota 10, 5 % throttling, seed 1), in this process. */
export async function simulateDeploymentOverhead(jobCounts: readonly number[] = DEPLOY_SIM_JOB_COUNTS): Promise<DeploySimRow[]> {
  const rows: DeploySimRow[] = [];
  for (const jobs of jobCounts) rows.push(await simulateDeployment({ jobs }));
  return rows;
}

/**
 * The rows for N = 1, 10 and 50, synchronously: the simulation runs in a ts-node process of its
 * own (this file as its entry point).
 */
export function measureDeploymentOverhead(): DeploySimRow[] {
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const out = execFileSync(process.execPath, [tsNode, '--transpile-only', '--project', 'tsconfig.dev.json', path.relative(ROOT, __filename)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'], // the SDK warns about the Node version on stderr
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.toString()) as DeploySimRow[];
}

// Entry point: print the rows as JSON (measureDeploymentOverhead reads them).
if (require.main === module) {
  simulateDeploymentOverhead().then(
    (rows) => process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
