/**
 * Cloud hosting: the tiny ONNX model compiled for ml_c5 and served by a SageMaker real-time
 * endpoint that uses the job's inference image and artifact; asserts the endpoint is InService.
 * Deploys as is in a real account: `npx integ-runner --directory integ --update-on-failed`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import {
  CompilationJob, CompilationTarget, TargetDevice,
} from '../src';
import { tinyOnnxModel } from './model/tiny-onnx';

const app = new App();
const stack = new Stack(app, 'NeoHostingInteg');

const job = new CompilationJob(stack, 'TinyOnnx', {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.ML_C5),
});

const modelRole = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
job.grantRead(modelRole);
const model = new sagemaker.CfnModel(stack, 'Model', {
  executionRoleArn: modelRole.roleArn,
  primaryContainer: { image: job.inferenceImage, modelDataUrl: job.modelArtifactsS3Uri },
});
model.node.addDependency(modelRole); // the role's policy must exist before SageMaker checks the model
const endpointConfig = new sagemaker.CfnEndpointConfig(stack, 'EndpointConfig', {
  productionVariants: [{
    variantName: 'AllTraffic',
    modelName: model.attrModelName,
    initialInstanceCount: 1,
    instanceType: 'ml.c5.large',
  }],
});
const endpoint = new sagemaker.CfnEndpoint(stack, 'Endpoint', { endpointConfigName: endpointConfig.attrEndpointConfigName });

const integ = new IntegTest(app, 'HostingTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('SageMaker', 'describeEndpoint', { EndpointName: endpoint.attrEndpointName })
  .expect(ExpectedResult.objectLike({ EndpointStatus: 'InService' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });
