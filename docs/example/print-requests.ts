import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { REQUEST_METADATA_TYPE } from '../../src/private/create-request';

/**
 * Prints where the template is and, per compilation job, the request it will send: the entries
 * every CompilationJob writes into the cloud assembly, which a user of the package reads in
 * `cdk.out/<stack>.metadata.json` after `cdk synth`.
 */
export function printCompilationRequests(stack: cxapi.CloudFormationStackArtifact): void {
  console.log(`Template: ${stack.templateFullPath}`);
  const metadataFile = stack.manifest.additionalMetadataFile;
  if (metadataFile) console.log(`Requests: ${path.join(stack.assembly.directory, metadataFile)}`);
  for (const entry of stack.findMetadataByType(REQUEST_METADATA_TYPE)) {
    console.log(`\nCreateCompilationJob request of ${entry.path}:`);
    console.log(JSON.stringify(entry.data, null, 2));
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
