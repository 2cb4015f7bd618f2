/**
 * Compile once on the long path (a `timeout` above 59 minutes), on the wire: the REAL handler
 * bundle inside aws-cdk-lib's Provider framework runtime (the one test driver, test/driver),
 * moto_server as SageMaker and S3, the long-run state machine's real definition run by the
 * driver's Step Functions stand-in, and the WaitCondition of the driver's CloudFormation model.
 *
 * Stage A (its own stack, the one-hour path) misses, compiles and publishes; stage B, in another
 * stack on the long path, hits: its start resource copies the artifact into B's own output and
 * starts a run whose input says so; the run's first state sends it straight to the signal (no
 * CreateCompilationJob, no Describe); the result resource answers the hit's attributes.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListCompilationJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { motoEndpoint } from './moto';
import type { CompilationJobAttributes, CompilationJobSpec } from '../../src/private/contract';
import { Driver } from '../driver/driver';
import { LongPath, STATE_MACHINE_ARN } from '../driver/long-path';
import { longRunDefinitionFromTemplate, StepFunctions } from '../driver/step-functions';
import { EPOCH_MS, FakeSageMaker } from '../fault/fake-sagemaker';
import { createEvent, deleteEvent, nameOf, specOf } from '../handler/fixtures';

jest.setTimeout(300_000);

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const endpoint = motoEndpoint();
const describeWire = endpoint ? describe : describe.skip;

const RUN = Date.now().toString(36).slice(-6);
const MODELS = `neo-long-models-${RUN}`;
const CACHE = `neo-long-cache-${RUN}`;
const PREFIX = 'neo-cache/';
const HOURS = 3600;

function outputOf(stage: string): string {
  return `neo-long-out-${stage.toLowerCase()}-${RUN}`;
}

/** A stage's job: its own stack prefix, role and output bucket; the shared cache; the long path when `timeoutSeconds` is above 59 minutes. */
function stageSpec(stage: string, long: boolean): CompilationJobSpec {
  return specOf({
    jobNamePrefix: `${stage}-${RUN}-Resnet`,
    constructAddress: `c8${RUN}${stage.toLowerCase()}`,
    ...(long ? { timeoutSeconds: 4 * HOURS, longRun: { stateMachineArn: STATE_MACHINE_ARN } } : {}),
    request: {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${stage}-ResnetRole`,
      InputConfig: { S3Uri: `s3://${MODELS}/models/resnet18.tar.gz`, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' },
      OutputConfig: { S3OutputLocation: `s3://${outputOf(stage)}/compiled/`, TargetDevice: 'ml_c5' },
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
    },
    cache: { bucket: CACHE, prefix: PREFIX, model: { object: `s3://${MODELS}/models/resnet18.tar.gz` } },
  });
}

