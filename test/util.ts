import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { renderIntrinsics } from '../docs/example/print-requests';
import { CompilationJobSpec, RESOURCE_TYPE } from '../src/private/contract';

export { TINY_ONNX_ARCHIVE as MODEL_ARCHIVE } from '../integ/model/tiny-onnx';

export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The job specs (parsed `Spec` property) of every compilation job resource in the stack, by logical id. */
export function jobSpecs(stack: Stack): Record<string, CompilationJobSpec> {
  const resources = Template.fromStack(stack).findResources(RESOURCE_TYPE);
  return Object.fromEntries(Object.entries(resources).map(([id, r]) =>
    [id, JSON.parse(renderIntrinsics(r.Properties.Spec)) as CompilationJobSpec]));
}

/** The spec of the stack's only compilation job. */
export function onlyJobSpec(stack: Stack): CompilationJobSpec {
  const specs = Object.values(jobSpecs(stack));
  if (specs.length !== 1) throw new Error(`expected one compilation job, found ${specs.length}`);
  return specs[0];
}
