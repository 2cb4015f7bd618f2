import * as cxapi from 'aws-cdk-lib/cx-api';
import { RESOURCE_TYPE } from '../../src/private/contract';

/** Prints where the template is and, per compilation job, the request it will send. */
export function printCompilationRequests(stack: cxapi.CloudFormationStackArtifact): void {
  console.log(`Template: ${stack.templateFullPath}`);
  for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources)) {
    if (resource.Type !== RESOURCE_TYPE) continue;
    const spec = JSON.parse(renderIntrinsics(resource.Properties.Spec));
    console.log(`\nCreateCompilationJob request of ${logicalId} (job name: ${spec.jobNamePrefix}-<hash of the request>):`);
    console.log(JSON.stringify({ ...spec.request, Tags: spec.tags }, null, 2));
    if (spec.inputCopy) console.log(`Before the job starts, the model is copied from ${spec.inputCopy.source} (a CDK asset) to that .tar.gz key.`);
    console.log(`Deployment waits up to ${spec.timeoutSeconds} s; job record on delete: ${spec.removalPolicy}.`);
  }
}

/**
 * A synthesized string (plain, or an Fn::Join of literals and intrinsics) as text, with each
 * deploy-time value written as a placeholder: `${Ref:Logical}`, `${GetAtt:Logical.Attr}`, or
 * the Fn::Sub template itself (e.g. `${AWS::AccountId}`).
 */
export function renderIntrinsics(value: any): string {
  if (typeof value === 'string') return value;
  if (value.Ref) return `\${Ref:${value.Ref}}`;
  if (value['Fn::GetAtt']) return `\${GetAtt:${value['Fn::GetAtt'].join('.')}}`;
  if (value['Fn::Join']) return value['Fn::Join'][1].map(renderIntrinsics).join(value['Fn::Join'][0]);
  if (typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}
