import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';

type CloudFormationModule = typeof import('@aws-sdk/client-cloudformation');
let cloudformation: CloudFormationModule | undefined;
let client: CloudFormationClient | undefined;

/** Statuses in which CloudFormation still waits for this resource to be created or updated. */
const WAITING = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS']);

/**
 * Whether CloudFormation still waits for this resource. The Provider's waiter keeps polling after
 * CloudFormation cancelled a Create (and even after the Delete that followed); a job created then
 * would compile unseen. Asked only before a late create, so the usual path never pays for it; the
 * client is the one the Lambda runtime ships, loaded on first use.
 */
export async function resourceStillWaiting(stackId: string, logicalResourceId: string): Promise<boolean> {
  // require, not import(): ESM resolution ignores NODE_PATH, where Lambda puts its SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cloudformation ??= require('@aws-sdk/client-cloudformation') as CloudFormationModule;
  client ??= new cloudformation.CloudFormationClient({});
  try {
    const { StackResourceDetail: detail } = await client.send(new cloudformation.DescribeStackResourceCommand({
      StackName: stackId,
      LogicalResourceId: logicalResourceId,
    }));
    return WAITING.has(detail?.ResourceStatus ?? '');
  } catch (error) {
    // A stack or resource that is gone waits for nothing; anything else is for the caller.
    if ((error as { name?: string }).name === 'ValidationError') return false;
    throw error;
  }
}
