/**
 * The long path's fleet, simulated: the state machine definition read from a synthesized stack,
 * run by aws-local-stepfunctions on virtual time (test/driver/step-functions.ts) against the
 * scripted SageMaker (test/fault/fake-sagemaker.ts). N jobs of one stack hand their wait to runs at
 * t = 0, as their start resources do (the first `quota` creates succeed at once; the rest are
 * refused and the runs retry them); each job is STARTING 30 s, then compiles until its total is
 * `minutes` (plus half a second: its end falls between two polls, the average case); 5 % of all
 * SageMaker and CloudFormation calls are throttled (seeded).
 *
 * Reported as the one-hour path's figures are: every AWS call the runs make (SageMaker and
 * CloudFormation DescribeStackResource and SignalResource, retries included) per job-minute, split into waiting for the quota
 * (run start to its job's creation) and running (to its signal); the makespan (last signal) against
 * ceil(N / quota) × duration; detection latency (signal after the job's end); and the state
 * transitions per job-hour, which Step Functions bills.
 */
import { median } from './stats';
import { runNameOf, signalOf } from '../../lambda/compilation-job/long-run';
import { createRequestOf } from '../../lambda/compilation-job/spec';
import { MAX_LONG_RUN_TIMEOUT_SECONDS, type LongRunInput, waitConditionTimeoutSeconds } from '../../src/private/contract';
import { fleetJobSeconds, fleetJobSpec, fleetSageMaker } from '../driver/long-fleet';
import { longRunDefinitionFromTemplate, StepFunctions } from '../driver/step-functions';
import { nameOf, STACK_ID } from '../handler/fixtures';

export interface LongRunSimOptions {
  readonly jobs: number;
  readonly quota: number;
  /** Minutes each job takes, STARTING included. */
  readonly minutes: number;
  /** @default 0.05 */
  readonly throttleRate?: number;
}

export interface LongRunSimRow {
  readonly jobs: number;
  readonly quota: number;
  readonly jobMinutes: number;
  readonly throttleRate: number;
  readonly waitingCallsPerJobMinute: number | null;
  readonly runningCallsPerJobMinute: number;
  readonly callsPerJobMinute: number;
  readonly makespanSeconds: number;
  readonly idealMakespanSeconds: number;
  readonly detectionLatencyMedianSeconds: number;
  readonly detectionLatencyMaxSeconds: number;
  readonly transitionsPerJobHour: number;
  /** The most history events of one run (Step Functions fails a run at 25,000). */
  readonly historyEventsMax: number;
  /** The errors the runs saw, by the name the AWS SDK integration gives them. */
  readonly errors: Record<string, number>;
  readonly failures: number;
  readonly wallMs: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function simulateLongRunFleet(options: LongRunSimOptions): Promise<LongRunSimRow> {
  const wall = process.hrtime.bigint(); // Date is virtual while the runs are installed
  const fake = fleetSageMaker({ quota: options.quota, minutes: options.minutes, throttleRate: options.throttleRate ?? 0.05, seed: 7 });
  const signalledAt = new Map<string, number>();
  const sfn = new StepFunctions({
    fake,
    definition: longRunDefinitionFromTemplate(),
    signal: (input) => {
      if (Math.random() < (options.throttleRate ?? 0.05)) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      }
      signalledAt.set(input.LogicalResourceId, fake.clock.seconds);
    },
  });
  try {
    const names: string[] = [];
    for (let i = 0; i < options.jobs; i++) {
      const spec = fleetJobSpec(i, MAX_LONG_RUN_TIMEOUT_SECONDS);
      const name = nameOf(spec);
      names.push(name);
      const input: LongRunInput = {
        request: createRequestOf(spec, name) as LongRunInput['request'],
        deadline: fake.clock.dateAt(MAX_LONG_RUN_TIMEOUT_SECONDS).toISOString(),
        signal: signalOf(STACK_ID, name, runNameOf(name, name, 'bench-request')),
        signalBy: fake.clock.dateAt(waitConditionTimeoutSeconds(MAX_LONG_RUN_TIMEOUT_SECONDS)).toISOString(),
      };
      await sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: runNameOf(name, name, 'bench-request'), input: JSON.stringify(input) });
    }
    // Until every run has ended (12 h at most: the runs' own timeout).
    for (let at = 60; at <= 43200 && (await sfn.listExecutions({ stateMachineArn: sfn.stateMachineArn, statusFilter: 'RUNNING' })).executions.length > 0; at += 60) {
      await sfn.advanceTo(at);
    }

    let waitingCalls = 0; let waitingMinutes = 0; let runningCalls = 0; let runningMinutes = 0;
    const latencies: number[] = [];
    let failures = 0;
    const signalCalls = Object.entries(sfn.sdkCalls()).filter(([api]) => api.startsWith('cloudformation:')).reduce((sum, [, n]) => sum + n, 0);
    for (const name of names) {
      const job = fake.job(name);
      const signal = signalledAt.get(name);
      if (!job || job.status !== 'COMPLETED' || signal === undefined) { failures += 1; continue; }
      latencies.push(signal - job.endedAt!);
      for (const call of fake.calls) {
        if ((call.input as { CompilationJobName?: string }).CompilationJobName !== name) continue;
        if (call.at < job.createdAt) waitingCalls += 1; else runningCalls += 1;
      }
      waitingMinutes += job.createdAt / 60;
      runningMinutes += (signal - job.createdAt) / 60;
    }
    runningCalls += signalCalls;
    const runs = (await sfn.listExecutions({ stateMachineArn: sfn.stateMachineArn })).executions;
    const transitions = runs.reduce((sum, run) => sum + sfn.transitions(run.executionArn), 0);
    const jobMinutes = waitingMinutes + runningMinutes;
    const makespan = Math.max(...signalledAt.values());
    const ideal = Math.ceil(options.jobs / options.quota) * fleetJobSeconds(options.minutes);
    return {
      jobs: options.jobs,
      quota: options.quota,
      jobMinutes: options.minutes,
      throttleRate: options.throttleRate ?? 0.05,
      // Only a fleet larger than the quota waits; below it, a throttled first try is no wait.
      waitingCallsPerJobMinute: options.jobs > options.quota ? round(waitingCalls / waitingMinutes) : null,
      runningCallsPerJobMinute: round(runningCalls / runningMinutes),
      callsPerJobMinute: round((waitingCalls + runningCalls) / jobMinutes),
      makespanSeconds: round(makespan, 1),
      idealMakespanSeconds: ideal,
      detectionLatencyMedianSeconds: round(median(latencies), 1),
      detectionLatencyMaxSeconds: round(Math.max(...latencies), 1),
      transitionsPerJobHour: round(transitions / (jobMinutes / 60), 0),
      historyEventsMax: Math.max(...runs.map((run) => sfn.historyEvents(run.executionArn))),
      errors: sfn.sdkErrors(),
      failures,
      wallMs: Number((process.hrtime.bigint() - wall) / 1_000_000n),
    };
  } finally {
    sfn.close();
  }
}

if (require.main === module) {
  void (async () => {
    for (const [jobs, quota, minutes] of [[10, 10, 15], [100, 10, 15]]) {
      process.stdout.write(`${JSON.stringify(await simulateLongRunFleet({ jobs, quota, minutes }))}\n`);
    }
  })();
}
