// The Greengrass v2 calls of the handler, on the client the Lambda Node.js runtime ships (external
// to the bundle). API reference: https://docs.aws.amazon.com/greengrass/v2/APIReference/
import {
  CreateComponentVersionCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  GreengrassV2Client,
  ListComponentVersionsCommand,
} from '@aws-sdk/client-greengrassv2';
import type { CloudComponentStatus } from '@aws-sdk/client-greengrassv2';
import type { GreengrassRecipe } from '../../src/private/edge/component-contract';
import { errorName, isTransientSdkError } from '../shared/sdk-errors';

/**
 * One client per Lambda container. onEvent decides the version in one invocation, so throttling
 * there is retried by the SDK a few more times than its default 3 attempts.
 */
export const greengrass = new GreengrassV2Client({ maxAttempts: 6 });

export const isNotFound = (error: unknown) => errorName(error) === 'ResourceNotFoundException';
/** CreateComponentVersion: the version exists already (API_CreateComponentVersion.html, Errors). */
export const isConflict = (error: unknown) => errorName(error) === 'ConflictException';

/** Throttling, 5xx, network faults, and a create still running under the same client token. */
export function isRetryable(error: unknown): boolean {
  return errorName(error) === 'RequestAlreadyInProgressException' || isTransientSdkError(error);
}

/** Every version of the component (ListComponentVersions, all pages); none when the component does not exist. */
export async function listVersions(componentArn: string): Promise<string[]> {
  const versions: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await greengrass.send(new ListComponentVersionsCommand({ arn: componentArn, maxResults: 100, nextToken }));
    versions.push(...(page.componentVersions ?? []).map((v) => v.componentVersion!).filter(Boolean));
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  return versions;
}

/** The stored recipe of a version (GetComponent returns it as a blob), or undefined when no such version exists. */
export async function recipeOf(versionArn: string): Promise<GreengrassRecipe | undefined> {
  try {
    const { recipe } = await greengrass.send(new GetComponentCommand({ arn: versionArn, recipeOutputFormat: 'JSON' }));
    return JSON.parse(Buffer.from(recipe ?? []).toString('utf8')) as GreengrassRecipe;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function statusOf(versionArn: string): Promise<CloudComponentStatus | undefined> {
  const { status } = await greengrass.send(new DescribeComponentCommand({ arn: versionArn }));
  return status;
}

/**
 * Creates a version from the recipe. The client token makes a repeated request (a duplicate
 * delivery, a poll retried after a timeout) the same request: Greengrass answers it with the
 * first one's result instead of a conflict.
 */
export async function createVersion(recipe: GreengrassRecipe, clientToken: string): Promise<void> {
  await greengrass.send(new CreateComponentVersionCommand({
    inlineRecipe: Buffer.from(JSON.stringify(recipe), 'utf8'),
    clientToken,
  }));
}