function stackOf(stage: string): string {
  return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stage}/5f0e8d60-4c1b-11ef-9a3e-${RUN}`;
}

describeWire('compile once on the long path: the handler bundle, the run\'s definition and a shared cache on moto_server', () => {
  let driver: Driver;
  let sfn: StepFunctions;
  let s3: S3Client;
  let sagemaker: SageMakerClient;
  /** The stand-in's SageMaker (and clock): any call a run makes is recorded here; a hit's run makes none. */
  let runSageMaker: FakeSageMaker;

  beforeAll(async () => {
    const config = { endpoint: endpoint!, region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    s3 = new S3Client(config);
    sagemaker = new SageMakerClient(config);
    for (const bucket of [MODELS, CACHE, outputOf('DevA'), outputOf('ProdB')]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: 'models/resnet18.tar.gz', Body: 'trained model' }));
    runSageMaker = new FakeSageMaker();
    runSageMaker.clock.advance(Math.floor((Date.now() - EPOCH_MS) / 1000));
    driver = await Driver.start({
      endpoint: endpoint!,
      clock: runSageMaker.clock,
      stepFunctions: (services) => {
        sfn = new StepFunctions({
          fake: runSageMaker,
          definition: longRunDefinitionFromTemplate(),
          stateMachineArn: STATE_MACHINE_ARN,
          signal: services.signalResource,
          describeStackResource: services.describeStackResource,
        });
        return sfn;
      },
    });
  });

  afterAll(async () => {
    await driver?.close();
    s3?.destroy();
    sagemaker?.destroy();
  });

  async function jobsOf(spec: CompilationJobSpec): Promise<string[]> {
    const out = await sagemaker.send(new ListCompilationJobsCommand({ NameContains: `${spec.jobNamePrefix}-`, MaxResults: 100 }));
    return (out.CompilationJobSummaries ?? []).map((job) => job.CompilationJobName!);
  }

  async function text(bucket: string, key: string): Promise<string> {
    return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  }

  test('stage A (one-hour path) publishes; stage B on the long path hits: 0 jobs, no SageMaker call by its run, CacheHit \'true\', the same digest, its own copy; B\'s delete keeps the entry', async () => {
    // Stage A: a miss; moto's job completes at once (its output is written here, as SageMaker would).
    const a = stageSpec('DevA', false);
    const aEvent = { ...createEvent(a, { requestId: `req-a-${RUN}` }), StackId: stackOf('DevA'), LogicalResourceId: 'ResnetDevA' };
    await s3.send(new PutObjectCommand({ Bucket: outputOf('DevA'), Key: `compiled/${nameOf(a, aEvent.RequestId)}`, Body: 'compiled by DevA' }));
    const { outcome: aOutcome } = await driver.deploy(aEvent, { rollback: false });
    expect(aOutcome.status).toBe('SUCCESS');
    const aData = aOutcome.data as CompilationJobAttributes;
    expect(aData.CacheHit).toBe('false');
    expect(await jobsOf(a)).toHaveLength(1);

    // Stage B: the long path's three resources, in its own stack.
    const b = stageSpec('ProdB', true);
    const long = new LongPath(driver);
    const logged = driver.handlerLogs.length;
    const op = await long.create([{ spec: b, logicalId: 'ResnetProdB', stackId: stackOf('ProdB') }]);
    expect([op.status, op.reason]).toEqual(['SUCCESS', undefined]);
    expect(op.outcomes.map((o) => `${o.resource} ${o.outcome.requestType} ${o.outcome.status}`)).toEqual(['start Create SUCCESS', 'result Create SUCCESS']);
    expect(op.waits.map((w) => w.status)).toEqual(['SUCCESS']);
    const [state] = op.states;
    const data = op.outcomes[1].outcome.data as CompilationJobAttributes;
    expect(data).toMatchObject({
      CacheHit: 'true',
      CompilationJobArn: aData.CompilationJobArn,
      CompilationJobName: aData.CompilationJobName,
      ArtifactDigest: aData.ArtifactDigest,
      InferenceImage: aData.InferenceImage,
    });
    // No compilation job: none in SageMaker, none created or described by the run.
    expect(await jobsOf(b)).toEqual([]);
    expect(runSageMaker.calls).toEqual([]);
    // The run's only calls: DescribeStackResource until CloudFormation begins the WaitCondition (3 s
    // after the start resource completed, the driver's default), then one SignalResource.
    const calls = sfn.sdkCalls();
    expect(Object.keys(calls).sort()).toEqual(['cloudformation:describeStackResource', 'cloudformation:signalResource']);
    expect(calls['cloudformation:signalResource']).toBe(1);
    const { executions } = await sfn.listExecutions({ stateMachineArn: STATE_MACHINE_ARN });
    expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    // CacheHit (the Choice), Copied, Signalling, SignalCheck, IsWaiting, Signal, Signalled, UntilSignalBy, Outcome, Done,
    // and (SignalCheckFault, SignalLater, SignalCheck) for each check before the WaitCondition began: no Race, no job state.
    expect(sfn.transitions(executions[0].executionArn)).toBe(10 + 3 * (calls['cloudformation:describeStackResource'] - 1));
    // Its own copy, under its own resource's name, in its own output.
    const physicalId = state.start.physicalId;
    expect(physicalId).toBe(nameOf(b, state.start.event.RequestId));
    const copyKey = `compiled/${physicalId}/${nameOf(a, aEvent.RequestId)}`;
    expect(data.ModelArtifactsS3Uri).toBe(`s3://${outputOf('ProdB')}/${copyKey}`);
    expect(await text(outputOf('ProdB'), copyKey)).toBe('compiled by DevA');
    // The deployment says it in its log: the lookup, the run that only signals, the result.
    const lines = driver.handlerLogs.slice(logged);
    expect(lines.filter((line) => line.startsWith('Compilation cache hit:'))).toHaveLength(2);
    expect(lines.some((line) => line.startsWith('Cache hit: run started to signal the WaitCondition; no job runs'))).toBe(true);

    // A tags-only Update of B: the same resource, so the same copy again; a new WaitCondition
    // (its logical id hashes the Spec), signalled by a new run that only signals; still no job.
    const tagged = { ...b, tags: [{ Key: 'stage', Value: 'prod' }] };
    const updated = await long.update([{ from: state, spec: tagged }]);
    expect([updated.status, updated.reason]).toEqual(['SUCCESS', undefined]);
    expect(updated.states[0].start.physicalId).toBe(physicalId);
    expect(updated.waits.map((w) => w.status)).toEqual(['SUCCESS']);
    const updatedResult = updated.outcomes.find((o) => o.resource === 'result')!.outcome.data as CompilationJobAttributes;
    expect(updatedResult).toEqual(data);
    expect(await jobsOf(b)).toEqual([]);
    expect(runSageMaker.calls).toEqual([]);
    const runs = (await sfn.listExecutions({ stateMachineArn: STATE_MACHINE_ARN })).executions;
    expect(runs.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    // B's stack is deleted: no job to stop or delete, the cache entry and B's copy stay (artifacts are never deleted).
    const entries = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: CACHE, Prefix: PREFIX }))).Contents ?? [])
      .map((o) => o.Key).sort();
    const before = await entries();
    expect(before.filter((key) => key!.endsWith('/entry.json'))).toHaveLength(1);
    const beforeDelete = driver.handlerLogs.length;
    const deleted = await long.delete([updated.states[0]]);
    expect(deleted.outcomes.map((o) => `${o.resource} ${o.outcome.requestType} ${o.outcome.status}`)).toEqual(['result Delete SUCCESS', 'start Delete SUCCESS']);
    // No job was stopped or deleted (sagemaker.ts and retire.ts log each), and no run was stopped.
    expect(driver.handlerLogs.slice(beforeDelete).filter((line) => /^(Stop requested|Compilation job record deleted|Run stopped)/.test(line))).toEqual([]);
    expect(await entries()).toEqual(before);
    expect(await text(outputOf('ProdB'), copyKey)).toBe('compiled by DevA');
    expect(runSageMaker.calls).toEqual([]);

    // Stage A's own delete leaves B's copy in place.
    const aDeleted = await driver.deploy({ ...deleteEvent(a, aOutcome.physicalResourceId, { requestId: `del-a-${RUN}` }), StackId: stackOf('DevA'), LogicalResourceId: 'ResnetDevA' }, { rollback: false });
    expect(aDeleted.outcome.status).toBe('SUCCESS');
    expect(await text(outputOf('ProdB'), copyKey)).toBe('compiled by DevA');
  });
});
