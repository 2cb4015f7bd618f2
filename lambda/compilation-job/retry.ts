// SageMaker's internal errors heal by trying again: a job that ends FAILED with a server-side
// reason is created again under a new name, after a back-off, while the job's timeout allows.
// Client errors (a bad model, a bad request) never are. Stateless: every poll finds the current
// attempt from SageMaker (an ended attempt never changes, so it is described once per instance).
import { createHash } from 'crypto';
import type { IsCompleteResponse } from './cloudformation';
import { DeploymentError, resourceStillWaiting } from './cloudformation';
import { createJob, lastRefusal, mayTryCreate } from './create';
import { readLogTail, withLogTail } from './failure-log';
import { describeJob, JobDescription } from './sagemaker';
import type { CompilationJobSpec } from '../../src/private/contract';
import { DEFAULT_MAX_RETRIES, MAX_RETRIES_LIMIT, OPERATION_TAG_LENGTH, RETRY_BACK_OFF_SECONDS } from '../../src/private/contract';

/**
 * The failure reasons of SageMaker's own faults, which a new job may not meet:
 * - `ServerError: There was an internal server error ... please try again in a few minutes`
 *   (a compilation job, github.com/aws/amazon-sagemaker-examples/issues/1284);
 * - `InternalServerError: We encountered an internal error. Please try again.` (SageMaker jobs,
 *   github.com/aws/sagemaker-python-sdk/issues/2496 and /issues/70); SageMaker Pipelines retries
 *   these as `SageMaker.JOB_INTERNAL_ERROR`, "when the SageMaker AI job returns InternalServerError"
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-retry-policy.html).
 * A reason that starts with `ClientError:` (the model, the request: e.g. `ClientError:
 * CompilationError: Unable to compile model`, github.com/aws/amazon-sagemaker-examples/issues/2664)
 * is never retried, whatever words follow.
 */
const SERVER_SIDE = /^\s*(ServerError|InternalServerError|InternalFailure|ServiceUnavailable)\b|\binternal (server )?error\b/i;
const CLIENT_SIDE = /^\s*ClientError\b/i;

export function isServerSideFailure(reason: string | undefined): boolean {
  return reason !== undefined && !CLIENT_SIDE.test(reason) && SERVER_SIDE.test(reason);
}

/**
 * The name of attempt `attempt` (0 = the first) of the job first named `firstName`: the first
 * name with its operation tag replaced by one derived from the first name and the attempt. So
 * every attempt stays within the request's name prefix (the handler's IAM scope, the listings
 * that find a request's jobs), a duplicate delivery computes the same names, and a Delete
 * finds every attempt from the physical id alone.
 */
export function attemptNameOf(firstName: string, attempt: number): string {
  if (attempt === 0) return firstName;
  const tag = createHash('sha256').update(`${firstName}#${attempt}`).digest('hex').slice(0, OPERATION_TAG_LENGTH);
  return `${firstName.slice(0, firstName.length - OPERATION_TAG_LENGTH)}${tag}`;
}

/**
 * Visits the job first named `firstName` and each retry that followed it: a retry exists only
 * after an attempt that SageMaker failed with an internal error, so the visit stops at the first
 * attempt that did not (a healthy job costs one Describe, as before retries existed), or that is
 * not found. Up to MAX_RETRIES_LIMIT retries, whatever `maxRetries` says now (it may have been lowered).
 */
export async function forEachAttempt(
  firstName: string, visit: (job: JobDescription) => Promise<void>, first?: JobDescription,
): Promise<void> {
  for (let attempt = 0; attempt <= MAX_RETRIES_LIMIT; attempt++) {
    const job = attempt === 0 ? first ?? await describeJob(firstName) : await describeAttempt(attemptNameOf(firstName, attempt));
    if (!job) return;
    await visit(job);
    if (job.CompilationJobStatus !== 'FAILED' || !isServerSideFailure(job.FailureReason)) return;
  }
}

/** The wait after attempt `attempt` (1-based count of failed attempts) before the next. */
export function backOffSeconds(failedAttempts: number): number {
  return RETRY_BACK_OFF_SECONDS * 2 ** (failedAttempts - 1);
}

/** Ended attempts this instance has described: they never change. */
const ended = new Map<string, JobDescription>();

async function describeAttempt(name: string): Promise<JobDescription | undefined> {
  const known = ended.get(name);
  if (known) return known;
  const job = await describeJob(name);
  if (job && ['COMPLETED', 'FAILED', 'STOPPED'].includes(job.CompilationJobStatus!)) ended.set(name, job);
  return job;
}

export interface AttemptContext {
  readonly spec: CompilationJobSpec;
  readonly stackId: string;
  readonly logicalResourceId: string;
  readonly operationStartedAt: number;
  /** Epoch ms: the job's timeout. */
  readonly deadline: number;
  readonly now: number;
}

