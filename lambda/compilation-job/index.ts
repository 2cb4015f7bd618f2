// Entry point of the bundle: the onEvent and isComplete handlers of the Provider, for the job's
// resource and, on the long path, its result resource.
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './cloudformation';
import { isComplete as isJobComplete } from './is-complete';
import { onEvent as onJobEvent } from './on-event';
import { isResultComplete, isResultEvent, onResultEvent } from './result';

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  return isResultEvent(event) ? onResultEvent(event) : onJobEvent(event);
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  return isResultEvent(event) ? isResultComplete(event) : isJobComplete(event);
}
