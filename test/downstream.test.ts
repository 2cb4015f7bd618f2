import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { hostWithAlphaModel } from '../docs/example/alpha-hosting';
import { CompilationJob, CompilationTarget, TargetDevice } from '../src';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { RESOURCE_TYPE } from '../src/private/contract';

describe('hosting with @aws-cdk/aws-sagemaker-alpha', () => {
  test('the alpha Model takes the inference image and the artifact\'s URI, with a role that reads exactly the artifact', () => {
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
    expect(container.ModelDataUrl).toEqual({ 'Fn::GetAtt': [jobId, 'ModelArtifactsS3Uri'] });
    // Least privilege: no managed policy, no read of the whole bucket; cdk-nag finds nothing.
    const roles = template.findResources('AWS::IAM::Role');
    const roleId = Object.keys(roles).find((id) => id.startsWith('AlphaModelRole'))!;
    expect(roles[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Sub': expect.stringMatching(new RegExp(`/\\$\\{${jobId}\\.ModelArtifactsObjectKey\\}$`)) } }]);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))).toEqual([]);
    template.resourceCountIs('AWS::SageMaker::EndpointConfig', 1);
    template.resourceCountIs('AWS::SageMaker::Endpoint', 1);
  });
});
