/**
 * Edge, mixed fleet: the tiny ONNX model compiled for a Jetson Xavier (linux/aarch64), a Raspberry
 * Pi 4 on 32-bit Raspberry Pi OS (rasp4b, platform given: linux/arm) and x86_64 Linux gateways, in
 * ONE component version with a manifest each (numbered by the deployment), put into the thing
 * group's one deployment next to an inference component that depends on it. Asserts the jobs are COMPLETED, the component
 * version DEPLOYABLE and the deployment ACTIVE.
 * Deploys as is in a real account: `npx integ-runner --directory integ --update-on-failed`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import {
  CompilationJob, CompilationTarget, CompilerOptions, EdgeModelComponent, TargetArch, TargetDevice, TargetOs,
} from '../src';
import { tinyOnnxModel } from './model/tiny-onnx';

const app = new App();
const stack = new Stack(app, 'NeoGreengrassFleetInteg');

const jetson = new CompilationJob(stack, 'TinyOnnxJetsonXavier', {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.JETSON_XAVIER),
});
const pi = new CompilationJob(stack, 'TinyOnnxRasp4b', {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.RASP4B),
});
const gateway = new CompilationJob(stack, 'TinyOnnxX86', {
  ...tinyOnnxModel(),
  target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 }),
  compilerOptions: CompilerOptions.cpu({ mcpu: 'core-avx2' }),
});

// The devices' token exchange role (Greengrass downloads artifacts with it).
const tokenExchangeRole = new iam.Role(stack, 'TokenExchangeRole', {
  assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
});
const component = new EdgeModelComponent(stack, 'Component', {
  models: [
    { compilationJob: jetson },
    // rasp4b runs a 32-bit or a 64-bit OS: say which one the fleet's Pis run.
    { compilationJob: pi, platform: { os: 'linux', architecture: 'arm' } },
    { compilationJob: gateway },
  ],
  componentName: 'com.example.NeoTinyOnnxFleet',
  // no componentVersion: the deployment numbers it (1.0.0, then the next patch for new models),
  // which the inference component's '>=1.0.0 <2.0.0' accepts
  deviceRole: tokenExchangeRole,
});

// The fleet's inference component: it depends on the model component and reads the model from
// that component's work folder, whatever the device's platform.
const inference = new greengrassv2.CfnComponentVersion(stack, 'Inference', {
  inlineRecipe: stack.toJsonString({
    RecipeFormatVersion: '2020-01-25',
    ComponentName: 'com.example.NeoTinyOnnxInference',
    ComponentVersion: '1.0.0',
    ComponentDependencies: {
      'com.example.NeoTinyOnnxFleet': { VersionRequirement: '>=1.0.0 <2.0.0', DependencyType: 'HARD' },
    },
    Manifests: [{
      Platform: { os: 'linux' },
      Lifecycle: { Run: { Script: 'ls -l {com.example.NeoTinyOnnxFleet:work:path}/model' } },
    }],
  }),
});
inference.node.addDependency(component);

// The fleet's thing group and its one deployment (a second one for the group would replace it).
const fleet = new iot.CfnThingGroup(stack, 'Fleet', { thingGroupName: `${stack.stackName}-fleet` });
const deployment = new greengrassv2.CfnDeployment(stack, 'FleetDeployment', {
  targetArn: stack.formatArn({ service: 'iot', resource: 'thinggroup', resourceName: fleet.ref }),
  deploymentName: 'fleet',
  components: {
    'com.example.NeoTinyOnnxInference': { componentVersion: inference.attrComponentVersion },
  },
});
component.addToDeployment(deployment);

const integ = new IntegTest(app, 'GreengrassFleetTest', { testCases: [stack] });
for (const job of [jetson, pi, gateway]) {
  integ.assertions
    .awsApiCall('SageMaker', 'describeCompilationJob', { CompilationJobName: job.compilationJobName })
    .expect(ExpectedResult.objectLike({ CompilationJobStatus: 'COMPLETED' }));
}
integ.assertions
  .awsApiCall('GreengrassV2', 'describeComponent', { arn: component.componentArn })
  .expect(ExpectedResult.objectLike({ status: { componentState: 'DEPLOYABLE' } }));
integ.assertions
  .awsApiCall('GreengrassV2', 'getDeployment', { deploymentId: deployment.attrDeploymentId })
  .expect(ExpectedResult.objectLike({ deploymentStatus: 'ACTIVE' }));

/** For the cdk-nag test, which checks this very stack. */
export { stack };
