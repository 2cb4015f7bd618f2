/**
 * The long path's resources: a `timeout` above 59 minutes adds a WaitCondition and a result
 * resource to the job, and one state machine to the stack. How they behave on every
 * CloudFormation path is tested in test/long (the definition run) and on the driver.
 */
import { Duration, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CompilationJob, CompilationJobProps, CompilationTarget, TargetDevice } from '../src';
import { newStack, onlyJobSpec } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { RESOURCE_TYPE, RESULT_RESOURCE_TYPE } from '../src/private/contract';
import { LONG_RUN_DEFINITION } from '../src/private/long-run-definition';

const BASE: CompilationJobProps = {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.ML_INF2),
};
const LONG: CompilationJobProps = { ...BASE, maxRuntime: Duration.hours(3) };
const WAIT_CONDITION = 'AWS::CloudFormation::WaitCondition';

function logicalIdsOf(stack: Stack, type: string): string[] {
  return Object.keys(Template.fromStack(stack).findResources(type));
}

function waitConditionIdOf(props: CompilationJobProps, tags: Record<string, string> = {}): string {
  const stack = newStack();
  const job = new CompilationJob(stack, 'Job', props);
  for (const [key, value] of Object.entries(tags)) Tags.of(job).add(key, value);
  return logicalIdsOf(stack, WAIT_CONDITION)[0];
}

describe('which path', () => {
  test('timeout up to 59 minutes: one custom resource, no WaitCondition, no run state machine', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, timeout: Duration.minutes(59) });
    const template = Template.fromStack(stack);
    template.resourceCountIs(WAIT_CONDITION, 0);
    template.resourceCountIs(RESULT_RESOURCE_TYPE, 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1); // the Provider's waiter only
    expect(onlyJobSpec(stack).longRun).toBeUndefined();
  });

  test('timeout above 59 minutes: the long path, with the timeout as given', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, timeout: Duration.minutes(61) });
    expect(onlyJobSpec(stack).timeoutSeconds).toBe(3660);
    expect(onlyJobSpec(stack).longRun?.stateMachineArn).toMatch(/^\$\{Ref:SageMakerNeoCompilationJobProviderLongRunStateMachine[0-9A-F]+\}$/);
    Template.fromStack(stack).resourceCountIs(WAIT_CONDITION, 1);
  });

  test('maxRuntime of 3 hours and no timeout: the default timeout (maxRuntime + 5 minutes) takes the long path', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', LONG);
    expect(onlyJobSpec(stack).timeoutSeconds).toBe(3 * 3600 + 300);
  });

  test('the longest timeout: 11 hours 59 minutes, and the WaitCondition waits 12 hours', () => {
    const stack = newStack();
    new CompilationJob(stack, 'Job', { ...BASE, maxRuntime: Duration.hours(11), timeout: Duration.minutes(719) });
    Template.fromStack(stack).hasResource(WAIT_CONDITION, { CreationPolicy: { ResourceSignal: { Count: 1, Timeout: 'PT43200S' } } });
  });
});

describe('the three resources of a long job', () => {
  const stack = newStack();
  const job = new CompilationJob(stack, 'Job', LONG);
  const template = Template.fromStack(stack);
  const [start] = logicalIdsOf(stack, RESOURCE_TYPE);
  const [wait] = logicalIdsOf(stack, WAIT_CONDITION);
  const [result] = logicalIdsOf(stack, RESULT_RESOURCE_TYPE);

  test('start resource → WaitCondition (no properties; signalled, timeout + 5 minutes) → result resource', () => {
    template.hasResource(WAIT_CONDITION, {
      Properties: Match.absent(),
      CreationPolicy: { ResourceSignal: { Count: 1, Timeout: `PT${3 * 3600 + 300 + 300}S` } },
      DependsOn: [start],
    });
    template.hasResource(RESULT_RESOURCE_TYPE, { DependsOn: [wait], Properties: { ServiceTimeout: '3600' } });
    // The start resource names the WaitCondition its run signals.
    template.hasResourceProperties(RESOURCE_TYPE, { WaitCondition: wait });
  });

  test('every attribute comes from the result resource', () => {
    const resolve = (value: string) => stack.resolve(value);
    for (const [value, name] of [
      [job.compilationJobName, 'CompilationJobName'], [job.compilationJobArn, 'CompilationJobArn'],
      [job.modelArtifactsS3Uri, 'ModelArtifactsS3Uri'], [job.modelArtifactsObjectKey, 'ModelArtifactsObjectKey'],
      [job.inferenceImage, 'InferenceImage'], [job.artifactDigest, 'ArtifactDigest'], [job.derivedDataInputConfig, 'DerivedDataInputConfig'],
    ]) {
      expect(resolve(value)).toEqual({ 'Fn::GetAtt': [result, name] });
    }
  });

  test('the result resource reads the job the start resource began, its run and its deadline', () => {
    const [resource] = Object.values(template.findResources(RESULT_RESOURCE_TYPE));
    const text = JSON.stringify(resource.Properties.Result);
    for (const name of ['CompilationJobName', 'ExecutionArn', 'Deadline']) expect(text).toContain(`{"Fn::GetAtt":["${start}","${name}"]}`);
    expect(text).toContain(`\\"waitCondition\\":\\"${wait}\\"`);
    expect(text).toContain('\\"timeoutSeconds\\":11100');
  });

  test('the deployed definition is LONG_RUN_DEFINITION, with an execution timeout beyond the 12 hours a run may try to signal', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { DefinitionString: Match.stringLikeRegexp('WaitCondition') } }));
    expect(JSON.parse(machine.Properties.DefinitionString)).toEqual(LONG_RUN_DEFINITION);
    expect(LONG_RUN_DEFINITION.TimeoutSeconds).toBe(43200 + 300);
  });
});

