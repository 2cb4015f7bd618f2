import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CompilationJobSpec, RESOURCE_TYPE } from '../src/private/contract';

export const MODEL_ARCHIVE = path.join(__dirname, '..', 'integ', 'model', 'model.tar.gz');

export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/**
 * Turns a synthesized string (plain, or an Fn::Join of literals and intrinsics) into text, writing
 * each intrinsic as a readable placeholder: `${Ref:Logical}` or `${GetAtt:Logical.Attr}`.
 */
export function renderIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return `\${Ref:${v.Ref}}`;
  if (v['Fn::GetAtt']) return `\${GetAtt:${v['Fn::GetAtt'].join('.')}}`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(renderIntrinsics).join(v['Fn::Join'][0]);
  if (v['Fn::Select'] || v['Fn::Split']) return `\${${JSON.stringify(v)}}`;
  throw new Error(`unexpected intrinsic ${JSON.stringify(value)}`);
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
