import { DeleteCompilationJobCommand } from '@aws-sdk/client-sagemaker';
import { attributesOf } from './attributes';
import { DeploymentError, logsLocation } from './errors';
import type { IsCompleteRequest, IsCompleteResponse } from './events';
import { describeJob, isNotFound, isRetryable, JobDescription, RUNNING_STATUSES, sagemaker, stopJob } from './sagemaker';
import { deleteTargetOf, jobNameOf, parseSpec } from './spec';
import { resourceStillWaiting } from './stack-resource';
import { assertSameRequest, startJob } from './start-job';
import { updateTags } from './tags';
import type { CompilationJobSpec, JobTag } from '../../src/private/contract';
import { MAX_JOB_TIMEOUT_SECONDS } from '../../src/private/contract';

const NOT_YET: IsCompleteResponse = { IsComplete: false };

/** Polled by the Provider framework every few seconds until it returns IsComplete: true or throws. */
export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const spec = parseSpec(event.ResourceProperties);
  try {
    if (event.RequestType === 'Delete') return await deleted(spec, deleteTargetOf(spec, event.PhysicalResourceId));
    // A tags-only update keeps the job (same name): its tags are synced here, where a throttled
    // call only means another poll.
    const oldSpec = event.RequestType === 'Update' ? parseSpec(event.OldResourceProperties) : undefined;
    const keptJob = oldSpec !== undefined && jobNameOf(oldSpec) === event.PhysicalResourceId;
    return await finished(spec, event, keptJob ? oldSpec.tags : undefined);
  } catch (error) {
    // Never fail a deployment on throttling, a 5xx or the job quota: poll again.
    if (isRetryable(error)) {
      console.warn('Transient error; polling again', { job: event.PhysicalResourceId, error: String(error) });
      return NOT_YET;
    }
    throw error;
  }
}

async function finished(spec: CompilationJobSpec, event: IsCompleteRequest, previousTags?: JobTag[]): Promise<IsCompleteResponse> {
  const jobName = event.PhysicalResourceId;
  const job = await describeJob(jobName);
  if (!job) {
    // Not created yet (quota or throttling at create time), or deleted behind our back: create
    // it, unless CloudFormation gave up on this resource meanwhile (cancelled, rolled back).
    if (!await resourceStillWaiting(event.StackId, event.LogicalResourceId)) {
      throw new DeploymentError(`Compilation job ${jobName} was not created: CloudFormation no longer waits for resource ${event.LogicalResourceId}.`);
    }
    await startJob(spec, jobName);
    return NOT_YET;
  }
  assertSameRequest(spec, job);
  if (previousTags) await updateTags(job.CompilationJobArn!, previousTags, spec.tags);
  switch (job.CompilationJobStatus) {
    case 'COMPLETED':
      return { IsComplete: true, Data: attributesOf(job) };
    case 'FAILED':
      throw new DeploymentError(
        `Compilation job ${jobName} failed: ${(job.FailureReason ?? 'no reason given').slice(0, 1024)} ${logsLocation(jobName)}`);
    case 'STOPPING':
    case 'STOPPED':
      throw new DeploymentError(
        `Compilation job ${jobName} was stopped (${job.CompilationJobStatus}) before it completed; ` +
        `it was not stopped by this deployment. Deploy again to compile anew. ${logsLocation(jobName)}`);
    default:
      return checkTimeout(spec, job);
  }
}

/** Past its `timeout`, a job is stopped and the deployment fails (the rollback cleans up). */
async function checkTimeout(spec: CompilationJobSpec, job: JobDescription): Promise<IsCompleteResponse> {
  const jobName = job.CompilationJobName!;
  const createdAt = job.CreationTime?.getTime() ?? Date.now();
  const elapsedSeconds = (Date.now() - createdAt) / 1000;
  if (elapsedSeconds <= spec.timeoutSeconds) return NOT_YET;
  // A job that cannot be stopped has just finished: the next poll reports how.
  if (!await stopJob(jobName)) return NOT_YET;
  throw new DeploymentError(
    `Compilation job ${jobName} did not finish within its timeout of ${spec.timeoutSeconds} seconds ` +
    `(status ${job.CompilationJobStatus}); it has been stopped. Raise the construct's \`timeout\` ` +
    `(at most ${MAX_JOB_TIMEOUT_SECONDS} seconds) or make the model compile faster. ${logsLocation(jobName)}`);
}

/** Waits for a stopped job to end, then deletes its record unless the removal policy retains it. */
async function deleted(spec: CompilationJobSpec, jobName: string): Promise<IsCompleteResponse> {
  const job = await describeJob(jobName);
  if (!job) return { IsComplete: true };
  if (RUNNING_STATUSES.has(job.CompilationJobStatus!)) {
    await stopJob(jobName); // again: the first request may have been throttled away
    return NOT_YET;
  }
  if (job.CompilationJobStatus === 'STOPPING') return NOT_YET;
  if (spec.removalPolicy === 'destroy') {
    try {
      await sagemaker.send(new DeleteCompilationJobCommand({ CompilationJobName: jobName }));
      console.info('Compilation job record deleted (artifacts are kept)', { job: jobName });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return { IsComplete: true };
}
