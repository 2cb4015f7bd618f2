/**
 * One synthesis of a stack with N compilation jobs, timed in-process (node start-up and module
 * loading excluded): prints {"ms", "bytes", "resources"} as JSON. Used by bench.ts.
 * Arguments: N, then `long` for the long path (a 2-hour timeout), then `shared` for one role shared by all jobs.
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
const app = new App({ outdir });
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
const artifact = app.synth().getStackByName('BenchStack');
const ms = Number(process.hrtime.bigint() - start) / 1e6;

const template = fs.readFileSync(artifact.templateFullPath);
process.stdout.write(JSON.stringify({ ms, bytes: template.length, resources: Object.keys(artifact.template.Resources).length }));
fs.rmSync(outdir, { recursive: true, force: true });
