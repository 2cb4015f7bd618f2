// The component version handler: onEvent chooses the version (or takes the stated one), the first
// isComplete poll creates it when it is new, and the polls wait until Greengrass can deploy it.
import { createHash } from 'crypto';
import { createVersion, isConflict, isNotFound, isRetryable, listVersions, recipeOf, statusOf } from './greengrass';
import { artifactUris, newestOf, nextPatch, recipeDifference, sameRecipe, withVersion } from './versions';
import type { ComponentVersionAttributes, ComponentVersionResourceProperties, ComponentVersionSpec } from '../../src/private/edge/component-contract';
import { FIRST_COMPONENT_VERSION } from '../../src/private/edge/component-contract';
import type * as events from '../shared/custom-resource';
import { DeploymentError } from '../shared/custom-resource';

export type CreateEvent = events.CreateEvent<ComponentVersionResourceProperties>;
export type UpdateEvent = events.UpdateEvent<ComponentVersionResourceProperties>;
export type DeleteEvent = events.DeleteEvent<ComponentVersionResourceProperties>;
export type OnEventRequest = events.OnEventRequest<ComponentVersionResourceProperties>;

/** onEvent's answer; the framework hands it to every poll with the event. */
export interface OnEventResponse {
  /** The version's ARN. */
  readonly PhysicalResourceId: string;
  readonly ComponentVersion?: string;
  /** The version does not exist yet: the first poll creates it. */
  readonly CreateVersion?: boolean;
}
export type IsCompleteRequest = OnEventRequest & OnEventResponse;
export type IsCompleteResponse = { readonly IsComplete: false } | { readonly IsComplete: true; readonly Data?: ComponentVersionAttributes };

function specOf(event: OnEventRequest): ComponentVersionSpec {
  return JSON.parse(event.ResourceProperties.Spec) as ComponentVersionSpec;
}

const versionArn = (spec: ComponentVersionSpec, version: string) => `${spec.componentArn}:versions:${version}`;

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  // Versions are never deleted (docs/greengrass.md, "Versions"): a deleted number could be published again with
  // other artifacts, and devices that installed it would then hold two models under one version.
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const spec = specOf(event);
  const current = event.RequestType === 'Update' ? await keptVersion(spec, event.PhysicalResourceId) : undefined;
  return current ?? (spec.componentVersion ? statedVersion(spec, spec.componentVersion) : chosenVersion(spec));
}

/**
 * The version the resource has, when it still fits: the same recipe (and the stated version, if
 * any). Covers an update that changed nothing the devices get, and the rollback of an update
 * CloudFormation cancelled (an Update back to the old properties, with the old version's ARN).
 */
async function keptVersion(spec: ComponentVersionSpec, physicalId: string): Promise<OnEventResponse | undefined> {
  const prefix = `${spec.componentArn}:versions:`;
  if (!physicalId.startsWith(prefix)) return undefined;
  const version = physicalId.slice(prefix.length);
  if (spec.componentVersion && spec.componentVersion !== version) return undefined;
  return await reusable(spec, physicalId) ? { PhysicalResourceId: physicalId, ComponentVersion: version, CreateVersion: false } : undefined;
}

/**
 * Whether an existing version can serve this recipe: the same recipe in everything that reaches a
 * device (versions.ts, recipeDifference), and not FAILED (a version Greengrass refused stays FAILED;
 * reusing it would fail every deployment after it).
 */
async function reusable(spec: ComponentVersionSpec, arn: string): Promise<boolean> {
  const stored = await recipeOf(arn);
  return stored !== undefined && sameRecipe(stored, spec.recipe) && (await statusOf(arn))?.componentState !== 'FAILED';
}

/**
 * The stated version: reused when its recipe is this one, created when it does not exist, else an
 * error. A FAILED version is an error at once: it can never be created again (ConflictException),
 * and Greengrass may not return its recipe at all.
 */
async function statedVersion(spec: ComponentVersionSpec, version: string): Promise<OnEventResponse> {
  const arn = versionArn(spec, version);
  const stored = await recipeOf(arn);
  const failed = await failedStatus(arn);
  if (failed !== undefined) throw new DeploymentError(failedMessage(spec, version, failed));
  if (stored && !sameRecipe(stored, spec.recipe)) throw new DeploymentError(conflictMessage(spec, version, stored, true));
  return { PhysicalResourceId: arn, ComponentVersion: version, CreateVersion: !stored };
}

