/**
 * Deployment overhead, simulated on the one test driver (test/driver: aws-cdk-lib's Provider
 * framework runtime around the shipped handler bundle, the waiter as the synthesized template
 * says, CloudFormation modelled) against the scripted SageMaker on a virtual clock
 * (test/fault/fake-sagemaker.ts). N compilation jobs deploy together in one stack (every Create at
 * t = 0); jobs go STARTING (30 s) -> INPROGRESS -> COMPLETED (242.5 s later), at most `quota` at a
 * time (ResourceLimitExceeded above it), with random throttling (5 % of the SageMaker and S3 calls,
 * fixed seed). The half second puts each job's end midway between two polls, the average case.
 *
 * Per run it reports every AWS call the handler made (SageMaker, CloudFormation, S3), split by API
 * and by phase: while a job waits for the quota (from the Create to its job's creation) and while
 * it runs (to the resource's completion), per job-minute; the makespan against the ideal
 * ceil(N / quota) x job duration; how late each resource completes after its job (detection).
 *
 * `bundle` runs another build of the handler (the bench measures the previous release's bundle too);
 * `coldStarts` gives every handler invocation a fresh module (no memory between invocations).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { median } from './stats';
import type { CreateEvent } from '../../lambda/compilation-job/cloudformation';
import type { CompilationJobSpec } from '../../src/private/contract';
import { Driver } from '../driver/driver';
import { ACCOUNT, FakeSageMaker, REGION } from '../fault/fake-sagemaker';
import { createEvent, specOf } from '../handler/fixtures';

const ROOT = path.join(__dirname, '..', '..');
const POLL_SECONDS = 5;

export interface DeploySimOptions {
  readonly jobs: number;
  /** @default 10 */
  readonly quota?: number;
  /** @default 0.05 */
  readonly throttleRate?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Another build of the handler bundle. @default the shipped one */
  readonly bundle?: string;
  /** A label for the handler build. @default 'this release' */
  readonly handler?: string;
  /** @default false */
  readonly coldStarts?: boolean;
}

export interface DeploySimRow {
  readonly handler: string;
  readonly coldStarts: boolean;
  readonly jobs: number;
  readonly quota: number;
  readonly throttleRate: number;
  readonly jobDurationSeconds: number;
  /** All calls per job-minute while jobs waited for the quota (none waited: null). */
  readonly waitingCallsPerJobMinute: number | null;
  /** All calls per job-minute while jobs ran. */
  readonly runningCallsPerJobMinute: number;
  /** All calls per job-minute over the whole deployment (each job from the Create to its completion). */
  readonly callsPerJobMinute: number;
  /** The same, by API (`service.Operation`). */
  readonly callsPerJobMinuteByApi: Record<string, number>;
  readonly makespanSeconds: number;
  readonly idealMakespanSeconds: number;
  /** (makespan - ideal) / waves. */
  readonly extraSecondsPerWave: number;
  readonly detectionLatencyMedianSeconds: number;
  readonly detectionLatencyMaxSeconds: number;
  readonly failures: number;
  readonly wallMs: number;
}

/** The model every job compiles: one CDK file asset, copied once to the `.tar.gz` key the jobs read. */
const ASSET_HASH = '0f4c1e6a7b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f';
const ASSET_OBJECT = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/${ASSET_HASH}.gz`;
const STAGED_URI = `s3://out-bucket/model-inputs/${ASSET_HASH}.tar.gz`;

