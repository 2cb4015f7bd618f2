import type { CompilationJobSpec } from '../../src/private/contract';
import { POLL_INTERVAL_SECONDS } from '../../src/private/contract';

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

/** The quota's advice, for a job that waited for a slot until its deadline. */
export function quotaAdvice(spec: CompilationJobSpec): string {
  return `Every slot of the account's quota of concurrent compilation jobs (ResourceLimitExceeded) stayed taken for ${spec.timeoutSeconds} seconds. ` +
    'Ask for a higher "Number of concurrent compilation jobs" in Service Quotas (SageMaker), deploy fewer jobs at once ' +
    '(spread them over stacks or add dependencies between them), or raise the construct\'s `timeout`.';
}
