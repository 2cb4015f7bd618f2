/**
 * The README's example app: compiles the tiny ONNX model for a cloud CPU target and serves it
 * from a SageMaker endpoint. `npx projen example` synthesizes it and prints the template's path
 * and the CreateCompilationJob request the deployment will send.
 */
import * as path from 'path';
import { App, Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { printCompilationRequests } from './print-requests';
import {
  CompilationJob, CompilationTarget, CompilerOptions, DataInputConfig, Framework, ModelInput, TargetDevice,
} from '../../src';

export class CompiledModelStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const job = new CompilationJob(this, 'TinyOnnx', {
      model: ModelInput.fromAsset(path.join(__dirname, '..', '..', 'integ', 'model', 'model.tar.gz')),
      framework: Framework.ONNX,
      dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
      target: CompilationTarget.device(TargetDevice.ML_C5),
      compilerOptions: CompilerOptions.cpu({ mcpu: 'skylake-avx512' }),
      maxRuntime: Duration.minutes(10),
    });
    Tags.of(job).add('project', 'tiny-onnx');

    // Hosting: the compiled artifact and Neo's inference image are plain tokens.
    const modelRole = new iam.Role(this, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    job.grantRead(modelRole);
    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: modelRole.roleArn,
      primaryContainer: { image: job.inferenceImage, modelDataUrl: job.modelArtifactsS3Uri },
    });
    const config = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      productionVariants: [{
        variantName: 'AllTraffic',
        modelName: model.attrModelName,
        initialInstanceCount: 1,
        instanceType: 'ml.c5.large',
      }],
    });
    new sagemaker.CfnEndpoint(this, 'Endpoint', { endpointConfigName: config.attrEndpointConfigName });
  }
}

const app = new App({ outdir: path.join(__dirname, 'cdk.out') });
const stack = new CompiledModelStack(app, 'TinyOnnxExample');
printCompilationRequests(app.synth().getStackArtifact(stack.artifactId));
