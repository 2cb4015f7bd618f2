// What CloudFormation sends the handler, what it says about the resource, and what it shows
// the user: event types, the resource's status, and errors that fit its 4096-byte response.
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { runtimeClient } from './runtime-sdk';
import type { CompilationJobAttributes, CompilationJobResourceProperties, LongRunAttributes } from '../../src/private/contract';
import { COMPILATION_JOB_LOG_GROUP } from '../../src/private/contract';

type WithProps<E> = Omit<E, 'ResourceProperties' | 'OldResourceProperties'> & {
  ResourceProperties: CompilationJobResourceProperties;
};

export type CreateEvent = WithProps<CloudFormationCustomResourceCreateEvent>;
export type UpdateEvent = WithProps<CloudFormationCustomResourceUpdateEvent> & {
  OldResourceProperties: CompilationJobResourceProperties;
};
export type DeleteEvent = WithProps<CloudFormationCustomResourceDeleteEvent>;

/** What the Provider framework passes to onEvent. */
export type OnEventRequest = CreateEvent | UpdateEvent | DeleteEvent;

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

/**
 * An error that reaches CloudFormation as a single line.
 *
 * CloudFormation rejects a custom resource response over 4096 bytes. The Provider framework
 * puts the error message AND the stack trace into the response's Reason, so this error keeps
 * its message on one line and carries no trace: the Reason stays well under the cap even with
 * SageMaker's longest (1024-character) failure reason.
 */
export class DeploymentError extends Error {
  constructor(message: string) {
    // eslint-disable-next-line no-control-regex
    super(fitJson(message.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim(), MAX_MESSAGE_JSON_BYTES));
    this.name = 'DeploymentError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * The message's budget within CloudFormation's 4096 bytes, counted as it travels (UTF-8, JSON
 * escapes). The framework adds the log line and the envelope (ids, ARNs): about 1 KB at most.
 */
const MAX_MESSAGE_JSON_BYTES = 2500;

/** `text`, cut so that its JSON string takes at most `maxBytes` bytes. */
function fitJson(text: string, maxBytes: number): string {
  const size = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');
  if (size(text) <= maxBytes) return text;
  let cut = Array.from(text); // whole code points, never half a surrogate pair
  while (cut.length > 0 && size(`${cut.join('')}...`) > maxBytes) {
    cut = cut.slice(0, Math.floor(cut.length * 0.9));
  }
  return `${cut.join('')}...`;
}

/** Where SageMaker writes a compilation job's logs. */
export function logsLocation(jobName: string): string {
  return `Logs: CloudWatch log group ${COMPILATION_JOB_LOG_GROUP}, log stream ${jobName}.`;
}
