import type { CompilationJobSpec } from '../../src/private/contract';
import { POLL_INTERVAL_SECONDS } from '../../src/private/contract';

/**
 * Jobs this function instance saw refused by the concurrent-job quota, with SageMaker's words.
 *
 * A job that waits for a slot would otherwise cost four calls per poll (is it there? is
 * CloudFormation still waiting? is the model copied? create it). This memory lets a waiting job
 * skip the Describe and try to create itself only every other poll, half of the waiting jobs on
 * each poll, so a freed slot is still taken within one poll. It is only a hint: a Lambda instance
 * that has not seen the job (another instance, a cold start) describes it first, as before.
 */
const refusals = new Map<string, { readonly triedAt: number; readonly message: string }>();

const POLL_MS = POLL_INTERVAL_SECONDS * 1000;

/** Remembers that the quota refused the job now. */
export function rememberRefusal(jobName: string, message: string, now: number): void {
  // The first refusal puts half of the jobs one poll ahead, so that they take turns.
  const phase = refusals.has(jobName) || jobName.charCodeAt(jobName.length - 1) % 2 === 0 ? 0 : POLL_MS;
  refusals.set(jobName, { triedAt: now - phase, message });
}

export function forgetRefusal(jobName: string): void {
  refusals.delete(jobName);
}

/** SageMaker's last refusal of the job, when this instance saw one. */
export function lastRefusal(jobName: string): string | undefined {
  return refusals.get(jobName)?.message;
}

/** True when the job is known to wait for the quota and this poll is not its turn to try. */
export function restingThisPoll(jobName: string, now: number): boolean {
  const refusal = refusals.get(jobName);
  return refusal !== undefined && now - refusal.triedAt < 1.5 * POLL_MS;
}

/** The quota's advice, for a job that waited for a slot until its deadline. */
export function quotaAdvice(spec: CompilationJobSpec): string {
  return `Every slot of the account's quota of concurrent compilation jobs (ResourceLimitExceeded) stayed taken for ${spec.timeoutSeconds} seconds. ` +
    'Ask for a higher "Number of concurrent compilation jobs" in Service Quotas (SageMaker), deploy fewer jobs at once ' +
    '(spread them over stacks or add dependencies between them), or raise the construct\'s `timeout`.';
}