function jobSpec(index: number): CompilationJobSpec {
  return specOf({
    jobNamePrefix: `benchstack-1a2b3c4d-job${index}`,
    constructAddress: `c8${index.toString(16).padStart(40, '0')}`,
    request: { InputConfig: { S3Uri: STAGED_URI, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
    inputCopy: { source: `s3://${ASSET_OBJECT}`, target: STAGED_URI },
    // The longest allowed: the timeout counts from the Create, and the last of five waves ends at 1365 s.
    timeoutSeconds: 3540,
  });
}

function jobEvent(index: number): CreateEvent {
  return { ...createEvent(jobSpec(index), { requestId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}` }), LogicalResourceId: `Job${index}CompilationJob1A2B3C4D` };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export async function simulateDeployment(options: DeploySimOptions): Promise<DeploySimRow> {
  const started = Date.now();
  const { jobs, quota = 10, throttleRate = 0.05, seed = 1 } = options;
  const startingSeconds = 30;
  const compileSeconds = 242.5;
  const fake = new FakeSageMaker({
    concurrencyQuota: quota, throttleRate, s3ThrottleRate: throttleRate, seed, script: { startingSeconds, compileSeconds }, objects: [ASSET_OBJECT],
  });
  const driver = await Driver.start({ fake, bundle: options.bundle, coldStarts: options.coldStarts });
  try {
    const events = Array.from({ length: jobs }, (_, i) => jobEvent(i));
    const result = await driver.createStack(events);
    // Each job: its name's request part (every call about it contains it), its logical id.
    const perJob = events.map((event, i) => {
      const outcome = result.outcomes[i];
      const prefix = outcome.physicalResourceId.slice(0, -4);
      const job = fake.allJobs().find((j) => j.name.startsWith(prefix));
      return { event, outcome, prefix, createdAt: job?.createdAt ?? outcome.finishedAt, endedAt: job?.endedAt ?? outcome.finishedAt };
    });
    // An S3 call names no job: it belongs to the SageMaker call before it in the same invocation.
    let lastSageMaker = '';
    const calls = [
      ...fake.calls.map((c) => {
        if (c.service === 'sagemaker') lastSageMaker = JSON.stringify(c.input);
        return { at: c.at, api: `${c.service}.${c.operation}`, text: c.service === 's3' ? lastSageMaker : JSON.stringify(c.input) };
      }),
      ...driver.cloudformation.calls.map((c) => ({ at: c.at, api: `cloudformation.${c.operation}`, text: `"${c.logicalId}"` })),
    ];
    let waitingCalls = 0;
    let waitingMinutes = 0;
    let runningCalls = 0;
    let runningMinutes = 0;
    const byApi: Record<string, number> = {};
    for (const { event, outcome, prefix, createdAt } of perJob) {
      const mine = calls.filter((c) => c.text.includes(prefix) || c.text.includes(`"${event.LogicalResourceId}"`));
      for (const call of mine) {
        if (call.at > outcome.finishedAt) continue;
        if (call.at < createdAt) waitingCalls += 1;
        else runningCalls += 1;
        byApi[call.api] = (byApi[call.api] ?? 0) + 1;
      }
      waitingMinutes += createdAt / 60;
      runningMinutes += (outcome.finishedAt - createdAt) / 60;
    }
    const totalMinutes = waitingMinutes + runningMinutes;
    const duration = startingSeconds + compileSeconds;
    const waves = Math.ceil(jobs / quota);
    const makespan = Math.max(...result.outcomes.map((o) => o.finishedAt));
    const latencies = perJob.map((j) => j.outcome.finishedAt - j.endedAt);
    return {
      handler: options.handler ?? 'this release',
      coldStarts: options.coldStarts ?? false,
      jobs,
      quota,
      throttleRate,
      jobDurationSeconds: duration,
      waitingCallsPerJobMinute: waitingMinutes > 0 ? round(waitingCalls / waitingMinutes) : null,
      runningCallsPerJobMinute: runningMinutes > 0 ? round(runningCalls / runningMinutes) : 0,
      callsPerJobMinute: round((waitingCalls + runningCalls) / totalMinutes),
      callsPerJobMinuteByApi: Object.fromEntries(Object.entries(byApi).sort().map(([api, n]) => [api, round(n / totalMinutes)])),
      makespanSeconds: makespan,
      idealMakespanSeconds: waves * duration,
      extraSecondsPerWave: round((makespan - waves * duration) / waves, 1),
      detectionLatencyMedianSeconds: median(latencies),
      detectionLatencyMaxSeconds: Math.max(...latencies),
      failures: result.outcomes.filter((o) => o.status !== 'SUCCESS').length,
      wallMs: Date.now() - started,
    };
  } finally {
    await driver.close();
  }
}

/** The runs `npx projen bench` reports. `previousBundle`: the last release's handler, if built. */
export async function simulateDeploymentOverhead(previousBundle?: string): Promise<DeploySimRow[]> {
  const rows: DeploySimRow[] = [];
  if (previousBundle) rows.push(await simulateDeployment({ jobs: 12, quota: 4, bundle: previousBundle, handler: 'previous release' }));
  rows.push(await simulateDeployment({ jobs: 12, quota: 4 }));
  rows.push(await simulateDeployment({ jobs: 12, quota: 4, coldStarts: true }));
  rows.push(await simulateDeployment({ jobs: 1 }));
  rows.push(await simulateDeployment({ jobs: 50, quota: 10 }));
  return rows;
}

/** The rows, synchronously: the simulation runs in a ts-node process of its own (this file). */
export function measureDeploymentOverhead(previousBundle?: string): DeploySimRow[] {
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const out = execFileSync(process.execPath, [tsNode, '--transpile-only', '--project', 'tsconfig.dev.json', path.relative(ROOT, __filename), ...(previousBundle ? [previousBundle] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.toString()) as DeploySimRow[];
}

// Entry point: print the rows as JSON (measureDeploymentOverhead reads them).
if (require.main === module) {
  simulateDeploymentOverhead(process.argv[2]).then(
    (rows) => process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

export { POLL_SECONDS };
