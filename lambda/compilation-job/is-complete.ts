import type { IsCompleteRequest, IsCompleteResponse } from './cloudformation';
import { DeploymentError, logsLocation, resourceStillWaiting } from './cloudformation';
import { assertSameRequest, createJob, lastRefusal, mayTryCreate, noteSlotFreed, quotaAdvice } from './create';
import { attributesOf } from './model-files';
import { deleteTargetsOf, recentJobsOf, retired } from './retire';
import { describeJob, isRetryable, JobDescription, RUNNING_STATUSES, stopJob, updateTags } from './sagemaker';
import { isJobOfRequest, parseSpec } from './spec';
import type { CompilationJobSpec, JobTag } from '../../src/private/contract';
import { IAM_PROPAGATION_SECONDS, MAX_JOB_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS } from '../../src/private/contract';

const NOT_YET: IsCompleteResponse = { IsComplete: false };

/** Polled by the Provider framework every few seconds until it returns IsComplete: true or throws. */
export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const spec = parseSpec(event.ResourceProperties);
  try {
    if (event.RequestType === 'Delete') {
      return await retired(await deleteTargetsOf(spec, event.PhysicalResourceId), spec.removalPolicy) ? { IsComplete: true } : NOT_YET;
    }
    let previousTags: JobTag[] | undefined;
    if (event.RequestType === 'Update' && isJobOfRequest(spec, event.PhysicalResourceId)) {
      const oldSpec = parseSpec(event.OldResourceProperties);
      if (isJobOfRequest(oldSpec, event.PhysicalResourceId)) {
        // The same job: a tags-only update syncs its tags here, where a throttled call only means another poll.
        previousTags = oldSpec.tags;
      } else if (event.RetiresCancelledUpdate && !await retired(await recentJobsOf(oldSpec, event.PhysicalResourceId), oldSpec.removalPolicy)) {
        return NOT_YET; // the rollback of a cancelled replacing Update ends the jobs that update started
      }
    }
    return await finished(spec, event, previousTags);
  } catch (error) {
    // Never fail a deployment on throttling or a 5xx: poll again.
    if (isRetryable(error)) {
      console.warn('Transient error; polling again', { job: event.PhysicalResourceId, error: String(error) });
      return NOT_YET;
    }
    throw error;
  }
}

/** The operation's deadline: the job's `timeout`, counted from the start of the CloudFormation operation. */
function deadlineOf(spec: CompilationJobSpec, operationStartedAt: number): number {
  return operationStartedAt + Math.min(spec.timeoutSeconds, MAX_JOB_TIMEOUT_SECONDS) * 1000;
}

async function finished(spec: CompilationJobSpec, event: IsCompleteRequest, previousTags?: JobTag[]): Promise<IsCompleteResponse> {
  const jobName = event.PhysicalResourceId;
  const now = Date.now();
  // Events from a handler older than OperationStartedAt: the deadline counts from this poll on.
  const startedAt = event.OperationStartedAt ?? now;
  const deadline = deadlineOf(spec, startedAt);
  // A job this instance saw refused by the quota skips its Describe: between its tries, no call.
  // So does a new name at the first poll: no job can have it yet.
  const firstPoll = now - startedAt < POLL_INTERVAL_SECONDS * 500;
  const notThere = lastRefusal(jobName) !== undefined || (event.NewJob === true && firstPoll);
  const mayCreate = mayTryCreate(jobName, startedAt, now);
  if (notThere && !mayCreate) {
    if (now > deadline) throw notCreated(spec, jobName);
    return NOT_YET;
  }
  let job = notThere ? undefined : await describeJob(jobName);
  if (!job) {
    if (now > deadline) throw notCreated(spec, jobName);
    if (!mayCreate) return NOT_YET;
    // Not created yet: create it, unless CloudFormation gave up on this operation meanwhile.
    if (!await resourceStillWaiting(event.StackId, event.LogicalResourceId, startedAt)) {
      throw new DeploymentError(`Compilation job ${jobName} was not created: CloudFormation no longer waits for this operation on resource ${event.LogicalResourceId}.`);
    }
    const outcome = await createJob(spec, jobName, { operationStartedAt: startedAt, inputReady: event.InputReady === true });
    if (outcome !== 'exists') return NOT_YET;
    job = await describeJob(jobName);
    if (!job) return nameHeld(jobName, now - startedAt);
  }
  assertSameRequest(spec, job);
  if (previousTags) await updateTags(job.CompilationJobArn!, previousTags, spec.tags);
  if (!RUNNING_STATUSES.has(job.CompilationJobStatus!)) noteSlotFreed(now);
  switch (job.CompilationJobStatus) {
    case 'COMPLETED':
      return { IsComplete: true, Data: attributesOf(job) };
    case 'FAILED':
      throw new DeploymentError(
        `Compilation job ${jobName} failed: ${(job.FailureReason ?? 'no reason given').slice(0, 1024)} ${kmsHint(job)}${logsLocation(jobName)}`);
    case 'STOPPING':
    case 'STOPPED':
      throw new DeploymentError(
        `Compilation job ${jobName} was stopped (${job.CompilationJobStatus}) before it completed; ` +
        `it was not stopped by this deployment. Deploy again to compile anew. ${logsLocation(jobName)}`);
    default:
      return checkTimeout(spec, job, deadline);
  }
}

