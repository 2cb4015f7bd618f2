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
import { median } from '../bench/stats';
import { FakeSageMaker } from '../fault/fake-sagemaker';
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
      fake: services.fake!, definition: longRunDefinitionFromTemplate(), stateMachineArn: STATE_MACHINE_ARN, signal: services.signalResource,
    }),
  });
  try {
    const waves = Math.ceil(jobs / quota);
    const fleet = Array.from({ length: jobs }, (_, i) => ({
      logicalId: `Job${i}`,
      spec: specOf({
        jobNamePrefix: `fleetstack-1a2b3c4d-job${i}`,
        constructAddress: `c8${i.toString(16).padStart(40, '0')}`,
        // As the README advises: a timeout that covers the waves.
        timeoutSeconds: Math.min(Math.ceil(waves * duration) + 600, 43140),
        longRun: { stateMachineArn: STATE_MACHINE_ARN },
      }),
    }));
    const op = await new LongPath(driver).create(fleet);
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
