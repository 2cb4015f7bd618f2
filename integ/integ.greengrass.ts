/**
 * Edge: the tiny ONNX model compiled for a Raspberry Pi 4 (rasp4b) and published as a Greengrass
 * v2 component version the deployment numbers itself; asserts the job is COMPLETED and the
 * component version is DEPLOYABLE.
 * Deploys as is in a real account: `npx integ-runner --directory integ --update-on-failed`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  CompilationJob, CompilationTarget, EdgeModelComponent, TargetDevice,
} from '../src';
import { tinyOnnxModel } from './model/tiny-onnx';

const app = new App();
const stack = new Stack(app, 'NeoGreengrassInteg');

const job = new CompilationJob(stack, 'TinyOnnxRasp4b', {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.RASP4B),
});

// The devices' token exchange role (Greengrass downloads artifacts with it).
const tokenExchangeRole = new iam.Role(stack, 'TokenExchangeRole', {
  assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
});
const component = new EdgeModelComponent(stack, 'Component', {
  compilationJob: job,
  componentName: 'com.example.NeoTinyOnnx',
  // rasp4b runs a 32-bit or a 64-bit OS: say which one the devices run (here 32-bit Raspberry Pi OS).
  platform: { os: 'linux', architecture: 'arm' },
  deviceRole: tokenExchangeRole,
});

const integ = new IntegTest(app, 'GreengrassTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('SageMaker', 'describeCompilationJob', { CompilationJobName: job.compilationJobName })
  .expect(ExpectedResult.objectLike({ CompilationJobStatus: 'COMPLETED' }));
integ.assertions
  .awsApiCall('GreengrassV2', 'describeComponent', { arn: component.componentArn })
  .expect(ExpectedResult.objectLike({ status: { componentState: 'DEPLOYABLE' } }));
