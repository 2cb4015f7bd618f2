// Creating a job: the first CreateCompilationJob of an operation, retried through throttling,
// IAM propagation and the concurrent-job quota, without calling again and again while it waits.
import { CreateCompilationJobCommand } from '@aws-sdk/client-sagemaker';
import { DeploymentError } from './cloudformation';
import { copyInput } from './model-files';
import { isIamPropagation, isInUse, isRetryable, JobDescription, sagemaker } from './sagemaker';
import { canonicalJson, createRequestOf, outputLocationOf } from './spec';
import type { CompilationJobSpec } from '../../src/private/contract';
import { IAM_PROPAGATION_SECONDS, POLL_INTERVAL_SECONDS } from '../../src/private/contract';

/** What became of a create attempt: the job runs, a job of that name exists already, or not yet. */
export type CreateOutcome = 'created' | 'exists' | 'not yet';

export interface CreateContext {
  /** Epoch ms at which the CloudFormation operation started. */
  readonly operationStartedAt: number;
  /** onEvent made the model copy already. */
  readonly inputReady: boolean;
}

/**
 * Creates the job. Never fails on a transient fault or the concurrent-job quota (a later poll tries
 * again), nor, for IAM_PROPAGATION_SECONDS after the operation started, on a role that IAM has not
 * propagated yet; after that, SageMaker's words fail the deployment.
 */
export async function createJob(spec: CompilationJobSpec, jobName: string, context: CreateContext): Promise<CreateOutcome> {
  const now = Date.now();
  try {
    if (spec.inputCopy && !context.inputReady) await copyInput(spec.inputCopy);
    await sagemaker.send(new CreateCompilationJobCommand(createRequestOf(spec, jobName)));
    forgetRefusal(jobName);
    console.info('Compilation job created', { job: jobName });
    return 'created';
  } catch (error) {
    if (isInUse(error)) {
      forgetRefusal(jobName);
      return 'exists';
    }
    const message = String((error as Error).message ?? error);
    if ((error as { name?: string }).name === 'ResourceLimitExceeded') {
      rememberRefusal(jobName, message, now);
      console.info('Waiting for a slot of the concurrent-job quota', { job: jobName });
      return 'not yet';
    }
    if (isRetryable(error)) {
      console.warn('Compilation job not created yet; will retry on the next poll', { job: jobName, error: message });
      return 'not yet';
    }
    if (isIamPropagation(error) && now - context.operationStartedAt < IAM_PROPAGATION_SECONDS * 1000) {
      console.warn('The role is not usable yet (IAM propagates); will retry on the next poll', { job: jobName, error: message });
      return 'not yet';
    }
    if (isIamPropagation(error)) {
      throw new DeploymentError(
        `SageMaker refused to create compilation job ${jobName} for ${IAM_PROPAGATION_SECONDS} seconds: ${(error as Error).name}: ${message}`);
    }
    throw error;
  }
}

/**
 * Fails when the job of this name was not made from this request: job names are derived from the
 * construct and its request, so another tool or stack made it.
 */
export function assertSameRequest(spec: CompilationJobSpec, job: JobDescription): void {
  const differences = differencesFrom(spec, job);
  if (differences.length > 0) {
    throw new DeploymentError(
      `A compilation job named ${job.CompilationJobName} already exists with a different request (${differences.join(', ')}). ` +
      'Job names are derived from the construct and its request, so another tool or stack made it. ' +
      'Delete that job (aws sagemaker delete-compilation-job) or rename the construct.');
  }
}

/** The fields that identify what a job compiles, where to, and as whom. */
function differencesFrom(spec: CompilationJobSpec, job: JobDescription): string[] {
  const request = spec.request;
  // SageMaker may echo the location with a trailing slash.
  const trim = (uri?: string) => uri?.replace(/\/+$/, '');
  const platform = (value?: object) => (value === undefined ? undefined : canonicalJson(value));
  const fields: Array<[string, unknown, unknown]> = [
    ['RoleArn', request.RoleArn, job.RoleArn],
    ['InputConfig.S3Uri', request.InputConfig?.S3Uri, job.InputConfig?.S3Uri],
    ['InputConfig.Framework', request.InputConfig?.Framework, job.InputConfig?.Framework],
    ['ModelPackageVersionArn', request.ModelPackageVersionArn, job.ModelPackageVersionArn],
    ['OutputConfig.S3OutputLocation', outputLocationOf(spec, job.CompilationJobName!), trim(job.OutputConfig?.S3OutputLocation)],
    ['OutputConfig.TargetDevice', request.OutputConfig.TargetDevice, job.OutputConfig?.TargetDevice],
    ['OutputConfig.TargetPlatform', platform(request.OutputConfig.TargetPlatform), platform(job.OutputConfig?.TargetPlatform)],
  ];
  return fields.filter(([, expected, actual]) => (expected ?? undefined) !== (actual ?? undefined)).map(([field]) => field);
}

/**
 * How a job that waits for a slot of the concurrent-job quota polls.
 *
 * Each try costs two calls (is CloudFormation still waiting? then CreateCompilationJob), and
 * without care a waiting job also describes itself on every poll: four calls per poll with the
 * model's copy check, against one for a running job. So a waiting job tries every other poll,
 * half of the waiting jobs on each poll (a freed slot is still taken within a poll), and, once
 * this function instance has seen the quota refuse it, skips the Describe: the polls between its
 * tries make no call at all. This memory is only a hint: an instance that has not seen the job
 * (another instance, a cold start) describes it first. An instance that sees a job of the stack end
 * knows a slot has freed: the waiting jobs it knows try at their next poll.
 */
const refusals = new Map<string, { readonly triedAt: number; readonly message: string }>();
let slotFreedAt = 0;

const POLL_MS = POLL_INTERVAL_SECONDS * 1000;

/** Remembers that the quota refused the job now. */
export function rememberRefusal(jobName: string, message: string, now: number): void {
  refusals.set(jobName, { triedAt: now, message });
}

export function forgetRefusal(jobName: string): void {
  refusals.delete(jobName);
}

/** A job ended: its slot of the quota is free. */
export function noteSlotFreed(now: number): void {
  slotFreedAt = Math.max(slotFreedAt, now);
}

/** SageMaker's last refusal of the job, when this instance saw one. */
export function lastRefusal(jobName: string): string | undefined {
  return refusals.get(jobName)?.message;
}

/**
 * Whether this poll may try to create the job: the first poll of the operation always (the job
 * starts at once), a poll after a slot freed, and otherwise every other poll, by the poll's
 * number since the operation started and the job's name, so half of the waiting jobs try on each.
 */
export function mayTryCreate(jobName: string, operationStartedAt: number, now: number): boolean {
  const refusal = refusals.get(jobName);
  if (refusal && slotFreedAt > refusal.triedAt) return true;
  const poll = Math.round((now - operationStartedAt) / POLL_MS);
  return poll === 0 || (poll + jobName.charCodeAt(jobName.length - 1)) % 2 === 0;
}
