/**
 * Time to a readable failure, on the one test driver (test/driver): from the moment SageMaker marks
 * a job FAILED to the moment CloudFormation has the reason with the job's log tail. The scripted
 * SageMaker (virtual clock) fails each job at another point between two polls; CloudWatch Logs is
 * moto_server, where the driver wrote each job's log stream (test/driver/job-logs.ts). The virtual
 * clock measures the wait for the poll that sees the failure (calls take no virtual time); the log
 * read, a real HTTP round trip to moto, is timed in wall-clock time with the handler's own function.
 */
import { performance } from 'perf_hooks';
import { median } from './stats';
import { readLogTail } from '../../lambda/compilation-job/failure-log';
import type { CompilationJobSpec } from '../../src/private/contract';
import { findExecutable } from '../ci-tools';
import { Driver } from '../driver/driver';
import { writeJobLog } from '../driver/job-logs';
import { FakeSageMaker } from '../fault/fake-sagemaker';
import { createEvent, nameOf, specOf } from '../handler/fixtures';
import { startMotoServer } from '../wire/moto';

export interface FailureSimRow {
  readonly jobs: number;
  /** Virtual seconds from FAILED to the response at CloudFormation. */
  readonly latencyMedianSeconds: number;
  readonly latencyMaxSeconds: number;
  /** Wall-clock ms of the handler's log read (readLogTail against moto), median / max. */
  readonly logReadMedianMs: number;
  readonly logReadMaxMs: number;
  /** Every reason reached CloudFormation with the log's error line, under 4,096 bytes. */
  readonly allReadable: boolean;
  readonly largestResponseBytes: number;
}

const LOG = [
  'INFO Loading ONNX model from /opt/ml/input/model/model.onnx',
  'INFO Converting the model to Relay IR',
  'tvm.error.OpNotImplemented: The following operators are not supported for frontend ONNX: NonMaxSuppression',
  'ERROR Compilation failed for target ml_c5',
];

export async function simulateFailures(jobs = 20): Promise<FailureSimRow | undefined> {
  const executable = findExecutable('moto_server');
  if (!executable) return undefined;
  const moto = await startMotoServer(executable);
  // The handler's own client, pointed at moto as the driver points the handler's functions.
  Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  const run = Date.now().toString(36).slice(-6);
  const latencies: number[] = [];
  const pollMs: number[] = [];
  let allReadable = true;
  let largest = 0;
  try {
    for (let i = 0; i < jobs; i++) {
      const spec: CompilationJobSpec = specOf({ jobNamePrefix: `B${run}-Fail${i}`, constructAddress: `c8${run}b${i}` });
      const name = nameOf(spec);
      await writeJobLog(moto.endpoint, name, LOG);
      // Ends spread over one poll interval: 60 s + i/jobs x 5 s after the create.
      const fake = new FakeSageMaker({ script: { startingSeconds: 10, compileSeconds: 50 + (5 * i) / jobs, outcome: { status: 'FAILED', reason: 'ClientError: CompilationError: Unable to compile model for ml_c5' } } });
      const driver = await Driver.start({ fake, logsEndpoint: moto.endpoint });
      try {
        const result = await driver.deploy(createEvent(spec), { rollback: false });
        const endedAt = fake.job(name)!.endedAt!;
        latencies.push(result.outcome.finishedAt - endedAt);
        const readStarted = performance.now();
        await readLogTail(name);
        pollMs.push(performance.now() - readStarted);
        const reason = result.outcome.reason ?? '';
        allReadable &&= reason.includes('tvm.error.OpNotImplemented') && (result.outcome.response?.contentLength ?? 0) < 4096;
        largest = Math.max(largest, result.outcome.response?.contentLength ?? 0);
      } finally {
        await driver.close();
      }
    }
  } finally {
    await moto.stop();
  }
  return {
    jobs,
    latencyMedianSeconds: median(latencies),
    latencyMaxSeconds: Math.max(...latencies),
    logReadMedianMs: Math.round(median(pollMs)),
    logReadMaxMs: Math.round(Math.max(...pollMs)),
    allReadable,
    largestResponseBytes: largest,
  };
}

// Entry point: print the row as JSON.
if (require.main === module) {
  simulateFailures(Number(process.argv[2] ?? 20)).then(
    (row) => process.stdout.write(`${JSON.stringify(row, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
