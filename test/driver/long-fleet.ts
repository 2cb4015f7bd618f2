/**
 * The long path's fleet as one stack deploys it, end to end on the test driver: per job the start
 * resource (the shipped handler in aws-cdk-lib's Provider framework runtime), the WaitCondition,
 * the run (the real definition, run by the Step Functions stand-in) and the result resource,
 * against the scripted SageMaker on one virtual clock. N jobs, every start at t = 0, quota `quota`,
 * each job STARTING 30 s and ending after `minutes` plus half a second, 5 % of SageMaker calls
 * throttled (seeded).
 *
 * Reports the stack's makespan (the last result resource done) against ceil(N / quota) × duration,
 * the latency from each job's end to its result resource's completion, and failures.
 */
import { Driver } from './driver';
import { LongPath, STATE_MACHINE_ARN } from './long-path';
import { longRunDefinitionFromTemplate, StepFunctions } from './step-functions';
import type { CompilationJobSpec } from '../../src/private/contract';
import { MAX_LONG_RUN_TIMEOUT_SECONDS } from '../../src/private/contract';
import { median } from '../bench/stats';
import { FakeSageMaker, mulberry32 } from '../fault/fake-sagemaker';
import { specOf } from '../handler/fixtures';

export interface LongFleetStackRow {
  readonly jobs: number;
  readonly quota: number;
  readonly jobMinutes: number;
  readonly status: string;
  readonly makespanSeconds: number;
  readonly idealMakespanSeconds: number;
  readonly resultLatencyMedianSeconds: number;
  readonly resultLatencyMaxSeconds: number;
  readonly jobsCreatedOnce: boolean;
  readonly wallMs: number;
}

const STARTING_SECONDS = 30;

/** The scripted SageMaker of a fleet: every job STARTING 30 s, ending after `minutes` plus half a second (between two polls). */
export function fleetSageMaker(options: { quota: number; minutes: number; throttleRate: number; seed: number }): FakeSageMaker {
  return new FakeSageMaker({
    concurrencyQuota: options.quota,
    throttleRate: options.throttleRate,
    seed: options.seed,
    script: { startingSeconds: STARTING_SECONDS, compileSeconds: fleetJobSeconds(options.minutes) - STARTING_SECONDS },
  });
}

/** A fleet job's whole duration. */
export function fleetJobSeconds(minutes: number): number {
  return minutes * 60 + 0.5;
}

/** Job `index` of a fleet of one stack: its own construct, the long path, a MaxRuntime that fits the timeout. */
export function fleetJobSpec(index: number, timeoutSeconds: number): CompilationJobSpec {
  return specOf({
    jobNamePrefix: `fleetstack-1a2b3c4d-job${index}`,
    constructAddress: `c8${index.toString(16).padStart(40, '0')}`,
    timeoutSeconds,
    longRun: { stateMachineArn: STATE_MACHINE_ARN },
    request: { StoppingCondition: { MaxRuntimeInSeconds: timeoutSeconds } },
  });
}

/**
 * How long CloudFormation takes to begin each job's WaitCondition after its start resource
 * completed, seeded: most within seconds, one in five between 10 s and 2 min (a busy stack
 * schedules its resources late). A run signals only once its WaitCondition has begun.
 */
export function waitConditionBeginSpread(seed: number): () => number {
  const random = mulberry32(seed);
  return () => Math.round(random() < 0.8 ? 1 + 9 * random() : 10 + 110 * random());
}

export async function deployLongFleetStack(jobs: number, quota: number, minutes: number): Promise<LongFleetStackRow> {
  const wall = process.hrtime.bigint();
  const duration = minutes * 60 + 0.5;
  const fake = new FakeSageMaker({
    concurrencyQuota: quota,
    throttleRate: 0.05,
    seed: 3,
    script: { startingSeconds: STARTING_SECONDS, compileSeconds: duration - STARTING_SECONDS },
  });
  const driver = await Driver.start({
    fake,
    stepFunctions: (services) => new StepFunctions({
      fake: services.fake!,
      definition: longRunDefinitionFromTemplate(),
      stateMachineArn: STATE_MACHINE_ARN,
      signal: services.signalResource,
      describeStackResource: services.describeStackResource,
    }),
  });
  try {
    const waves = Math.ceil(jobs / quota);
    const fleet = Array.from({ length: jobs }, (_, i) => ({
      logicalId: `Job${i}`,
      // As the README advises: a timeout that covers the waves.
      spec: fleetJobSpec(i, Math.min(Math.ceil(waves * duration) + 600, MAX_LONG_RUN_TIMEOUT_SECONDS)),
    }));
    const op = await new LongPath(driver).create(fleet, { waitConditionBeginSeconds: waitConditionBeginSpread(5) });
    const latencies = op.states.map((state) => {
      const result = op.outcomes.find((o) => o.resource === 'result' && o.outcome.physicalResourceId === state.result.physicalId)!;
      return result.outcome.finishedAt - fake.job(state.start.physicalId)!.endedAt!;
    });
    return {
      jobs,
      quota,
      jobMinutes: minutes,
      status: op.status,
      makespanSeconds: op.finishedAt,
      idealMakespanSeconds: waves * duration,
      resultLatencyMedianSeconds: median(latencies),
      resultLatencyMaxSeconds: Math.max(...latencies),
      jobsCreatedOnce: op.states.every((state) => fake.createdCount(state.start.physicalId) === 1),
      wallMs: Number((process.hrtime.bigint() - wall) / 1_000_000n),
    };
  } finally {
    await driver.close();
  }
}
