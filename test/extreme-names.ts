/**
 * The longest names a user can write, in one app, for the tests that run every path with them:
 * - a stack name of CloudFormation's longest, 128 characters
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html);
 * - jobs deep in the tree: App > Stage > Stack > two nested constructs > job;
 * - a long construct id whose job name takes all of SageMaker's 63 characters, on the long path
 *   and on the one-hour path;
 * - a construct id that sanitises to nothing;
 * - a Greengrass component of the longest name (128 characters, botocore `greengrassv2/2020-11-30`
 *   shape `ComponentNameString`).
 */
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { renderIntrinsics } from '../docs/example/print-requests';
import { CompilationJob, CompilationTarget, DataInputConfig, EdgeModelComponent, Framework, ModelInput, TargetDevice } from '../src';
import { CompilationJobSpec, MAX_JOB_NAME_PREFIX_LENGTH, RESOURCE_TYPE } from '../src/private/contract';
import { COMPONENT_VERSION_RESOURCE_TYPE, ComponentVersionSpec } from '../src/private/edge/component-contract';

export const LONGEST_STACK_NAME = `EdgeFleet-Production-${'A'.repeat(128 - 'EdgeFleet-Production-'.length - 'x'.length)}x`;
export const LONGEST_COMPONENT_NAME = `com.example.${'M'.repeat(128 - 'com.example.'.length)}`;

/** The jobs of the app, by role. */
export const EXTREME_JOBS = {
  /** A long construct id on the long path (a 3-hour timeout). */
  long: 'ResNet50CompiledForTheWholeEdgeFleet',
  /** A long construct id on the one-hour path. */
  oneHour: 'ResNet50CompiledForTheWholeCloudFleet',
  /** An id with no letter or digit: its job name is the stack's part and the hashes. */
  nothing: '***',
} as const;

export type ExtremeJob = keyof typeof EXTREME_JOBS;

/** What a test needs of one job: its spec as synthesized (tokens rendered as text) and its construct path. */
export interface ExtremeSpec {
  readonly spec: CompilationJobSpec;
  readonly path: string;
}

interface Synthesized {
  readonly jobs: Record<ExtremeJob, ExtremeSpec>;
  /** The component version's Spec, tokens rendered as text (`${Ref:AWS::Partition}`, `${GetAtt:<id>.ModelArtifactsS3Uri}`). */
  readonly componentSpec: string;
}

let synthesized: Synthesized | undefined;

/** The app, synthesized once: every job's spec. */
export function extremeSpecs(): Record<ExtremeJob, ExtremeSpec> {
  synthesized ??= synthesize();
  return synthesized.jobs;
}

/**
 * The component version's spec as the handler receives it, deploy-time values filled in: the
 * partition `aws`, and the long job's artifact at `artifactUri`.
 */
export function extremeComponentSpec(artifactUri: string): ComponentVersionSpec {
  synthesized ??= synthesize();
  const text = synthesized.componentSpec.replace(/\$\{Ref:AWS::Partition\}/g, 'aws').replace(/\$\{GetAtt:[^}]*\.ModelArtifactsS3Uri\}/g, artifactUri);
  if (text.includes('${')) throw new Error(`a token left in the component spec: ${text}`);
  return JSON.parse(text) as ComponentVersionSpec;
}

function synthesize(): Synthesized {
  const stage = new Stage(new App(), 'Production');
  const stack = new Stack(stage, 'Fleet', { stackName: LONGEST_STACK_NAME, env: { account: '123456789012', region: 'us-east-1' } });
  const models = new Construct(new Construct(stack, 'EdgeAndCloudModels'), 'VisionModelsForEveryDeviceWeShip');
  const bucket = s3.Bucket.fromBucketName(stack, 'Models', 'model-bucket');
  const common = {
    model: ModelInput.fromBucket(bucket, 'models/resnet18.tar.gz'),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
  };
  const jobs = {
    long: new CompilationJob(models, EXTREME_JOBS.long, {
      ...common,
      target: CompilationTarget.device(TargetDevice.JETSON_XAVIER),
      maxRuntime: Duration.hours(3),
      timeout: Duration.hours(3),
    }),
    oneHour: new CompilationJob(models, EXTREME_JOBS.oneHour, { ...common, target: CompilationTarget.device(TargetDevice.ML_C5) }),
    nothing: new CompilationJob(models, EXTREME_JOBS.nothing, { ...common, target: CompilationTarget.device(TargetDevice.ML_C5) }),
  };
  new EdgeModelComponent(models, 'ModelComponentForEveryJetsonInTheFleet', { compilationJob: jobs.long, componentName: LONGEST_COMPONENT_NAME });
  const template = Template.fromStack(stack);
  const resources = template.findResources(RESOURCE_TYPE);
  const specs = Object.values(resources).map((r) => JSON.parse(renderIntrinsics(r.Properties.Spec)) as CompilationJobSpec);
  const out = {} as Record<ExtremeJob, ExtremeSpec>;
  for (const [key, job] of Object.entries(jobs) as Array<[ExtremeJob, CompilationJob]>) {
    const spec = specs.find((s) => s.constructAddress === job.node.addr);
    if (!spec) throw new Error(`no spec for ${job.node.path}`);
    out[key] = { spec, path: job.node.path };
  }
  // The premise of the tests: the long ids fill the job name's prefix.
  if (out.long.spec.jobNamePrefix.length !== MAX_JOB_NAME_PREFIX_LENGTH) throw new Error(`not the longest prefix: ${out.long.spec.jobNamePrefix}`);
  const [component] = Object.values(template.findResources(COMPONENT_VERSION_RESOURCE_TYPE));
  return { jobs: out, componentSpec: renderIntrinsics(component.Properties.Spec) };
}
