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

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
}

/** What the Provider framework passes to isComplete: the event plus onEvent's response. */
export type IsCompleteRequest = OnEventRequest & OnEventResponse;

export type IsCompleteResponse =
  | { readonly IsComplete: false }
  | { readonly IsComplete: true; readonly Data?: CompilationJobAttributes };
