/**
 * One synthesis of a stack with N compilation jobs, timed in-process (node start-up and module
 * loading excluded): prints {"ms", "bytes", "resources", "metadataBytes"} as JSON, or
 * {"resources": N} with `tooManyResources` when aws-cdk-lib refuses the stack (above 500).
 * The template is written as `cdk synth` writes it by default: with path metadata on each
 * resource and the AWS::CDK::Metadata resource, both of which count toward CloudFormation's 1 MB.
 * Used by bench.ts. Arguments: N, then `long` for the long path (a 2-hour timeout), then
 * `shared` for one role shared by all jobs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { tinyOnnxModel } from '../../integ/model/tiny-onnx';
import { CompilationJob, CompilationTarget, TargetDevice } from '../../src';

const jobs = Number(process.argv[2]);
const long = process.argv[3] === 'long';
const shared = process.argv[4] === 'shared';
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));

const start = process.hrtime.bigint();
const app = new App({
  outdir,
  // What the CDK CLI sets unless told otherwise.
  context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true },
});
const stack = new Stack(app, 'BenchStack', { env: { account: '123456789012', region: 'us-east-1' } });
const role = shared ? new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }) : undefined;
for (let i = 0; i < jobs; i++) {
  new CompilationJob(stack, `Job${i}`, {
    ...tinyOnnxModel(),
    target: CompilationTarget.device(TargetDevice.ML_C5),
    timeout: long ? Duration.hours(2) : undefined,
    role,
  });
}
try {
  const artifact = app.synth().getStackByName('BenchStack');
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const template = fs.readFileSync(artifact.templateFullPath);
  const metadataBytes = fs.statSync(path.join(outdir, 'BenchStack.metadata.json')).size;
  process.stdout.write(JSON.stringify({ ms, bytes: template.length, resources: Object.keys(artifact.template.Resources).length, metadataBytes }));
} catch (e) {
  // aws-cdk-lib refuses a stack of more than 500 resources at synth, naming the count.
  const tooMany = /Number of resources in stack '[^']+': (\d+) is greater than allowed maximum of 500/.exec(String(e));
  if (!tooMany) throw e;
  process.stdout.write(JSON.stringify({ tooManyResources: true, resources: Number(tooMany[1]) }));
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
