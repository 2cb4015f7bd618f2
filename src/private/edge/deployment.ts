import { IResolvable, IResolveContext, Lazy, Token } from 'aws-cdk-lib';
import type * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';

/*
 * A thing group has one deployment: a new one for the same target replaces it, and its devices
 * remove every component it lacks (https://docs.aws.amazon.com/greengrass/v2/developerguide/revise-deployments.html).
 * So the model component joins the user's deployment, and nothing the user wrote may be lost.
 *
 * `components` may be a plain map, or a token: a Lazy, an Fn::If (one map per branch), or anything
 * else. A property override cannot serve tokens: aws-cdk-lib's deepMerge replaces an intrinsic
 * (an object whose one key starts with 'Fn::' or is 'Ref') with `{}` before it merges, so
 * an Fn::If would lose every branch. Instead the property becomes a Lazy that resolves the user's
 * value at synth and adds the entry to each map it finds.
 */

type Spec = greengrassv2.CfnDeployment.ComponentDeploymentSpecificationProperty;

/** Adds `name: entry` to the deployment's components; throws where the user's value has an entry of that name or cannot take one. */
export function addDeploymentEntry(deployment: greengrassv2.CfnDeployment, name: string, entry: Spec, who: string): void {
  const components = deployment.components;
  const refuse = (why: string) => new Error(`Cannot add component '${name}' (${who}) to deployment ${deployment.node.path}: ${why}`);
  if (components === undefined || !Token.isUnresolved(components)) {
    const existing = (components ?? {}) as Record<string, unknown>;
    if (name in existing) throw refuse('its components already have an entry of that name; remove it, addToDeployment writes the entry');
    deployment.components = { ...existing as Record<string, Spec>, [name]: entry };
    return;
  }
  // The L1 maps a resolved map's entries to CloudFormation casing, but leaves an intrinsic (such as
  // an Fn::If) as it is (aws-cdk-lib core/lib/runtime.js: hashMapper skips what canInspect refuses),
  // so the entry goes into a top-level map as written and into an Fn::If's branches in CloudFormation casing.
  const cfnEntry = {
    ComponentVersion: entry.componentVersion,
    ...(entry.configurationUpdate ? { ConfigurationUpdate: cfnUpdate(entry.configurationUpdate) } : {}),
  };
  const original = components;
  deployment.components = Lazy.uncachedAny({
    produce: (context: IResolveContext) => mergeInto(context.resolve(original), name, entry, cfnEntry, refuse),
  });
}

/** The entry added to every map `value` can resolve to (both branches of an Fn::If, and nested ones). */
function mergeInto(value: unknown, name: string, entry: object, cfnEntry: object, refuse: (why: string) => Error): unknown {
  if (value === undefined || isNoValue(value)) return { [name]: entry };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse(`its components resolve to ${JSON.stringify(value)}, not a map`);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Fn::If') {
    const [condition, whenTrue, whenFalse] = (value as { 'Fn::If': unknown[] })['Fn::If'];
    const branch = (v: unknown) => mergeInto(v, name, cfnEntry, cfnEntry, refuse);
    return { 'Fn::If': [condition, branch(whenTrue), branch(whenFalse)] };
  }
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    throw refuse(`its components are ${keys[0]}, known only at deploy time, so the entry cannot be added without replacing them; `
      + 'give components as a map, a Lazy of a map or an Fn::If of maps, or write the entry yourself with deploymentEntry()');
  }
  if (name in value) throw refuse('its components already have an entry of that name; remove it, addToDeployment writes the entry');
  return { ...value, [name]: entry };
}

function isNoValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { Ref?: unknown }).Ref === 'AWS::NoValue';
}

/** The CloudFormation casing of a configuration update (the L1's mapping does not reach into a token). */
function cfnUpdate(update: greengrassv2.CfnDeployment.ComponentConfigurationUpdateProperty | IResolvable): object {
  if (Token.isUnresolved(update)) return update;
  const plain = update as greengrassv2.CfnDeployment.ComponentConfigurationUpdateProperty;
  return {
    ...(plain.merge !== undefined ? { Merge: plain.merge } : {}),
    ...(plain.reset !== undefined ? { Reset: plain.reset } : {}),
  };
}
