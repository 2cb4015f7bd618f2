// The long path: the start resource hands the wait for its job to a Step Functions run, which
// signals the WaitCondition that CloudFormation waits on; retiring a job stops its runs.
import { createHash } from 'crypto';
import type { IsCompleteRequest, IsCompleteResponse } from './cloudformation';
import { attemptNameOf, backOffSeconds } from './retry';
import { runtimeClient } from './runtime-sdk';
import { createRequestOf } from './spec';
import type { CompilationJobAttributes, CompilationJobSpec, LongRunAttributes, LongRunInput, LongRunRetry } from '../../src/private/contract';
import { DEFAULT_MAX_RETRIES, waitConditionTimeoutSeconds } from '../../src/private/contract';
import { NAME_LIMITS } from '../../src/private/limits';

/** The Step Functions client the Lambda runtime ships, loaded on first use (long path only). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sfn = runtimeClient(() => require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn'), (m) => new m.SFNClient({}));

/** Hex digits of a run's own hash, after its job's name. */
const RUN_HASH_LENGTH = 8;

/**
 * One run per job, WaitCondition and CloudFormation operation: `<job name>-<hash of the
 * WaitCondition's logical id and the operation's RequestId>`, at most 63 + 1 + 8 = 72 characters
 * (Step Functions allows 80: NAME_LIMITS.executionName). Starting it again is a no-op, so a poll that repeats (a duplicate
 * delivery, a throttled answer) never starts a second run. The RequestId matters: a WaitCondition
 * logical id comes back with its Spec (tags changed and changed back, a revert to a RETAINed job),
 * and a closed run of the same name would make StartExecution fail with ExecutionAlreadyExists,
 * leaving the new WaitCondition without a run to signal it.
 */
export function runNameOf(jobName: string, waitCondition: string, requestId: string): string {
  return `${jobName}-${createHash('sha256').update(`${waitCondition}|${requestId}`).digest('hex').slice(0, RUN_HASH_LENGTH)}`;
}

/**
 * The SignalResource request a run sends (with Status added by the state machine). Its UniqueId
 * is the run's name, or its last 64 characters when it is longer: CloudFormation takes 1 to 64
 * (NAME_LIMITS.signalUniqueId) and refuses a longer one with a ValidationError, and a run's name
 * reaches 72. The end of the name is the part that is unique per run (the job name's 16-digit hash
 * of the request and operation, then the run's hash), so the UniqueId stays unique per run.
 */
export function signalOf(stackId: string, waitCondition: string, runName: string): LongRunInput['signal'] {
  return { StackName: stackId, LogicalResourceId: waitCondition, UniqueId: runName.slice(-NAME_LIMITS.signalUniqueId.max) };
}

/**
 * Starts the run that waits for the job (created, adopted, or refused by the quota for now) and
 * ends the start resource's operation: CloudFormation now waits on the WaitCondition. After a
 * cache hit (onEvent copied the artifact; `event.Data` has its attributes) no job exists: the run
 * is told so (`cacheHit`), only signals, and carries the attributes for the result resource.
 */
