/**
 * Compiles the tiny ONNX model in integ/model for ml_c5 and checks SageMaker reports the job
 * COMPLETED. Deploys as is in a real account: `npx integ-runner --directory integ --update-on-failed`.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import {
  CompilationJob, CompilationTarget, DataInputConfig, Framework, ModelInput, TargetDevice,
} from '../src';

const app = new App();
const stack = new Stack(app, 'NeoCompilationJobInteg');

const job = new CompilationJob(stack, 'TinyOnnx', {
  model: ModelInput.fromAsset(path.join(__dirname, 'model', 'model.tar.gz')),
  framework: Framework.ONNX,
  dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
  target: CompilationTarget.device(TargetDevice.ML_C5),
});

const integ = new IntegTest(app, 'CompilationJobTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('SageMaker', 'describeCompilationJob', { CompilationJobName: job.compilationJobName })
  .expect(ExpectedResult.objectLike({ CompilationJobStatus: 'COMPLETED' }));
