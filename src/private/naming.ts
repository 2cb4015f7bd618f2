import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MAX_JOB_NAME_PREFIX_LENGTH } from './contract';

/** Characters of the stack's part of every job name; also the scope of the handler's IAM policy. */
const STACK_PREFIX_LENGTH = 20;

/**
 * Turns any text into something a SageMaker job name accepts: `[a-zA-Z0-9](-*[a-zA-Z0-9])*`.
 * Lower case, because SageMaker writes job ARNs in lower case and IAM compares them
 * case-sensitively: the handler's `compilation-job/<prefix>*` policy must match them.
 */
export function sanitizeNamePart(text: string, maxLength: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
}

/**
 * The part every job name of a stack starts with. The handler's SageMaker permissions are
 * scoped to `compilation-job/<this>*`.
 */
export function stackJobNamePrefix(stack: Stack): string {
  // A stack name may be a token (e.g. in some pipelines); fall back to the stack's path.
  const name = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  return sanitizeNamePart(name, STACK_PREFIX_LENGTH) || 'neo';
}

/** `<stack prefix>-<construct id>`, at most MAX_JOB_NAME_PREFIX_LENGTH characters. */
export function jobNamePrefix(construct: IConstruct): string {
  const stackPrefix = stackJobNamePrefix(Stack.of(construct));
  const room = MAX_JOB_NAME_PREFIX_LENGTH - stackPrefix.length - 1;
  // Readability only: uniqueness comes from the hash the handler appends (construct address + request).
  const idPart = sanitizeNamePart(construct.node.id, room);
  return idPart ? `${stackPrefix}-${idPart}` : stackPrefix;
}
