import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import type { CompilationJobAttributes, CompilationJobResourceProperties } from '../../src/private/contract';

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
}

/** What the Provider framework passes to isComplete: the event plus onEvent's response. */
export type IsCompleteRequest = OnEventRequest & OnEventResponse;

export type IsCompleteResponse =
  | { readonly IsComplete: false }
  | { readonly IsComplete: true; readonly Data?: CompilationJobAttributes };
