/**
 * The contract between EdgeModelComponent and its component version handler
 * (lambda/component-version/), which imports this file with `import type` only.
 */

/** CloudFormation type of the custom resource that publishes (or reuses) a component version. */
export const COMPONENT_VERSION_RESOURCE_TYPE = 'Custom::SageMakerNeoComponentVersion';

/** Properties of the custom resource as the handler receives them (one JSON string, see contract.ts). */
export interface ComponentVersionResourceProperties {
  readonly ServiceToken: string;
  /** JSON of a {@link ComponentVersionSpec}. */
  readonly Spec: string;
}

/** A Greengrass recipe (JSON form), as the construct builds it. */
export type GreengrassRecipe = { readonly [key: string]: unknown };

/** What the handler publishes. */
export interface ComponentVersionSpec {
  /** `arn:<partition>:greengrass:<region>:<account>:components:<name>` (no version). */
  readonly componentArn: string;
  readonly componentName: string;
  /**
   * The version the user states. Absent: the handler chooses (the newest existing version when its
   * recipe is this one in everything that reaches a device, else the next patch after the newest).
   */
  readonly componentVersion?: string;
  /** The recipe; the handler sets `ComponentVersion`. */
  readonly recipe: GreengrassRecipe;
}

/** What the resource returns (`Fn::GetAtt` names). */
export interface ComponentVersionAttributes {
  /** The component version's ARN. */
  readonly Arn: string;
  readonly ComponentName: string;
  readonly ComponentVersion: string;
}

/** The version of a component's first publication when nobody states one (as GDK's NEXT_PATCH starts). */
export const FIRST_COMPONENT_VERSION = '1.0.0';

/** Seconds between polls for the new version's status (it turns DEPLOYABLE within seconds). */
export const COMPONENT_POLL_SECONDS = 5;
/** How long a deployment waits for Greengrass to accept a version. */
export const COMPONENT_WAIT_SECONDS = 15 * 60;
