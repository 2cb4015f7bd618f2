/**
 * After `cdk synth`, a user reads each job's CreateCompilationJob request in the cloud assembly
 * (`<stack>.metadata.json`, the README says where). It must be what the handler sends: compared
 * here with the handler's own functions (`jobNameOf`, `createRequestOf`) on the same template,
 * with a fixed CloudFormation RequestId.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { renderIntrinsics } from '../docs/example/print-requests';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { canonicalJson, createRequestOf, jobNameOf } from '../lambda/compilation-job/spec';
import { CompilationJob, CompilationTarget, ModelInput, TargetDevice } from '../src';
import { jobSpecs } from './util';
import { CompilationJobSpec } from '../src/private/contract';
import { DEPLOY_TIME_JOB_NAME, REQUEST_METADATA_TYPE } from '../src/private/create-request';

const REQUEST_ID = '6b2c1d2e-0f9a-4e57-a1f3-5c7d9e0b1a24';

/** Synthesizes an app with two jobs; returns the stack and its metadata file as a user finds it. */
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'request-metadata-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function synthesize(): { stack: Stack; metadata: Record<string, Array<{ type: string; data: any }>> } {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Newcomer-App-Stack', { env: { account: '123456789012', region: 'us-east-2' } });
  // One-hour path: a local model (copied to its .tar.gz key), the default bucket and role, tags.
  const onnx = new CompilationJob(stack, 'TinyOnnx', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5) });
  Tags.of(onnx).add('project', 'tiny-onnx');
  // Long path: a model package, a prefix without '/', a KMS key and a VPC.
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new CompilationJob(stack, 'Llama', {
    model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-2:123456789012:model-package/llama/1'),
    target: CompilationTarget.device(TargetDevice.ML_INF2),
    outputPrefix: 'neo',
    encryptionKey: new kms.Key(stack, 'Key'),
    vpc,
    maxRuntime: Duration.hours(2),
  });
  const artifact = app.synth().getStackArtifact(stack.artifactId);
  const file = path.join(path.dirname(artifact.templateFullPath), `${stack.artifactId}.metadata.json`);
  const metadata = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { stack, metadata };
}

/** Each intrinsic of a JSON value written as the placeholders the Spec's rendering uses. */
function renderDeep(value: any): any {
  if (Array.isArray(value)) return value.map(renderDeep);
  if (value !== null && typeof value === 'object') {
    if (Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'))) return renderIntrinsics(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v)]));
  }
  return value;
}

/** The shown request with the deploy-time name filled in as the handler computes it. */
function withName(shown: any, jobName: string): any {
  const json = JSON.stringify({ ...shown, CompilationJobName: jobName }).split(DEPLOY_TIME_JOB_NAME).join(jobName);
  return JSON.parse(json);
}

const { stack, metadata } = synthesize();
const specs = jobSpecs(stack);
const specOf = (id: string): CompilationJobSpec => Object.entries(specs).find(([logicalId]) => logicalId.startsWith(id))![1];
const shownOf = (id: string): any => {
  const entries = metadata[`/${stack.stackName}/${id}`].filter((entry) => entry.type === REQUEST_METADATA_TYPE);
  expect(entries).toHaveLength(1);
  return entries[0].data;
};

test.each(['TinyOnnx', 'Llama'])('the request shown for %s is the one the handler sends', (id) => {
  const spec = specOf(id);
  const jobName = jobNameOf(spec, REQUEST_ID);
  expect(withName(renderDeep(shownOf(id)), jobName)).toEqual(JSON.parse(JSON.stringify(createRequestOf(spec, jobName))));
});

test('the output location ends with the job name, marked as known at deploy time', () => {
  expect(renderDeep(shownOf('TinyOnnx')).OutputConfig.S3OutputLocation).toBe(`s3://\${Ref:${bucketId()}}/compiled/${DEPLOY_TIME_JOB_NAME}`);
  expect(renderDeep(shownOf('Llama')).OutputConfig.S3OutputLocation).toBe(`s3://\${Ref:${bucketId()}}/neo/${DEPLOY_TIME_JOB_NAME}`);
});

test.each(['TinyOnnx', 'Llama'])('the job name rule shown for %s computes the handler\'s name', (id) => {
  const spec = specOf(id);
  const rule: string = shownOf(id).CompilationJobName;
  const match = /^<deploy time: "([^"]+)", then the first (\d+) hex digits of the SHA-256 of "([^"]+)", a line feed and this request .* then the first (\d+) of the SHA-256 of the CloudFormation operation's RequestId>$/.exec(rule);
  expect(match).not.toBeNull();
  const [, prefix, requestDigits, address, operationDigits] = match!;
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const fromRule = prefix
    + sha256(`${address}\n${canonicalJson(spec.request)}`).slice(0, Number(requestDigits))
    + sha256(REQUEST_ID).slice(0, Number(operationDigits));
  expect(fromRule).toBe(jobNameOf(spec, REQUEST_ID));
  expect(prefix).toMatch(/^newcomerappstack-[0-9a-f]{8}-/);
});

test('tags appear as the handler sends them: only when there are some', () => {
  expect(shownOf('TinyOnnx').Tags).toEqual([{ Key: 'project', Value: 'tiny-onnx' }]);
  expect(shownOf('Llama')).not.toHaveProperty('Tags');
});

test('the request is not in the template (its size limits the jobs per stack)', () => {
  expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain(DEPLOY_TIME_JOB_NAME);
});

function bucketId(): string {
  return Object.keys(Template.fromStack(stack).findResources('AWS::S3::Bucket'))[0];
}
