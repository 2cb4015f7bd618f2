import { Template } from 'aws-cdk-lib/assertions';
import { CompilationJob, CompilationTarget, DataInputConfig, Framework, ModelInput, TargetDevice } from '../src';
import { RESOURCE_TYPE } from '../src/private/contract';
import { hostWithAlphaModel } from '../docs/example/alpha-hosting';
import { MODEL_ARCHIVE, newStack } from './util';

describe('hosting with @aws-cdk/aws-sagemaker-alpha', () => {
  test('the alpha Model takes the inference image and ModelData.fromBucket(outputBucket, modelArtifactsObjectKey)', () => {
    const stack = newStack();
    const job = new CompilationJob(stack, 'Job', {
      model: ModelInput.fromAsset(MODEL_ARCHIVE),
      framework: Framework.ONNX,
      dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
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
