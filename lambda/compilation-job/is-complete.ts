import { published } from './cache';
import type { IsCompleteRequest, IsCompleteResponse } from './cloudformation';
import { DeploymentError, resourceStillWaiting } from './cloudformation';
import { assertSameRequest, createJob, lastRefusal, mayTryCreate, noteSlotFreed } from './create';
import { handOff, stopRuns } from './long-run';
import { answerFor, notCreated } from './outcome';
import { deleteTargetsOf, recentJobsOf, retired, runPrefixesOf } from './retire';
import { currentAttempt } from './retry';
import { describeJob, isRetryable, RUNNING_STATUSES, updateTags } from './sagemaker';
import { isJobOfRequest, parseSpec, requestNamePrefix } from './spec';
import type { CompilationJobSpec, JobTag } from '../../src/private/contract';
import { IAM_PROPAGATION_SECONDS, MAX_JOB_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS } from '../../src/private/contract';

const NOT_YET: IsCompleteResponse = { IsComplete: false };

/** Polled by the Provider framework every few seconds until it returns IsComplete: true or throws. */
export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const spec = parseSpec(event.ResourceProperties);
  try {
    if (event.RequestType === 'Delete') return await deleted(spec, event);
    let previousTags: JobTag[] | undefined;
    if (event.RequestType === 'Update' && isJobOfRequest(spec, event.PhysicalResourceId)) {
      const oldSpec = parseSpec(event.OldResourceProperties);
      if (isJobOfRequest(oldSpec, event.PhysicalResourceId)) {
        // The same job: a tags-only update syncs its tags here, where a throttled call only means another poll.
        previousTags = oldSpec.tags;
      } else if (event.RetiresCancelledUpdate &&
        !await retiredAll(oldSpec, await recentJobsOf(oldSpec, event.PhysicalResourceId), [requestNamePrefix(oldSpec)])) {
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

/**
 * A Delete ends when every job it is about has ended (and its record is deleted unless retained).
 * On the long path their runs are stopped first, and a job not found yet is looked for again for a
 * poll: a run's create may have been in flight when it was stopped.
 */
async function deleted(spec: CompilationJobSpec, event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const jobs = await deleteTargetsOf(spec, event.PhysicalResourceId);
  if (!await retiredAll(spec, jobs, event.RunsStopped ? [] : runPrefixesOf(spec, event.PhysicalResourceId))) return NOT_YET;
  const startedAt = event.OperationStartedAt ?? 0;
  return spec.longRun && Date.now() - startedAt < 2 * POLL_INTERVAL_SECONDS * 1000 ? NOT_YET : { IsComplete: true };
}

/** Stops the runs (long path) whose names start with one of `runPrefixes`, then retires the jobs. */
async function retiredAll(spec: CompilationJobSpec, jobNames: string[], runPrefixes: string[]): Promise<boolean> {
  await stopRuns(spec, runPrefixes);
  return retired(jobNames, spec.removalPolicy);
}

/** The operation's deadline: the job's `timeout`, counted from the start of the CloudFormation operation. */
function deadlineOf(spec: CompilationJobSpec, operationStartedAt: number): number {
  return operationStartedAt + Math.min(spec.timeoutSeconds, MAX_JOB_TIMEOUT_SECONDS) * 1000;
}

async function finished(spec: CompilationJobSpec, event: IsCompleteRequest, previousTags?: JobTag[]): Promise<IsCompleteResponse> {
  // Compile once: onEvent copied a cached artifact; its attributes reach CloudFormation from onEvent's Data.
  // On the long path, the WaitCondition still needs a run's signal: one that creates no job.
  if (event.CacheHit) return spec.longRun ? handOff(spec, event, event.OperationStartedAt ?? Date.now()) : { IsComplete: true };
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
    if (now > deadline) throw notCreated(jobName, spec.timeoutSeconds, lastRefusal(jobName));
    return NOT_YET;
  }
  let job = notThere ? undefined : await describeJob(jobName);
  if (!job) {
    if (now > deadline) throw notCreated(jobName, spec.timeoutSeconds, lastRefusal(jobName));
    if (!mayCreate) return NOT_YET;
    // Not created yet: create it, unless CloudFormation gave up on this operation meanwhile.
    if (!await resourceStillWaiting(event.StackId, event.LogicalResourceId, startedAt)) {
      throw new DeploymentError(`Compilation job ${jobName} was not created: CloudFormation no longer waits for this operation on resource ${event.LogicalResourceId}.`);
    }
    const outcome = await createJob(spec, jobName, { operationStartedAt: startedAt, inputReady: event.InputReady === true });
    // The long path's run waits for a slot of the quota itself, and follows a job it finds created.
    if (spec.longRun && (outcome === 'created' || lastRefusal(jobName) !== undefined)) return handOff(spec, event, startedAt);
    if (outcome !== 'exists') return NOT_YET;
    job = await describeJob(jobName);
    if (!job) return nameHeld(jobName, now - startedAt);
  }
  assertSameRequest(spec, job);
  if (spec.longRun) {
    if (previousTags) await updateTags(job.CompilationJobArn!, previousTags, spec.tags);
    return handOff(spec, event, startedAt);
  }
  // The attempt to answer for: this job, or the retry after SageMaker failed it with an internal error.
  const attempt = await currentAttempt(job, {
    spec, stackId: event.StackId, logicalResourceId: event.LogicalResourceId, operationStartedAt: startedAt, deadline, now,
  });
  if ('IsComplete' in attempt) return attempt;
  if (previousTags) await updateTags(attempt.CompilationJobArn!, previousTags, spec.tags);
  if (!RUNNING_STATUSES.has(attempt.CompilationJobStatus!)) noteSlotFreed(now);
  return published(spec, event.CacheKey, attempt, await answerFor(attempt, spec.timeoutSeconds, now > deadline));
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
