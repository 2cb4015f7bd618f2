/**
 * A stack of N compilation jobs, written as `cdk synth` writes it by default: path metadata on
 * each resource and the AWS::CDK::Metadata resource, both of which count toward CloudFormation's
 * 1 MB template limit. The bench (synth-app.ts) times it; test/fleet-limits.test.ts checks the
 * README's largest fleets with it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { tinyOnnxModel } from '../../integ/model/tiny-onnx';
import { CompilationJob, CompilationTarget, TargetDevice } from '../../src';

export interface FleetOptions {
  /** The long path (a 2-hour timeout). */
  readonly long?: boolean;
  /** One execution role shared by all jobs, instead of a default role per job. */
  readonly shared?: boolean;
}

export const FLEET_STACK_NAME = 'FleetStack';

/** The app with one stack of `jobs` ML_C5 jobs of the tiny model, not yet synthesized. */
export function fleetApp(outdir: string, jobs: number, options: FleetOptions = {}): App {
  const app = new App({
    outdir,
    // What the CDK CLI sets unless told otherwise.
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true },
  });
  const stack = new Stack(app, FLEET_STACK_NAME, { env: { account: '123456789012', region: 'us-east-1' } });
  const role = options.shared ? new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }) : undefined;
  for (let i = 0; i < jobs; i++) {
    new CompilationJob(stack, `Job${i}`, {
      ...tinyOnnxModel(),
      target: CompilationTarget.device(TargetDevice.ML_C5),
      timeout: options.long ? Duration.hours(2) : undefined,
      role,
    });
  }
  return app;
}