export async function handOff(spec: CompilationJobSpec, event: IsCompleteRequest, operationStartedAt: number): Promise<IsCompleteResponse> {
  const jobName = event.PhysicalResourceId;
  const waitCondition = event.ResourceProperties.WaitCondition!;
  const stateMachineArn = spec.longRun!.stateMachineArn;
  const name = runNameOf(jobName, waitCondition, event.RequestId);
  const deadline = new Date(operationStartedAt + spec.timeoutSeconds * 1000).toISOString();
  const input: LongRunInput = {
    request: createRequestOf(spec, jobName) as LongRunInput['request'],
    deadline,
    signal: signalOf(event.StackId, waitCondition, name),
    // The WaitCondition begins after this operation ends, and times out this long after it begins.
    signalBy: new Date(Date.now() + waitConditionTimeoutSeconds(spec.timeoutSeconds) * 1000).toISOString(),
    ...(event.CacheHit && event.Data
      ? { cacheHit: true, cached: event.Data }
      : { retry: retriesOf(spec, jobName) }),
  };
  const { module, client: sfnClient } = sfn();
  try {
    await sfnClient.send(new module.StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    console.info(input.cacheHit
      ? 'Cache hit: run started to signal the WaitCondition; no job runs'
      : 'Run started; CloudFormation waits on the WaitCondition', { job: jobName, run: name, waitCondition, deadline });
  } catch (error) {
    // Started by an earlier poll (a closed run of this name has signalled its WaitCondition already).
    if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
  }
  const data: LongRunAttributes = { CompilationJobName: jobName, ExecutionArn: executionArnOf(stateMachineArn, name), Deadline: deadline };
  return { IsComplete: true, Data: data };
}

/** The run's retries of a job SageMaker fails with an internal error, as a list of links. */
function retriesOf(spec: CompilationJobSpec, jobName: string): LongRunRetry | undefined {
  let next: LongRunRetry | undefined;
  for (let attempt = spec.maxRetries ?? DEFAULT_MAX_RETRIES; attempt >= 1; attempt--) {
    const request = createRequestOf(spec, attemptNameOf(jobName, attempt)) as LongRunInput['request'];
    next = { request, backOffSeconds: backOffSeconds(attempt), retry: next };
  }
  return next;
}

function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** ListExecutions' errors once the state machine (and the handler's permissions on it) leave the stack. */
const RUNS_GONE: ReadonlySet<string> = new Set(['AccessDeniedException', 'StateMachineDoesNotExist']);

/**
 * Stops the running runs whose names start with one of `jobNames` (each job's runs), so that no run
 * creates a job or signals after its resource is gone. Call before looking for jobs to stop.
 */
export async function stopRuns(spec: CompilationJobSpec, jobNamePrefixes: string[]): Promise<void> {
  if (!spec.longRun || jobNamePrefixes.length === 0) return;
  const { module, client: sfnClient } = sfn();
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await sfnClient.send(new module.ListExecutionsCommand({
        stateMachineArn: spec.longRun.stateMachineArn, statusFilter: 'RUNNING', nextToken,
      }));
    } catch (error) {
      if (!RUNS_GONE.has((error as { name?: string }).name ?? '')) throw error;
      // The stack's last long job was removed or moved to the one-hour path: the update took the
      // handler's states:* statements away and the cleanup deletes the state machine (which ends
      // its runs). Its old start resource's cleanup Delete must still stop and delete its job.
      console.warn('The run state machine is leaving the stack; no run to stop', { error: String(error) });
      return;
    }
    for (const run of page.executions ?? []) {
      if (!jobNamePrefixes.some((prefix) => run.name?.startsWith(prefix))) continue;
      await sfnClient.send(new module.StopExecutionCommand({ executionArn: run.executionArn, cause: 'Its CloudFormation resource was deleted or rolled back.' }));
      console.info('Run stopped', { run: run.name });
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

/**
 * How a run ended (for a job it never created): its error and cause, or, when the start resource
 * started it after a cache hit, the hit's attributes from its input.
 */
export async function runFailure(
  executionArn: string,
): Promise<{ running: boolean; error?: string; cause?: string; cached?: CompilationJobAttributes }> {
  const { module, client: sfnClient } = sfn();
  const run = await sfnClient.send(new module.DescribeExecutionCommand({ executionArn }));
  return { running: run.status === 'RUNNING', error: run.error, cause: run.cause, cached: cachedOf(run.input) };
}

function cachedOf(input: string | undefined): CompilationJobAttributes | undefined {
  if (!input) return undefined;
  try {
    const parsed = JSON.parse(input) as Partial<LongRunInput>;
    return parsed.cacheHit === true && parsed.cached?.CacheHit === 'true' ? parsed.cached : undefined;
  } catch {
    return undefined;
  }
}