/**
 * The attempt the poll answers for, given the first attempt as described: the first itself while
 * it runs, completed, or failed for good (no extra call), else the retry that follows it (created
 * here once the back-off has passed). NOT_YET while a retry waits for its back-off or its create;
 * a {@link DeploymentError} quoting every attempt once they are spent.
 */
export async function currentAttempt(first: JobDescription, context: AttemptContext): Promise<JobDescription | IsCompleteResponse> {
  const maxRetries = context.spec.maxRetries ?? DEFAULT_MAX_RETRIES;
  const attempts: JobDescription[] = [first];
  for (;;) {
    const last = attempts[attempts.length - 1];
    if (last.CompilationJobStatus !== 'FAILED' || !isServerSideFailure(last.FailureReason)) {
      return last.CompilationJobStatus === 'FAILED' && attempts.length > 1 ? attemptsFailed(attempts, context.spec) : last;
    }
    // No retries (maxRetries: 0): the one attempt fails in the usual words.
    if (attempts.length > maxRetries) return attempts.length > 1 ? attemptsFailed(attempts, context.spec) : last;
    const nextName = attemptNameOf(first.CompilationJobName!, attempts.length);
    const next = await describeAttempt(nextName);
    if (next) {
      attempts.push(next);
      continue;
    }
    const endedAt = (last.CompilationEndTime ?? last.LastModifiedTime)?.getTime() ?? context.now;
    const retryAt = endedAt + backOffSeconds(attempts.length) * 1000;
    // A retry needs time to run: at least as long as the failed attempt ran, and a minute.
    const ran = Math.max(60_000, endedAt - (last.CreationTime?.getTime() ?? endedAt));
    if (Math.max(retryAt, context.now) + ran > context.deadline) return attemptsFailed(attempts, context.spec, 'no time was left for another attempt within the timeout');
    if (context.now < retryAt) return { IsComplete: false };
    // A retry the quota refused tries every other poll, as a first attempt does (create.ts).
    if (lastRefusal(nextName) !== undefined && !mayTryCreate(nextName, context.operationStartedAt, context.now)) return { IsComplete: false };
    if (!await resourceStillWaiting(context.stackId, context.logicalResourceId, context.operationStartedAt)) {
      throw new DeploymentError(`Compilation job ${nextName} (a retry) was not created: CloudFormation no longer waits for this operation on resource ${context.logicalResourceId}.`);
    }
    console.warn('SageMaker failed the job with an internal error; creating it again', { job: last.CompilationJobName, retry: nextName, reason: last.FailureReason });
    const outcome = await createJob(context.spec, nextName, { operationStartedAt: context.operationStartedAt, inputReady: true });
    if (outcome !== 'exists') return { IsComplete: false };
    const created = await describeAttempt(nextName);
    if (!created) return { IsComplete: false };
    attempts.push(created);
  }
}

/**
 * The job first described as `first` and the retries that followed it, once they have all ended
 * (the long path's result resource: its run created them). Only after a failure: one call more.
 */
export async function attemptsAfter(first: JobDescription): Promise<JobDescription[]> {
  const attempts: JobDescription[] = [first];
  await forEachAttempt(first.CompilationJobName!, async (job) => {
    if (job.CompilationJobName !== first.CompilationJobName) attempts.push(job);
  }, first);
  return attempts;
}

/** The failure of a job SageMaker failed more than once with internal errors (the long path's result). */
export async function retriesFailed(attempts: JobDescription[]): Promise<never> {
  return attemptsFailed(attempts);
}

/** The most of an earlier attempt's reason quoted (the last one's is quoted whole, up to 1,024). */
const EARLIER_REASON_CHARS = 300;

/** The failure after more than one attempt: how many, each one's reason, the last one's log. */
async function attemptsFailed(attempts: JobDescription[], spec?: CompilationJobSpec, why?: string): Promise<never> {
  const last = attempts[attempts.length - 1];
  const quoted = attempts.map((job, i) => {
    const reason = (job.FailureReason ?? 'no reason given').slice(0, i === attempts.length - 1 ? 1024 : EARLIER_REASON_CHARS);
    return `attempt ${i + 1} (${job.CompilationJobName}): ${reason}`;
  });
  const retried = attempts.length <= 1 ? ''
    : ` SageMaker internal errors are retried (maxRetries${spec ? `: ${spec.maxRetries ?? DEFAULT_MAX_RETRIES}` : ''}).`;
  const head = `Compilation job ${attempts[0].CompilationJobName} failed after ${attempts.length} attempt${attempts.length > 1 ? 's' : ''}` +
    `${why ? ` (${why})` : ''}: ${quoted.join('; ')}.${retried}`;
  throw new DeploymentError(withLogTail(head, last.CompilationJobName!, await readLogTail(last.CompilationJobName!)));
}
