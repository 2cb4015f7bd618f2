/**
 * The long path: a `timeout` above 59 minutes. Compiles the tiny ONNX model for ml_inf2 with a
 * two-hour timeout, so CloudFormation waits on a WaitCondition that a Step Functions run signals,
 * and the result resource returns the attributes; checks SageMaker reports the job COMPLETED and
 * the run SUCCEEDED. Deploys as is in a real account: `npx integ-runner --directory integ --update-on-failed`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  CompilationJob, CompilationTarget, TargetDevice,
} from '../src';
import { tinyOnnxModel } from './model/tiny-onnx';

const app = new App();
const stack = new Stack(app, 'NeoLongCompilationInteg');

// A construct id as long as a real user's: the job's name takes all 63 characters SageMaker allows,
// and its run's name (72) more than a signal's UniqueId may be (64).
const job = new CompilationJob(stack, 'TinyOnnxCompiledForEveryInferentiaHostInTheFleet', {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.ML_INF2),
  maxRuntime: Duration.minutes(30),
  timeout: Duration.hours(2),
});
new CfnOutput(stack, 'ModelArtifacts', { value: job.modelArtifactsS3Uri });

const integ = new IntegTest(app, 'LongCompilationTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('SageMaker', 'describeCompilationJob', { CompilationJobName: job.compilationJobName })
  .expect(ExpectedResult.objectLike({ CompilationJobStatus: 'COMPLETED' }));
