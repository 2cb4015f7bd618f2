import { createHash } from 'crypto';
import { CfnWaitCondition, CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CacheSpec } from './cache-contract';
import {
  CompilationResultSpec, LongRunAttributes, RESULT_RESOURCE_TYPE, waitConditionTimeoutSeconds,
} from './contract';
import { SERVICE_TIMEOUT } from './provider';

/**
 * The WaitCondition CloudFormation waits on (up to 12 hours) while a Step Functions run polls the
 * job; the start resource names it, and it waits for the start resource.
 *
 * A WaitCondition cannot be updated, and once signalled it never waits again: its logical id is a
 * hash of the start resource's Spec, so every change of the request, its tags or its timeout
 * creates a new one (and a new run signals it; a run for a job that has ended already signals at
 * its first poll). The old one is deleted, which does nothing.
 *
 * @param spec the start resource's `Spec` property (a JSON string token)
 */
export function longRunWaitCondition(scope: Construct, spec: string, timeoutSeconds: number): CfnWaitCondition {
  const stack = Stack.of(scope);
  const wait = new CfnWaitCondition(scope, 'Compiled');
  wait.cfnOptions.creationPolicy = {
    resourceSignal: { count: 1, timeout: `PT${waitConditionTimeoutSeconds(timeoutSeconds)}S` },
  };
  const baseId = stack.getLogicalId(wait);
  wait.overrideLogicalId(Lazy.uncachedString({
    produce: () => `${baseId}${createHash('sha256').update(JSON.stringify(stack.resolve(spec))).digest('hex').slice(0, 8)}`,
  }));
  return wait;
}

/**
 * The result resource: after the WaitCondition, it reads the ended job and returns its attributes,
 * or fails the deployment with SageMaker's reason, as the one-hour path does.
 */
export function longRunResult(
  scope: Construct, wait: CfnWaitCondition, start: CustomResource, serviceToken: string, timeoutSeconds: number, cache?: CacheSpec,
): CustomResource {
  // The WaitCondition's timeout starts once the job was created or queued. The construct-level
  // dependency: CfnResource#addDependency is deprecated in aws-cdk-lib 2.278, and its successor
  // addResourceDependency is missing from 2.257.
  wait.node.addDependency(start);
  const attribute = (name: keyof LongRunAttributes) => start.getAttString(name);
  const result: CompilationResultSpec = {
    compilationJobName: attribute('CompilationJobName'),
    executionArn: attribute('ExecutionArn'),
    deadline: attribute('Deadline'),
    timeoutSeconds,
    waitCondition: wait.logicalId,
    cache,
  };
  const resource = new CustomResource(scope, 'Result', {
    serviceToken,
    resourceType: RESULT_RESOURCE_TYPE,
    serviceTimeout: SERVICE_TIMEOUT,
    properties: { Result: Stack.of(scope).toJsonString(result) },
  });
  resource.node.addDependency(wait);
  return resource;
}
