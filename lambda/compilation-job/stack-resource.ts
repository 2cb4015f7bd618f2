import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';

type CloudFormationModule = typeof import('@aws-sdk/client-cloudformation');
let cloudformation: CloudFormationModule | undefined;
let client: CloudFormationClient | undefined;

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
  // require, not import(): ESM resolution ignores NODE_PATH, where Lambda puts its SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cloudformation ??= require('@aws-sdk/client-cloudformation') as CloudFormationModule;
  client ??= new cloudformation.CloudFormationClient({});
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
