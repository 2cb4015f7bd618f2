/**
 * What the driver reads from the synthesized template rather than assuming: the waiter state
 * machine's Retry (interval, attempts, backoff) and Catch, the handler functions' timeouts and the
 * custom resource's ServiceTimeout. A change in src/private/provider.ts (or component-version.ts)
 * changes the driver too.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CompilationJob, CompilationTarget, DataInputConfig, EdgeModelComponent, Framework, ModelInput, TargetDevice } from '../../src';
import { RESOURCE_TYPE } from '../../src/private/contract';
import { COMPONENT_VERSION_RESOURCE_TYPE } from '../../src/private/edge/component-contract';

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
let cachedComponent: ProviderSettings | undefined;

/** The settings of the provider as `CompilationJob` synthesizes it (synthesized once per process). */
export function providerSettings(): ProviderSettings {
  cached ??= settingsOf(synthesize(), 'SageMakerNeoCompilationJobProvider', RESOURCE_TYPE);
  return cached;
}

/** The settings of the component version provider as `EdgeModelComponent` synthesizes it. */
export function componentProviderSettings(): ProviderSettings {
  cachedComponent ??= settingsOf(synthesize(true), 'SageMakerNeoComponentVersionProvider', COMPONENT_VERSION_RESOURCE_TYPE);
  return cachedComponent;
}

function synthesize(withComponent = false): Template {
  const stack = new Stack(new App(), 'DriverStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const job = new CompilationJob(stack, 'Job', {
    model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'Models', 'model-bucket'), 'models/model.tar.gz'),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
    target: CompilationTarget.device(withComponent ? TargetDevice.RASP4B : TargetDevice.ML_C5),
  });
  // rasp4b runs a 32-bit or a 64-bit OS: its platform must be given.
  if (withComponent) new EdgeModelComponent(stack, 'Component', { compilationJob: job, componentName: 'com.example.Model', platform: { os: 'linux', architecture: 'arm' } });
  return Template.fromStack(stack);
}

/** The waiter, functions and resource of the provider whose logical ids start with `providerId`. */
function settingsOf(template: Template, providerId: string, resourceType: string): ProviderSettings {
  const ofProvider = <T>(resources: Record<string, T>) => Object.entries(resources).filter(([id]) => id.startsWith(providerId)).map(([, r]) => r);
  const [machine] = ofProvider(template.findResources('AWS::StepFunctions::StateMachine'));
  // The definition is a Fn::Join of JSON text around the functions' ARNs: the numbers are in the text.
  const text = (machine.Properties.DefinitionString['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
  const definition = JSON.parse(text) as { States: Record<string, { Retry?: Array<Record<string, unknown>>; Catch?: Array<{ Next: string }> }> };
  const task = definition.States['framework-isComplete-task'];
  const retry = task.Retry![0];
  const [resource] = Object.values(template.findResources(resourceType));
  const isComplete = ofProvider(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Handler === 'index.isComplete')!;
  return {
    intervalSeconds: retry.IntervalSeconds as number,
    maxAttempts: retry.MaxAttempts as number,
    backoffRate: retry.BackoffRate as number,
    catchesToOnTimeout: task.Catch?.[0]?.Next === 'framework-onTimeout-task',
    serviceTimeoutSeconds: Number(resource.Properties.ServiceTimeout),
    isCompleteTimeoutSeconds: isComplete.Properties.Timeout as number,
  };
}