/** Past its deadline, a job is stopped and the deployment fails (the rollback cleans up). */
async function checkTimeout(spec: CompilationJobSpec, job: JobDescription, deadline: number): Promise<IsCompleteResponse> {
  const jobName = job.CompilationJobName!;
  if (Date.now() <= deadline) return NOT_YET;
  // A job that cannot be stopped has just finished: the next poll reports how.
  if (!await stopJob(jobName)) return NOT_YET;
  throw new DeploymentError(
    `Compilation job ${jobName} did not finish within its timeout of ${spec.timeoutSeconds} seconds ` +
    `(counted from the start of the deployment; status ${job.CompilationJobStatus}); it has been stopped. Raise the construct's \`timeout\` ` +
    `(at most ${MAX_JOB_TIMEOUT_SECONDS} seconds) or make the model compile faster. ${logsLocation(jobName)}`);
}

/** A job that never got created by its deadline: almost always the quota, which the message names. */
function notCreated(spec: CompilationJobSpec, jobName: string): DeploymentError {
  const refusal = lastRefusal(jobName);
  return new DeploymentError(
    `Compilation job ${jobName} was not created within its timeout of ${spec.timeoutSeconds} seconds` +
    `${refusal ? ` (SageMaker: ResourceLimitExceeded: ${refusal.slice(0, 300)})` : ''}. ${quotaAdvice(spec)}`);
}

/**
 * ResourceInUse on create but ResourceNotFound on describe: SageMaker still holds the name of a
 * deleted job, or has not made a new one visible yet. Names are new for every operation, so this
 * passes; if it does not, the deployment says so instead of polling on.
 */
function nameHeld(jobName: string, elapsedMs: number): IsCompleteResponse {
  if (elapsedMs < IAM_PROPAGATION_SECONDS * 1000) return NOT_YET;
  throw new DeploymentError(
    `SageMaker refuses the name ${jobName} (ResourceInUse) but describes no job of that name (ResourceNotFound) ` +
    'for more than 120 seconds: it still holds the name of a deleted job. Deploy again: every operation uses a new job name.');
}

/** A job that could not write its output to a bucket encrypted with a key it was not granted. */
function kmsHint(job: JobDescription): string {
  if (!/kms|access ?denied|not authorized/i.test(job.FailureReason ?? '')) return '';
  return 'If the output bucket is encrypted with a KMS key (SSE-KMS) that the construct does not know, import the bucket with ' +
    'its key (s3.Bucket.fromBucketAttributes(scope, id, { bucketName, encryptionKey })) or pass `encryptionKey`, so that ' +
    'the job\'s role is granted kms:GenerateDataKey and kms:Decrypt. ';
}