/** The status message of a version that exists in state FAILED; undefined when it does not exist or did not fail. */
async function failedStatus(arn: string): Promise<string | undefined> {
  try {
    const status = await statusOf(arn);
    return status?.componentState === 'FAILED' ? (status.message ?? 'FAILED') : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function failedMessage(spec: ComponentVersionSpec, version: string, reason: string): string {
  return `Greengrass component ${spec.componentName} version ${version} exists in state FAILED (${reason}). ` +
    'A FAILED version stays and cannot be published again: raise componentVersion, or omit it to let the deployment choose the next patch version.';
}

/** No stated version: the newest when it carries these artifacts, else the next patch after it (GDK's NEXT_PATCH). */
async function chosenVersion(spec: ComponentVersionSpec): Promise<OnEventResponse> {
  let versions: string[] = [];
  try {
    versions = await listVersions(spec.componentArn);
  } catch (error) {
    if (!isNotFound(error)) throw error; // a component without versions does not exist
  }
  const newest = newestOf(versions);
  if (newest && await reusable(spec, versionArn(spec, newest))) {
    return { PhysicalResourceId: versionArn(spec, newest), ComponentVersion: newest, CreateVersion: false };
  }
  const version = newest ? nextPatch(newest) : FIRST_COMPONENT_VERSION;
  if (version === undefined) {
    throw new DeploymentError(`Greengrass component ${spec.componentName}: the next patch after its newest version ${newest} would be longer than ` +
      'the 64 characters Greengrass takes. State componentVersion.');
  }
  return { PhysicalResourceId: versionArn(spec, version), ComponentVersion: version, CreateVersion: true };
}

function conflictMessage(spec: ComponentVersionSpec, version: string, stored: ComponentVersionSpec['recipe'], stated: boolean): string {
  const where = recipeDifference(stored, spec.recipe) ?? 'recipe';
  const what = `Greengrass component ${spec.componentName} version ${version} exists already with another recipe (it differs at ${where}; ` +
    `its artifacts: ${artifactUris(stored).join(', ') || 'none'}; this deployment ships ${artifactUris(spec.recipe).join(', ')}). ` +
    'Component versions are immutable, so it was left unchanged.';
  return stated
    ? `${what} Raise componentVersion, or omit it to let the deployment choose the next patch version.`
    : `${what} Another deployment published it meanwhile: deploy again to get the next patch version.`;
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const spec = specOf(event);
  const arn = event.PhysicalResourceId;
  const version = event.ComponentVersion!;
  try {
    const stored = await recipeOf(arn);
    if (!stored) {
      if (!event.CreateVersion) throw new DeploymentError(`Greengrass component ${spec.componentName} version ${version} was deleted during the deployment. Deploy again.`);
      await createVersion(withVersion(spec.recipe, version), clientToken(event, version)).catch((error: Error) => {
        if (isRetryable(error) || isConflict(error)) throw error;
        // e.g. ValidationException: "... {s3://... = Specified artifact resource cannot be accessed}"
        throw new DeploymentError(`Greengrass refused component ${spec.componentName} version ${version}: ${error.name}: ${error.message}`);
      });
    } else if (!sameRecipe(stored, spec.recipe)) {
      // Created by someone else between onEvent and this poll (ConflictException on our create).
      throw new DeploymentError(conflictMessage(spec, version, stored, spec.componentVersion !== undefined));
    }
    const status = await statusOf(arn);
    switch (status?.componentState) {
      case 'DEPLOYABLE':
        return { IsComplete: true, Data: { Arn: arn, ComponentName: spec.componentName, ComponentVersion: version } };
      case 'FAILED':
        throw new DeploymentError(`Greengrass could not create component ${spec.componentName} version ${version}: ${status.message ?? 'FAILED'}` +
          `${status.errors && Object.keys(status.errors).length > 0 ? ` ${JSON.stringify(status.errors)}` : ''}` +
          (spec.componentVersion ? ' A FAILED version stays: raise componentVersion (or omit it) after fixing the cause.' : ''));
      case 'DEPRECATED':
        throw new DeploymentError(`Greengrass component ${spec.componentName} version ${version} is deprecated: state another componentVersion.`);
      default: // REQUESTED, INITIATED: Greengrass is still checking the recipe and its artifacts
        return { IsComplete: false };
    }
  } catch (error) {
    if (isConflict(error)) {
      // A version exists that this poll could not read: FAILED ones may hide their recipe. It will
      // never be ours, so say so now instead of polling until the deployment times out.
      const failed = await failedStatus(arn).catch((e: unknown) => {
        if (isRetryable(e)) return undefined;
        throw e;
      });
      if (failed !== undefined) throw new DeploymentError(failedMessage(spec, version, failed));
      return { IsComplete: false }; // a create that lost a race: the next poll compares what was created
    }
    if (isRetryable(error)) return { IsComplete: false };
    throw error;
  }
}

/** The same for every poll and every delivery of one operation (CreateComponentVersion's clientToken: [a-zA-Z0-9-], at most 64). */
function clientToken(event: IsCompleteRequest, version: string): string {
  return createHash('sha256').update(`${event.StackId}|${event.LogicalResourceId}|${event.RequestId}|${version}`).digest('hex');
}
