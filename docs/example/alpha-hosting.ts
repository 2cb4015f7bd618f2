/**
 * Hosting with the @aws-cdk/aws-sagemaker-alpha constructs (the README's "Downstream" example,
 * synthesized by test/downstream.test.ts).
 */
import * as alpha from '@aws-cdk/aws-sagemaker-alpha';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CompilationJob } from '../../src';

/** A real-time endpoint that serves a compiled model with Neo's inference image. */
export function hostWithAlphaModel(scope: Construct, job: CompilationJob): alpha.Endpoint {
  // Neo's inference image is a deploy-time value: bind it as it is.
  const neoImage: alpha.ContainerImage = { bind: () => ({ imageName: job.inferenceImage }) };
  const model = new alpha.Model(scope, 'AlphaModel', {
    containers: [{
      image: neoImage,
      modelData: alpha.ModelData.fromBucket(job.outputBucket, job.modelArtifactsObjectKey),
    }],
  });
  const endpointConfig = new alpha.EndpointConfig(scope, 'AlphaEndpointConfig', {
    instanceProductionVariants: [{ model, variantName: 'AllTraffic', instanceType: alpha.InstanceType.C5_LARGE }],
  });
  return new alpha.Endpoint(Stack.of(scope), 'AlphaEndpoint', { endpointConfig });
}
