/**
 * Hosting with the @aws-cdk/aws-sagemaker-alpha constructs, least privilege (the README's
 * "Hosting on SageMaker" example, synthesized by test/downstream.test.ts).
 */
import * as alpha from '@aws-cdk/aws-sagemaker-alpha';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CompilationJob } from '../../src';

/** A real-time endpoint that serves a compiled model with Neo's inference image. */
export function hostWithAlphaModel(scope: Construct, job: CompilationJob): alpha.Endpoint {
  // The alpha Model's default role has AmazonSageMakerFullAccess: a role of our own, which may
  // read exactly the compiled model.
  const role = new iam.Role(scope, 'AlphaModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  job.grantRead(role);
  // Neo's image and the compiled model are deploy-time values: bind them as they are
  // (ModelData.fromBucket would grant read on the whole output bucket).
  const neoImage: alpha.ContainerImage = { bind: () => ({ imageName: job.inferenceImage }) };
  const compiledModel: alpha.ModelData = { bind: () => ({ uri: job.modelArtifactsS3Uri }) };
  const model = new alpha.Model(scope, 'AlphaModel', { role, containers: [{ image: neoImage, modelData: compiledModel }] });
  const endpointConfig = new alpha.EndpointConfig(scope, 'AlphaEndpointConfig', {
    instanceProductionVariants: [{ model, variantName: 'AllTraffic', instanceType: alpha.InstanceType.C5_LARGE }],
  });
  return new alpha.Endpoint(Stack.of(scope), 'AlphaEndpoint', { endpointConfig });
}
