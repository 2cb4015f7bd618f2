/**
 * Every name the library generates, at the longest names a user can write (./extreme-names.ts),
 * checked against the official API models (botocore) of the calls that carry it: the job name
 * (CreateCompilationJob), the job-name filter (ListCompilationJobs NameContains), the run's name
 * (StartExecution), the signal's UniqueId (SignalResource), and the component's ARN
 * (ListComponentVersions, GetComponent). The limits the code states (NAME_LIMITS) are the models'.
 */
import { extremeComponentSpec, extremeSpecs, LONGEST_COMPONENT_NAME } from './extreme-names';
import { loadApiModel } from './fault/api-model';
import { LONGEST_PREFIX, specOf, STACK_ID } from './handler/fixtures';
import { runNameOf, signalOf } from '../lambda/compilation-job/long-run';
import { createRequestOf, jobNameOf, requestNamePrefix } from '../lambda/compilation-job/spec';
import { MAX_JOB_NAME_LENGTH } from '../src/private/contract';
import { NAME_LIMITS } from '../src/private/limits';

const models = {
  sagemaker: loadApiModel('sagemaker'),
  stepfunctions: loadApiModel('stepfunctions'),
  cloudformation: loadApiModel('cloudformation'),
  greengrassv2: loadApiModel('greengrassv2'),
};
const describeWithModels = Object.values(models).every(Boolean) ? describe : describe.skip;

/** The request IDs of a few CloudFormation operations (UUIDs, as CloudFormation sends them). */
const REQUEST_IDS = ['c7a3e0c2-6d0b-4b8e-9b57-3f2f5e1c9a11', '0b9e2f4a-1c3d-4e5f-8a7b-6c5d4e3f2a1b', 'ffffffff-ffff-4fff-bfff-ffffffffffff'];
/** A WaitCondition's logical id as long-run-result.ts makes it: the job's logical id (up to 255 - 16), `Compiled`, 8 hex. */
const WAIT_CONDITION = `ResNet50CompiledForTheWholeEdgeFleet${'L'.repeat(200)}Compiled1a2b3c4d`;
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:SageMakerNeoCompilationJobProviderLongRunStateMachine55FD7EBE-AbCdEfGhIjKl';

describeWithModels('generated names against the API models (botocore)', () => {
  test.each<[keyof typeof NAME_LIMITS, keyof typeof models, string]>([
    ['executionName', 'stepfunctions', 'Name'],
    ['signalUniqueId', 'cloudformation', 'ResourceSignalUniqueId'],
    ['nameContains', 'sagemaker', 'NameContains'],
    ['componentName', 'greengrassv2', 'ComponentNameString'],
    ['componentVersion', 'greengrassv2', 'ComponentVersionString'],
  ])('NAME_LIMITS.%s is %s shape %s', (limit, service, shape) => {
    const { min, max, pattern } = models[service]!.shape(shape);
    expect(NAME_LIMITS[limit]).toEqual({ min, max, ...(pattern !== undefined ? { pattern } : {}) });
  });

  const specs = {
    ...Object.fromEntries(Object.entries(extremeSpecs()).map(([key, { spec }]) => [key, spec])),
    fixturesLongest: specOf({ jobNamePrefix: LONGEST_PREFIX, timeoutSeconds: 3 * 3600 }),
  };

  describe.each(Object.entries(specs))('%s', (_, spec) => {
    const names = REQUEST_IDS.map((requestId) => ({ requestId, job: jobNameOf(spec, requestId) }));

    test('job names: CreateCompilationJob and ListCompilationJobs(NameContains) accept them', () => {
      for (const { job } of names) {
        expect(job.length).toBeLessThanOrEqual(MAX_JOB_NAME_LENGTH);
        // The request's deploy-time values (role, bucket) as CloudFormation fills them in.
        const request = createRequestOf({ ...spec, request: specOf().request }, job);
        expect(models.sagemaker!.validateInput('CreateCompilationJob', request)).toEqual([]);
      }
      expect(models.sagemaker!.validateInput('ListCompilationJobs', { NameContains: requestNamePrefix(spec) })).toEqual([]);
      expect(models.sagemaker!.validateInput('ListCompilationJobs', { NameContains: spec.jobNamePrefix })).toEqual([]);
    });

    test('runs: StartExecution takes their names; SignalResource takes their UniqueIds, one per run', () => {
      const runs = names.map(({ job, requestId }) => runNameOf(job, WAIT_CONDITION, requestId));
      for (const name of runs) {
        expect(models.stepfunctions!.validateInput('StartExecution', { stateMachineArn: STATE_MACHINE_ARN, name, input: '{}' })).toEqual([]);
        // Characters Step Functions' CloudWatch Logs integration takes (the model's documentation of Name).
        expect(name).toMatch(/^[0-9A-Za-z_-]+$/);
        const signal = signalOf(STACK_ID, WAIT_CONDITION, name);
        expect(models.cloudformation!.validateInput('SignalResource', { ...signal, Status: 'SUCCESS' })).toEqual([]);
        expect(name.endsWith(signal.UniqueId)).toBe(true);
      }
      // Two runs of one WaitCondition (two operations) never share a UniqueId.
      const ids = runs.map((name) => signalOf(STACK_ID, WAIT_CONDITION, name).UniqueId);
      expect(new Set(ids).size).toBe(ids.length);
      // Nor do two runs of the same request id and WaitCondition for two jobs.
      expect(signalOf(STACK_ID, WAIT_CONDITION, runNameOf(jobNameOf(spec, 'a'), WAIT_CONDITION, 'r')).UniqueId)
        .not.toBe(signalOf(STACK_ID, WAIT_CONDITION, runNameOf(jobNameOf(spec, 'b'), WAIT_CONDITION, 'r')).UniqueId);
    });
  });

  test('the longest job names do reach the limits they are checked against', () => {
    const job = jobNameOf(extremeSpecs().long.spec, REQUEST_IDS[0]);
    expect(job).toHaveLength(MAX_JOB_NAME_LENGTH);
    expect(runNameOf(job, WAIT_CONDITION, REQUEST_IDS[0]).length).toBeGreaterThan(NAME_LIMITS.signalUniqueId.max);
  });

  test('the component of the longest name: ListComponentVersions, GetComponent and DescribeComponent take its ARNs', () => {
    const { componentArn, componentName } = extremeComponentSpec('s3://out-bucket/compiled/model.tar.gz');
    expect(componentName).toBe(LONGEST_COMPONENT_NAME);
    expect(models.greengrassv2!.validateInput('ListComponentVersions', { arn: componentArn })).toEqual([]);
    const versionArn = `${componentArn}:versions:1.0.${'9'.repeat(59)}`;
    expect(models.greengrassv2!.validateInput('GetComponent', { arn: versionArn })).toEqual([]);
    expect(models.greengrassv2!.validateInput('DescribeComponent', { arn: versionArn })).toEqual([]);
  });
});
