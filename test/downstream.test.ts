import { Template } from 'aws-cdk-lib/assertions';
import { hostWithAlphaModel } from '../docs/example/alpha-hosting';
import { CompilationJob, CompilationTarget, TargetDevice } from '../src';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { RESOURCE_TYPE } from '../src/private/contract';

describe('hosting with @aws-cdk/aws-sagemaker-alpha', () => {
  test('the alpha Model takes the inference image and ModelData.fromBucket(outputBucket, modelArtifactsObjectKey)', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'Job', {
      ...tinyOnnxModel(),
      target: CompilationTarget.device(TargetDevice.ML_C5),
    });
    hostWithAlphaModel(stack, job);

    const template = Template.fromStack(stack);
    const [jobId] = Object.keys(template.findResources(RESOURCE_TYPE));
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model'));
    const container = model.Properties.PrimaryContainer;
    expect(container.Image).toEqual({ 'Fn::GetAtt': [jobId, 'InferenceImage'] });
    expect(JSON.stringify(container.ModelDataUrl)).toContain(`{"Fn::GetAtt":["${jobId}","ModelArtifactsObjectKey"]}`);
    template.resourceCountIs('AWS::SageMaker::EndpointConfig', 1);
    template.resourceCountIs('AWS::SageMaker::Endpoint', 1);
  });
});
