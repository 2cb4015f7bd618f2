// What every handler of the library shares with the Provider framework: its events, typed by the
// resource's properties, and the one error that reaches CloudFormation as the user's message.
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';

type WithProps<E, P> = Omit<E, 'ResourceProperties' | 'OldResourceProperties'> & { ResourceProperties: P };

export type CreateEvent<P> = WithProps<CloudFormationCustomResourceCreateEvent, P>;
export type UpdateEvent<P> = WithProps<CloudFormationCustomResourceUpdateEvent, P> & { OldResourceProperties: P };
export type DeleteEvent<P> = WithProps<CloudFormationCustomResourceDeleteEvent, P>;
/** What the Provider framework passes to onEvent. */
export type OnEventRequest<P> = CreateEvent<P> | UpdateEvent<P> | DeleteEvent<P>;

/**
 * An error that reaches CloudFormation as a single line.
 *
 * CloudFormation rejects a custom resource response over 4096 bytes ("The total size of the
 * response body can't exceed 4096 bytes",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html). The Provider framework
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
export const MAX_MESSAGE_JSON_BYTES = 2500;

/** The bytes `text` takes in the response: UTF-8, as a JSON string (quotes and escapes). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/** `text`, cut so that its JSON string takes at most `maxBytes` bytes. */
export function fitJson(text: string, maxBytes: number): string {
  const size = jsonBytes;
  if (size(text) <= maxBytes) return text;
  let cut = Array.from(text); // whole code points, never half a surrogate pair
  while (cut.length > 0 && size(`${cut.join('')}...`) > maxBytes) {
    cut = cut.slice(0, Math.floor(cut.length * 0.9));
  }
  return `${cut.join('')}...`;
}
