/**
 * Compiles the tiny ONNX model in integ/model for ml_c5 and checks SageMaker reports the job
 * COMPLETED. Deploys as is in a real account: `npx integ-runner --directory integ --update-on-failed`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import {
  CompilationJob, CompilationTarget, TargetDevice,
} from '../src';
import { tinyOnnxModel } from './model/tiny-onnx';

const app = new App();
const stack = new Stack(app, 'NeoCompilationJobInteg');

const job = new CompilationJob(stack, 'TinyOnnx', {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.ML_C5),
});

const integ = new IntegTest(app, 'CompilationJobTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('SageMaker', 'describeCompilationJob', { CompilationJobName: job.compilationJobName })
  .expect(ExpectedResult.objectLike({ CompilationJobStatus: 'COMPLETED' }));
