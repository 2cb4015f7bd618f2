// What a job's state means for the deployment, and what it says when the job did not compile:
// the same answer and words on the one-hour path (isComplete) and the long path (the result resource).
import type { IsCompleteResponse } from './cloudformation';
import { DeploymentError, logsLocation } from './cloudformation';
import { readLogTail, withLogTail } from './failure-log';
import { attributesOf } from './model-files';
import { JobDescription, stopJob } from './sagemaker';
import { MAX_LONG_RUN_TIMEOUT_SECONDS } from '../../src/private/contract';

/**
 * The answer for a job that exists: its attributes once COMPLETED, SageMaker's reason once it
 * failed or was stopped, else not yet; past its deadline a running job is stopped and the
 * deployment fails (the rollback cleans up), and a stopped one is reported as timed out.
 */
export async function answerFor(job: JobDescription, timeoutSeconds: number, deadlinePassed: boolean): Promise<IsCompleteResponse> {
  switch (job.CompilationJobStatus) {
    case 'COMPLETED':
      return { IsComplete: true, Data: attributesOf(job) };
    case 'FAILED':
      throw await jobFailed(job);
    case 'STOPPING':
    case 'STOPPED':
      throw deadlinePassed ? jobTimedOut(job, timeoutSeconds) : await jobStopped(job);
    default:
      // A job that cannot be stopped has just finished: the next poll reports how.
      if (deadlinePassed && await stopJob(job.CompilationJobName!)) throw jobTimedOut(job, timeoutSeconds);
      return { IsComplete: false };
  }
}

/** SageMaker's reason, then the tail of the job's log (read now, once the job has failed). */
export async function jobFailed(job: JobDescription): Promise<DeploymentError> {
  const jobName = job.CompilationJobName!;
  const head = `Compilation job ${jobName} failed: ${(job.FailureReason ?? 'no reason given').slice(0, 1024)} ${kmsHint(job)}`;
  return new DeploymentError(withLogTail(head.trim(), jobName, await readLogTail(jobName)));
}

/** Stopped by someone else, or by SageMaker at its MaxRuntimeInSeconds (the deployment's own stops report {@link jobTimedOut}). */
export async function jobStopped(job: JobDescription): Promise<DeploymentError> {
  const jobName = job.CompilationJobName!;
  const head = `Compilation job ${jobName} was stopped (${job.CompilationJobStatus}) before it completed` +
    `${job.FailureReason ? `: ${job.FailureReason.slice(0, 1024)}` : ''}; it was not stopped by this deployment. Deploy again to compile anew.`;
  // A job still STOPPING may not have written its last lines: its log is read once it has stopped.
  if (job.CompilationJobStatus !== 'STOPPED') return new DeploymentError(`${head} ${logsLocation(jobName)}`);
  return new DeploymentError(withLogTail(head, jobName, await readLogTail(jobName)));
}

/** The deployment stops (or stopped) the job at its deadline. */
export function jobTimedOut(job: JobDescription, timeoutSeconds: number): DeploymentError {
  const jobName = job.CompilationJobName!;
  return new DeploymentError(
    `Compilation job ${jobName} did not finish within its timeout of ${timeoutSeconds} seconds ` +
    `(counted from the start of the deployment; status ${job.CompilationJobStatus}); it has been stopped. Raise the construct's \`timeout\` ` +
    `(at most ${MAX_LONG_RUN_TIMEOUT_SECONDS} seconds) or make the model compile faster. ${logsLocation(jobName)}`);
}

/** A job that never got created by its deadline: almost always the quota, which the message names. */
export function notCreated(jobName: string, timeoutSeconds: number, refusal?: string): DeploymentError {
  return new DeploymentError(
    `Compilation job ${jobName} was not created within its timeout of ${timeoutSeconds} seconds` +
    `${refusal ? ` (SageMaker: ResourceLimitExceeded: ${refusal.slice(0, 300)})` : ''}. ${quotaAdvice(timeoutSeconds)}`);
}

/** The quota's advice, for a job that waited for a slot until its deadline. */
export function quotaAdvice(timeoutSeconds: number): string {
  return `Every slot of the account's quota of concurrent compilation jobs (ResourceLimitExceeded) stayed taken for ${timeoutSeconds} seconds. ` +
    'Ask for a higher "Number of concurrent compilation jobs" in Service Quotas (SageMaker), deploy fewer jobs at once ' +
    '(spread them over stacks or add dependencies between them), or raise the construct\'s `timeout`.';
}

/**
 * A job that could not write its output to a bucket encrypted with a key it was not granted. S3
 * words that refusal `AccessDenied: Access Denied` (aws/aws-sdk-js#2404, a PutObject to a KMS
 * bucket without the key) or `(AccessDenied) when calling the PutObject operation: User: ... is not
 * authorized to perform: kms:GenerateDataKey on this resource ...` (buildkite/docs#2344). How a Neo
 * job's FailureReason quotes it is not public: the hint is only added advice; a reason worded
 * otherwise still fails the deployment with SageMaker's words, without the hint (test/fault/scenarios.test.ts).
 */
function kmsHint(job: JobDescription): string {
  if (!/kms|access ?denied|not authorized/i.test(job.FailureReason ?? '')) return '';
  return 'If the output bucket is encrypted with a KMS key (SSE-KMS) that the construct does not know, import the bucket with ' +
    'its key (s3.Bucket.fromBucketAttributes(scope, id, { bucketName, encryptionKey })) or pass `encryptionKey`, so that ' +
    'the job\'s role is granted kms:GenerateDataKey and kms:Decrypt. ';
}
