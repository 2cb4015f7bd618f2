/**
 * What the driver reads from the synthesized template rather than assuming: the waiter state
 * machine's Retry (interval, attempts, backoff) and Catch, the handler functions' timeouts and the
 * custom resource's ServiceTimeout. A change in src/private/provider.ts changes the driver too.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CompilationJob, CompilationTarget, DataInputConfig, Framework, ModelInput, TargetDevice } from '../../src';
import { RESOURCE_TYPE } from '../../src/private/contract';

export interface ProviderSettings {
  /** The waiter's Retry: seconds between isComplete attempts, retries after the first, backoff rate. */
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  /** The waiter's Catch goes to the framework's onTimeout. */
  readonly catchesToOnTimeout: boolean;
  /** CloudFormation's ServiceTimeout of the custom resource, seconds. */
  readonly serviceTimeoutSeconds: number;
  /** The isComplete function's timeout: the longest one poll takes, seconds. */
  readonly isCompleteTimeoutSeconds: number;
}

let cached: ProviderSettings | undefined;

/** The settings of the provider as `CompilationJob` synthesizes it (synthesized once per process). */
export function providerSettings(): ProviderSettings {
  if (cached) return cached;
  const stack = new Stack(new App(), 'DriverStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new CompilationJob(stack, 'Job', {
    model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'Models', 'model-bucket'), 'models/model.tar.gz'),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
    target: CompilationTarget.device(TargetDevice.ML_C5),
  });
  const template = Template.fromStack(stack);
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  // The definition is a Fn::Join of JSON text around the functions' ARNs: the numbers are in the text.
  const text = (machine.Properties.DefinitionString['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
  const definition = JSON.parse(text) as { States: Record<string, { Retry?: Array<Record<string, unknown>>; Catch?: Array<{ Next: string }> }> };
  const task = definition.States['framework-isComplete-task'];
  const retry = task.Retry![0];
  const [resource] = Object.values(template.findResources(RESOURCE_TYPE));
  const isComplete = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Handler === 'index.isComplete')!;
  cached = {
    intervalSeconds: retry.IntervalSeconds as number,
    maxAttempts: retry.MaxAttempts as number,
    backoffRate: retry.BackoffRate as number,
    catchesToOnTimeout: task.Catch?.[0]?.Next === 'framework-onTimeout-task',
    serviceTimeoutSeconds: Number(resource.Properties.ServiceTimeout),
    isCompleteTimeoutSeconds: isComplete.Properties.Timeout as number,
  };
  return cached;
}
