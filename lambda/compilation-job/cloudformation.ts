// What CloudFormation sends the handler, what it says about the resource, and what it shows
// the user: event types, the resource's status, and errors that fit its 4096-byte response.
import { runtimeClient } from './runtime-sdk';
import type { CompilationJobAttributes, CompilationJobResourceProperties, LongRunAttributes } from '../../src/private/contract';
import { COMPILATION_JOB_LOG_GROUP } from '../../src/private/contract';
import type * as events from '../shared/custom-resource';

export { DeploymentError } from '../shared/custom-resource';

export type CreateEvent = events.CreateEvent<CompilationJobResourceProperties>;
export type UpdateEvent = events.UpdateEvent<CompilationJobResourceProperties>;
export type DeleteEvent = events.DeleteEvent<CompilationJobResourceProperties>;
/** What the Provider framework passes to onEvent. */
export type OnEventRequest = events.OnEventRequest<CompilationJobResourceProperties>;

/**
 * onEvent's answer. The framework merges it into the event that the waiter hands to every
 * isComplete poll (and sends CloudFormation only the fields it knows), so the extra field is how
 * onEvent tells the polls when the operation started.
 */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  /** Epoch milliseconds at which onEvent received the operation. */
  readonly OperationStartedAt?: number;
  /** The job's name is new (no job had it): the first poll creates it without describing it first. */
  readonly NewJob?: boolean;
  /** onEvent copied the local model to its `.tar.gz` key. */
  readonly InputReady?: boolean;
  /** This Update rolls back a replacing Update that CloudFormation cancelled: end that update's jobs. */
  readonly RetiresCancelledUpdate?: boolean;
  /** Long path: onEvent stopped the runs this Delete is about; the polls need not list them again. */
  readonly RunsStopped?: boolean;
  /** Compile once: the cache key onEvent looked up; a miss publishes under it. */
  readonly CacheKey?: string;
  /** Compile once: onEvent copied a cached artifact; `Data` has the attributes and no job runs. */
  readonly CacheHit?: boolean;
  /** A cache hit's attributes (the framework hands them to CloudFormation with isComplete's answer). */
  readonly Data?: CompilationJobAttributes;
}

/** What the Provider framework passes to isComplete: the event plus onEvent's response. */
export type IsCompleteRequest = OnEventRequest & OnEventResponse;

export type IsCompleteResponse =
  | { readonly IsComplete: false }
  | { readonly IsComplete: true; readonly Data?: CompilationJobAttributes | LongRunAttributes };

const cloudformationClient = runtimeClient(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation'),
  (m) => new m.CloudFormationClient({}),
);

/** Statuses in which CloudFormation waits for a resource to be created or updated. */
const WAITING = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS']);

/**
 * CloudFormation sets the resource's status before it invokes the provider, so the status of the
 * operation a waiter serves is never newer than onEvent's start; this covers clocks that differ.
 */
const CLOCK_TOLERANCE_MS = 1000;

/**
 * Whether CloudFormation still waits for the operation that started at `operationStartedAt`.
 * The Provider's waiter keeps polling after CloudFormation cancelled a Create or an Update; a job
 * created then would compile unseen. The status alone does not tell: the rollback of a cancelled
 * Update is itself an Update (UPDATE_IN_PROGRESS again), so a status set after this operation
 * started (LastUpdatedTimestamp) belongs to another operation. Asked only before a create; the
 * client is the one the Lambda runtime ships, loaded on first use.
 */
export async function resourceStillWaiting(stackId: string, logicalResourceId: string, operationStartedAt: number): Promise<boolean> {
  const { module: cloudformation, client } = cloudformationClient();
  try {
    const { StackResourceDetail: detail } = await client.send(new cloudformation.DescribeStackResourceCommand({
      StackName: stackId,
      LogicalResourceId: logicalResourceId,
    }));
    const statusSince = detail?.LastUpdatedTimestamp?.getTime() ?? 0;
    return WAITING.has(detail?.ResourceStatus ?? '') && statusSince <= operationStartedAt + CLOCK_TOLERANCE_MS;
  } catch (error) {
    // A stack or resource that is gone waits for nothing; anything else is for the caller.
    if ((error as { name?: string }).name === 'ValidationError') return false;
    throw error;
  }
}


/** Where SageMaker writes a compilation job's logs. */
export function logsLocation(jobName: string): string {
  return `Logs: CloudWatch log group ${COMPILATION_JOB_LOG_GROUP}, log stream ${jobName}.`;
}