describe('a WaitCondition cannot be updated: every change of the job makes a new one', () => {
  const original = waitConditionIdOf(LONG);

  test('the same job synthesizes the same logical id', () => {
    expect(waitConditionIdOf(LONG)).toBe(original);
  });

  test.each<[string, CompilationJobProps]>([
    ['another target', { ...LONG, target: CompilationTarget.device(TargetDevice.ML_C5) }],
    ['another maxRuntime', { ...LONG, maxRuntime: Duration.hours(4) }],
    ['another timeout', { ...LONG, timeout: Duration.hours(5) }],
  ])('%s: a new logical id', (_name, props) => {
    expect(waitConditionIdOf(props)).not.toBe(original);
  });

  test('new tags: a new logical id (the run signals it at its first poll; the job stays)', () => {
    expect(waitConditionIdOf(LONG, { team: 'edge' })).not.toBe(original);
  });
});

describe('permissions of the long path', () => {
  const stack = newStack();
  const shared = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  new CompilationJob(stack, 'A', LONG);
  new CompilationJob(stack, 'B', { ...LONG, target: CompilationTarget.device(TargetDevice.ML_C5), role: shared });
  const template = Template.fromStack(stack);
  const statementsOf = (policyIdPrefix: string) => {
    const [policy] = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(policyIdPrefix)).map(([, p]) => p);
    return stack.resolve(policy.Properties.PolicyDocument.Statement) as Array<Record<string, unknown>>;
  };

  test('one run state machine per stack, however many long jobs', () => {
    template.resourcePropertiesCountIs('AWS::StepFunctions::StateMachine', { DefinitionString: Match.stringLikeRegexp('WaitCondition') }, 1);
  });

  test('the run\'s role: the stack\'s jobs, PassRole of exactly the jobs\' roles to SageMaker, DescribeStackResource and SignalResource on its own stack', () => {
    const statements = statementsOf('SageMakerNeoCompilationJobProviderLongRunRoleDefaultPolicy');
    expect(statements).toEqual([
      {
        Action: ['sagemaker:CreateCompilationJob', 'sagemaker:DescribeCompilationJob', 'sagemaker:StopCompilationJob', 'sagemaker:AddTags'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:sagemaker:us-east-1:123456789012:compilation-job\/teststack-[0-9a-f]{8}-\*$/)]] },
      },
      { Action: ['cloudformation:DescribeStackResource', 'cloudformation:SignalResource'], Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
      {
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        Effect: 'Allow',
        // The stack's default roles by their role path, any other role by its ARN.
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:iam::123456789012:role\/sagemaker-neo\/us-east-1\/teststack-[0-9a-f]{8}\/\*$/)]] },
          { 'Fn::GetAtt': [expect.stringMatching(/^Shared/), 'Arn'] },
        ],
      },
    ]);
  });

  test('the handler: starts and lists runs of that state machine, stops and reads only its executions', () => {
    const statements = statementsOf('SageMakerNeoCompilationJobProviderHandlerRoleDefaultPolicy');
    expect(statements).toContainEqual({
      Action: ['states:StartExecution', 'states:ListExecutions'],
      Effect: 'Allow',
      Resource: { Ref: expect.stringMatching(/^SageMakerNeoCompilationJobProviderLongRunStateMachine/) },
    });
    expect(statements).toContainEqual({
      Action: ['states:StopExecution', 'states:DescribeExecution'],
      Effect: 'Allow',
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:execution:',
          { 'Fn::GetAtt': [expect.stringMatching(/^SageMakerNeoCompilationJobProviderLongRunStateMachine/), 'Name'] }, ':*']],
      },
    });
  });
});

describe('resources per job (CloudFormation allows 500 per stack)', () => {
  const countFor = (jobs: number, props: (stack: Stack) => CompilationJobProps) => {
    const stack = newStack();
    for (let i = 0; i < jobs; i++) new CompilationJob(stack, `Job${i}`, props(stack));
    return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
  };
  const perJob = (props: (stack: Stack) => CompilationJobProps) => (countFor(11, props) - countFor(1, props)) / 10;
  const sharedRole = (stack: Stack) => (stack.node.tryFindChild('Shared') as iam.IRole | undefined)
    ?? new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });

  test('one-hour path: the custom resource, plus the default role (one resource: its policy is inline)', () => {
    expect(perJob(() => BASE)).toBe(2);
    expect(perJob((stack) => ({ ...BASE, role: sharedRole(stack) }))).toBe(1);
  });

  test('long path: start resource, WaitCondition and result resource, plus the default role', () => {
    expect(perJob(() => LONG)).toBe(4);
    expect(perJob((stack) => ({ ...LONG, role: sharedRole(stack) }))).toBe(3);
  });
});
