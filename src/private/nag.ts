import { Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';

/**
 * Records why a cdk-nag AwsSolutions finding on `construct` (and its children) is expected, so
 * users who run cdk-nag see the library's reasons instead of findings. README lists them all.
 *
 * One metadata entry per construct, updated in place: `Validations.acknowledge` (and the copy
 * this function made before) adds a new entry holding every earlier acknowledgement, so a role
 * shared by N jobs wrote N entries of up to N ids each into `<stack>.metadata.json` (87 MB at
 * 366 jobs). Both readers take the union of a construct's entries: cdk-nag 3's `isAcknowledged`
 * and aws-cdk-lib's synthesis (`collectAcknowledgedRuleIds`) go through every entry of the type.
 * The id is written as cdk-nag names the finding: `Validations.acknowledge` would reject ids
 * with several '::', as an ARN with `<AWS::Partition>` has (cdk-nag issue 2351).
 */
export function acknowledgeNag(construct: IConstruct, rule: string, reason: string): void {
  const id = `AwsSolutions-${rule}`;
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const entry = construct.node.metadata.find((candidate) => candidate.type === key && candidate.data);
  if (entry) {
    (entry.data as Record<string, string>)[id] = reason;
  } else {
    construct.node.addMetadata(key, { [id]: reason }, { stackTrace: false });
  }
}

/**
 * Acknowledges AwsSolutions-IAM5 for exactly these wildcard resources of `construct`'s policies.
 * cdk-nag names each finding after the resource, written with `<Logical.Attr>` for intrinsics;
 * acknowledging the findings one by one keeps every other wildcard reported.
 */
export function acknowledgeWildcardResources(construct: IConstruct, resources: string[], reason: string): void {
  const stack = Stack.of(construct);
  for (const resource of resources) {
    acknowledgeNag(construct, `IAM5[Resource::${flatten(stack.resolve(resource))}]`, reason);
  }
}

/** A resolved CloudFormation value as cdk-nag writes it in a finding id. */
function flatten(value: any): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value['Fn::Join']) return (value['Fn::Join'][1] as unknown[]).map(flatten).join(value['Fn::Join'][0]);
  if (value['Fn::Sub'] !== undefined) return flatten(value['Fn::Sub']);
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'].map(flatten).join('.')}>`;
  if (value.Ref !== undefined) return `<${flatten(value.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * Findings on a Provider framework's own resources, which this library cannot configure further:
 * its functions' runtime, its waiter's logging and tracing, and invoking any version of a function.
 * `frameworkRoles` are the roles given to the framework's functions.
 */
export function acknowledgeProviderFramework(provider: cr.Provider, handlers: lambda.IFunction[], frameworkRoles: IConstruct[]): void {
  const anyVersionOf = (fn: lambda.IFunction) => `${fn.functionArn}:*`;
  const invokeReason = 'The Provider framework may invoke any version of its functions (<function ARN>:*).';
  for (const role of frameworkRoles) acknowledgeWildcardResources(role, handlers.map(anyVersionOf), invokeReason);
  const frameworkFunctions = ['onEvent', 'isComplete', 'onTimeout'].map((name) => provider.node.findChild(`framework-${name}`) as lambda.Function);
  for (const fn of frameworkFunctions) {
    acknowledgeNag(fn, 'L1', 'The Provider framework\'s own function; aws-cdk-lib chooses its runtime.');
  }
  const waiter = provider.node.findChild('waiter-state-machine');
  acknowledgeWildcardResources(waiter, frameworkFunctions.slice(1).map(anyVersionOf), invokeReason);
  acknowledgeNag(waiter, 'SF1', 'The Provider framework\'s waiter polls every 5 seconds; logging ALL events would log each poll. Its failures reach CloudFormation and the handler logs.');
  acknowledgeNag(waiter, 'SF2', 'The Provider framework\'s waiter has no X-Ray tracing option.');
}
