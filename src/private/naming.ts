import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MAX_JOB_NAME_PREFIX_LENGTH } from './contract';

/** Readable characters of the stack's part of every job name. */
const STACK_NAME_PART_LENGTH = 20;
/** Hex digits of the hash of the stack's name that end the stack's part. */
const STACK_HASH_LENGTH = 8;

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
 * The part every job name of a stack starts with: `<stack name, letters and digits only>-<hash of
 * the stack name>`. The handler's SageMaker permissions are scoped to `compilation-job/<this>-*`:
 * the readable part has no '-', so the first '-' ends it, and the hash differs for every stack
 * name, so no stack's scope covers another stack's jobs, whatever their names.
 */
export function stackJobNamePrefix(stack: Stack): string {
  // A stack name may be a token (e.g. in some pipelines); fall back to the stack's path.
  const name = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const readable = name.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, STACK_NAME_PART_LENGTH) || 'neo';
  const hash = createHash('sha256').update(name).digest('hex').slice(0, STACK_HASH_LENGTH);
  return `${readable}-${hash}`;
}

/** `<stack prefix>-<construct id>`, at most MAX_JOB_NAME_PREFIX_LENGTH characters. */
export function jobNamePrefix(construct: IConstruct): string {
  const stackPrefix = stackJobNamePrefix(Stack.of(construct));
  const room = MAX_JOB_NAME_PREFIX_LENGTH - stackPrefix.length - 1;
  // Readability only: uniqueness comes from the hash the handler appends (construct address + request).
  const idPart = sanitizeNamePart(construct.node.id, room);
  return idPart ? `${stackPrefix}-${idPart}` : stackPrefix;
}
