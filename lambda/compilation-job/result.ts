// The long path's result resource: after the WaitCondition, the ended job's attributes, or the
// reason it did not compile, in the same words as the one-hour path.
import { publishedAfterLongRun } from './cache';
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './cloudformation';
import { DeploymentError } from './cloudformation';
import { runFailure } from './long-run';
import { answerFor, notCreated } from './outcome';
import { attemptsAfter, retriesFailed } from './retry';
import { describeJob, isRetryable, RUNNING_STATUSES } from './sagemaker';
import type { CompilationResultResourceProperties, CompilationResultSpec } from '../../src/private/contract';
import { RESULT_RESOURCE_TYPE } from '../../src/private/contract';

export function isResultEvent(event: OnEventRequest): boolean {
  return event.ResourceType === RESULT_RESOURCE_TYPE;
}

function parseResult(event: OnEventRequest): CompilationResultSpec {
  return JSON.parse((event.ResourceProperties as unknown as CompilationResultResourceProperties).Result) as CompilationResultSpec;
}

/** The result has the job's name; it owns nothing, so its Delete does nothing. */
export function onResultEvent(event: OnEventRequest): OnEventResponse {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  return { PhysicalResourceId: parseResult(event).compilationJobName };
}

export async function isResultComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const result = parseResult(event);
  try {
    return await outcomeOf(result);
  } catch (error) {
    if (isRetryable(error)) return { IsComplete: false };
    throw error;
  }
}

async function outcomeOf(result: CompilationResultSpec): Promise<IsCompleteResponse> {
  const jobName = result.compilationJobName;
  // The run's Wait until the deadline (TimestampPath) ends at the deadline's whole second, up to
  // 1 s before it: a job the run stopped then was stopped at its deadline, whenever this reads it.
  const deadlinePassed = Date.now() >= Math.floor(Date.parse(result.deadline) / 1000) * 1000;
  const job = await describeJob(jobName);
  if (!job) {
    const run = await runFailure(result.executionArn);
    // Compile once: the start resource copied a cached artifact and its run only signalled.
    if (run.cached) {
      console.info(`Compilation cache hit: ${run.cached.ModelArtifactsS3Uri}, compiled by ${run.cached.CompilationJobArn}; no job ran`);
      return { IsComplete: true, Data: run.cached };
    }
    if (deadlinePassed) throw notCreated(jobName, result.timeoutSeconds);
    // The run ended without creating the job: it says why (SageMaker refused the request).
    if (run.running) return { IsComplete: false };
    throw new DeploymentError(`Compilation job ${jobName} was not created: ${run.error ?? 'the run ended'}: ${(run.cause ?? 'no cause given').slice(0, 1024)}`);
  }
  // The run's retries after SageMaker's internal errors: the last attempt is the answer.
  const attempts = await attemptsAfter(job);
  const last = attempts[attempts.length - 1];
  if (attempts.length > 1 && last.CompilationJobStatus === 'FAILED') return retriesFailed(attempts);
  if (RUNNING_STATUSES.has(last.CompilationJobStatus ?? '') && !deadlinePassed) {
    // The run stopped waiting for a job that still runs: a SageMaker answer it could not take for a
    // transient fault (worded as no public source shows). Its words end the deployment now, rather
    // than this resource's own hour; the rollback stops the job.
    const run = await runFailure(result.executionArn);
    if (!run.running && run.error !== undefined) {
      throw new DeploymentError(`Compilation job ${last.CompilationJobName ?? jobName} is still running, but the run waiting for it failed: ${run.error}: ${(run.cause ?? 'no cause given').slice(0, 1024)}`);
    }
  }
  // Past the deadline and still running, the run's stop did not get through (throttled, or it
  // stopped the first attempt of a retried job): stopped here.
  // Signalled while it still runs (by hand?): waited for, as far as this resource may.
  return publishedAfterLongRun(result.cache, last, await answerFor(last, result.timeoutSeconds, deadlinePassed));
}
