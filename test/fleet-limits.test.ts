/**
 * The largest fleets per stack the README states (with default roles) fit CloudFormation's
 * limits as `cdk synth` writes the template, and one job more does not: 500 resources and 1 MB of
 * template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
 * counted here as 1,000,000 bytes. The one-hour path meets the size limit first, the long path the
 * resource limit.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { CompilationJob, CompilationTarget, TargetDevice } from '../src';

const MAX_TEMPLATE_BYTES = 1_000_000;
const MAX_RESOURCES = 500;

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const stated = /is then (\d+) one-hour jobs with default roles \((\d+) KB\),[\s\S]*?and (\d+) long-path jobs with default roles \((\d+) KB\)/.exec(README);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-limits-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** Template bytes and resources of one stack of `jobs` jobs, synthesized as the CDK CLI does by default. */
function synth(jobs: number, long: boolean): { bytes: number; resources: number } {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(outdir, 'app-')),
    // What `cdk synth` sets unless told otherwise: path metadata on each resource, and AWS::CDK::Metadata.
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true },
  });
  const stack = new Stack(app, 'FleetStack', { env: { account: '123456789012', region: 'us-east-1' } });
  for (let i = 0; i < jobs; i++) {
    new CompilationJob(stack, `Job${i}`, {
      ...tinyOnnxModel(),
      target: CompilationTarget.device(TargetDevice.ML_C5),
      timeout: long ? Duration.hours(2) : undefined,
    });
  }
  const artifact = app.synth().getStackByName('FleetStack');
  return { bytes: fs.statSync(artifact.templateFullPath).size, resources: Object.keys(artifact.template.Resources).length };
}

test('the README states the largest fleets per stack', () => {
  expect(stated).not.toBeNull();
});

test('one-hour path, default roles: the stated fleet fits 1,000,000 bytes of template, one job more does not', () => {
  const jobs = Number(stated![1]);
  const fits = synth(jobs, false);
  expect(fits.bytes).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
  expect(fits.resources).toBeLessThanOrEqual(MAX_RESOURCES);
  expect(Math.round(fits.bytes / 1000)).toBe(Number(stated![2]));
  expect(synth(jobs + 1, false).bytes).toBeGreaterThan(MAX_TEMPLATE_BYTES);
});

test('long path, default roles: the stated fleet fits 500 resources, one job more does not', () => {
  const jobs = Number(stated![3]);
  const fits = synth(jobs, true);
  expect(fits.bytes).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
  expect(Math.round(fits.bytes / 1000)).toBe(Number(stated![4]));
  // aws-cdk-lib refuses a stack of more than 500 resources at synth.
  expect(() => synth(jobs + 1, true)).toThrow(/greater than allowed maximum of 500/);
});
