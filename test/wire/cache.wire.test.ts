/**
 * Compile once, on the wire: the REAL handler bundle inside aws-cdk-lib's Provider framework
 * runtime (the one test driver, test/driver), with moto_server as SageMaker and S3. Stages are
 * jobs of other stacks (other name prefixes, roles, output buckets, KMS keys) that share one
 * cache bucket, as a pipeline's stages would.
 *
 * moto 5.2.1 honours S3 conditional writes on PutObject (`If-None-Match: *` and `If-Match`
 * answer 412 PreconditionFailed, as S3 does:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html), so the record's
 * conditional write is tested here for real. It ignores `x-amz-copy-source-if-match` on
 * CopyObject (checked by hand: a wrong ETag is copied anyway); the handler compares the
 * artifact's ETag and size with HeadObject before the copy, which is what these tests exercise.
 *
 * moto's job reports `ModelArtifacts.S3ModelArtifacts` = its output location and writes nothing
 * there: each test puts the "compiled" bytes there first (`compiledBy`), as SageMaker would.
 */
import {
  CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateCompilationJobCommand, CreateCompilationJobCommandInput, ListCompilationJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { motoEndpoint } from './moto';
import { published } from '../../lambda/compilation-job/cache';
import type { CreateEvent, OnEventRequest } from '../../lambda/compilation-job/cloudformation';
import { attributesOf } from '../../lambda/compilation-job/model-files';
import type { JobDescription } from '../../lambda/compilation-job/sagemaker';
import { createRequestOf } from '../../lambda/compilation-job/spec';
import type { CacheRecord } from '../../src/private/cache-contract';
import type { CompilationJobAttributes, CompilationJobSpec, CompilationResultSpec } from '../../src/private/contract';
import { RESULT_RESOURCE_TYPE } from '../../src/private/contract';
import { Driver } from '../driver/driver';
import { EPOCH_MS } from '../fault/fake-sagemaker';
import { createEvent, deleteEvent, nameOf, specOf, updateEvent } from '../handler/fixtures';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const endpoint = motoEndpoint();
const describeWire = endpoint ? describe : describe.skip;

const RUN = Date.now().toString(36).slice(-6);
const MODELS = `neo-cache-models-${RUN}`;
const CACHE = `neo-cache-shared-${RUN}`;
const PREFIX = 'neo-cache/';

interface StageOptions {
  readonly target?: string;
  readonly compilerOptions?: string;
  readonly modelKey?: string;
  readonly kmsKeyId?: string;
}

/** A stage's job: its own stack prefix, role and output bucket; the shared cache. */
function stageSpec(stage: string, options: StageOptions = {}): CompilationJobSpec {
  const modelKey = options.modelKey ?? 'models/resnet18.tar.gz';
  return specOf({
    jobNamePrefix: `${stage}-${RUN}-Resnet`,
    constructAddress: `c8${RUN}${stage.toLowerCase()}`,
    request: {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${stage}-ResnetRole`,
      InputConfig: { S3Uri: `s3://${MODELS}/${modelKey}`, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' },
      OutputConfig: {
        S3OutputLocation: `s3://${outputOf(stage)}/compiled/`,
        TargetDevice: options.target ?? 'ml_c5',
        CompilerOptions: options.compilerOptions,
        KmsKeyId: options.kmsKeyId,
      },
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
    },
    cache: { bucket: CACHE, prefix: PREFIX, model: { object: `s3://${MODELS}/${modelKey}` } },
  });
}

function outputOf(stage: string): string {
  return `neo-out-${stage.toLowerCase()}-${RUN}`;
}

/** The Create of a stage's resource, in a stack of its own. */
function stageCreate(stage: string, spec: CompilationJobSpec): CreateEvent {
  return {
    ...createEvent(spec, { requestId: `req-${stage}-${RUN}` }),
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stage}/5f0e8d60-4c1b-11ef-9a3e-${RUN}`,
    LogicalResourceId: `Resnet${stage}`,
  };
}

describeWire('compile once: the handler bundle and a shared cache on moto_server', () => {
  let driver: Driver;
  let s3: S3Client;
  let sagemaker: SageMakerClient;
  const buckets = new Set<string>();

  beforeAll(async () => {
    driver = await Driver.start({ endpoint: endpoint! });
    driver.clock.advance(Math.floor((Date.now() - EPOCH_MS) / 1000));
    const config = { endpoint: endpoint!, region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    s3 = new S3Client(config);
    sagemaker = new SageMakerClient(config);
    // The handler's cache module, run in this process too (the race below): its S3 client is moto.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
    });
    for (const bucket of [MODELS, CACHE]) await bucketOf(bucket);
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: 'models/resnet18.tar.gz', Body: 'trained model v1' }));
  });

  afterAll(async () => {
    await driver?.close();
    s3?.destroy();
    sagemaker?.destroy();
  });

  async function bucketOf(bucket: string): Promise<void> {
    if (buckets.has(bucket)) return;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    buckets.add(bucket);
  }

  /** What SageMaker would have written for the job this Create makes (moto writes nothing). */
  async function compiledBy(event: CreateEvent, spec: CompilationJobSpec, bytes: string): Promise<void> {
    const output = spec.request.OutputConfig.S3OutputLocation.replace(/^s3:\/\/([^/]+)\/(.*)$/, '$1 $2').split(' ');
    await bucketOf(output[0]);
    await s3.send(new PutObjectCommand({ Bucket: output[0], Key: `${output[1]}${nameOf(spec, event.RequestId)}`, Body: bytes }));
  }

  /** Deploys a stage's Create to its end; a FAILED answer throws with its reason. */
  async function deployStage(stage: string, options: StageOptions = {}, bytes?: string) {
    const spec = stageSpec(stage, options);
    const event = stageCreate(stage, spec);
    await bucketOf(outputOf(stage));
    if (bytes !== undefined) await compiledBy(event, spec, bytes);
    const { outcome } = await driver.deploy(event, { rollback: false });
    if (outcome.status === 'FAILED') throw new Error(outcome.reason);
    return { spec, event, outcome, data: outcome.data as CompilationJobAttributes, jobs: await jobsOf(spec) };
  }

  async function jobsOf(spec: CompilationJobSpec): Promise<string[]> {
    const out = await sagemaker.send(new ListCompilationJobsCommand({ NameContains: `${spec.jobNamePrefix}-`, MaxResults: 100 }));
    return (out.CompilationJobSummaries ?? []).map((job) => job.CompilationJobName!);
  }

  async function text(bucket: string, key: string): Promise<string> {
    return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  }

  /** Every record in the cache, by its key (a record that does not parse: `key: 'unparsable'`). */
  async function records(): Promise<Map<string, CacheRecord>> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: CACHE, Prefix: PREFIX }));
    const found = new Map<string, CacheRecord>();
    for (const object of out.Contents ?? []) {
      if (!object.Key!.endsWith('/entry.json')) continue;
      const body = await text(CACHE, object.Key!);
      try {
        found.set(object.Key!, JSON.parse(body) as CacheRecord);
      } catch {
        found.set(object.Key!, { key: 'unparsable' } as CacheRecord);
      }
    }
    return found;
  }

  async function artifactsUnder(key: string): Promise<string[]> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: CACHE, Prefix: `${PREFIX}${key}/artifacts/` }));
    return (out.Contents ?? []).map((o) => o.Key!);
  }

  function recordOf(all: Map<string, CacheRecord>, jobArn: string): CacheRecord {
    const record = [...all.values()].find((r) => r.compilationJobArn === jobArn);
    if (!record) throw new Error(`no record of ${jobArn}`);
    return record;
  }

  test('stage A misses, compiles once and publishes; stage B hits: no job, its own copy (its KMS key), the same digest and job ARN; deleting A keeps B\'s copy', async () => {
    const a = await deployStage('DevA', {}, 'compiled by DevA');
    expect(a.data.CacheHit).toBe('false');
    expect(a.jobs).toHaveLength(1);
    const record = recordOf(await records(), a.data.CompilationJobArn);
    expect(record).toMatchObject({
      compilationJobName: a.jobs[0],
      artifactDigest: a.data.ArtifactDigest,
      inferenceImage: a.data.InferenceImage,
      account: ACCOUNT,
      region: REGION,
      inputs: expect.objectContaining({ targetDevice: 'ml_c5', model: { object: `s3://${MODELS}/models/resnet18.tar.gz`, etag: expect.any(String) } }),
    });
    expect(await text(CACHE, record.artifact.key)).toBe('compiled by DevA');
    expect((await s3.send(new HeadObjectCommand({ Bucket: CACHE, Key: record.artifact.key }))).ETag).toBe(record.artifact.etag);

    const kmsKeyId = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const logged = driver.handlerLogs.length;
    const b = await deployStage('ProdB', { kmsKeyId });
    // The deployment says it in its log (the handler's CloudWatch Logs), as well as in the attribute.
    expect(driver.handlerLogs.slice(logged).filter((line) => line.startsWith('Compilation cache hit:'))).toEqual([
      `Compilation cache hit: s3://${CACHE}/${PREFIX}${record.key}/, compiled by ${a.data.CompilationJobArn}; copied to ${b.data.ModelArtifactsS3Uri}; no job runs`,
    ]);
    expect(b.jobs).toEqual([]);
    expect(b.data).toMatchObject({
      CacheHit: 'true',
      CompilationJobArn: a.data.CompilationJobArn,
      CompilationJobName: a.data.CompilationJobName,
      ArtifactDigest: a.data.ArtifactDigest,
      InferenceImage: a.data.InferenceImage,
    });
    expect(b.outcome.physicalResourceId).toBe(nameOf(b.spec, b.event.RequestId));
    const copyKey = `compiled/${b.outcome.physicalResourceId}/${a.jobs[0]}`;
    expect(b.data.ModelArtifactsS3Uri).toBe(`s3://${outputOf('ProdB')}/${copyKey}`);
    expect(b.data.ModelArtifactsObjectKey).toBe(copyKey);
    expect(await text(outputOf('ProdB'), copyKey)).toBe('compiled by DevA');
    const head = await s3.send(new HeadObjectCommand({ Bucket: outputOf('ProdB'), Key: copyKey }));
    expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', kmsKeyId]);

    // Stage A's stack is deleted: its job record goes (DESTROY); the cache entry and B's copy stay.
    const deleted = await driver.deploy(deleteEvent(a.spec, a.outcome.physicalResourceId, { requestId: `del-${RUN}` }), { rollback: false });
    expect(deleted.outcome.status).toBe('SUCCESS');
    expect(await jobsOf(a.spec)).toEqual([]);
    expect(await text(outputOf('ProdB'), copyKey)).toBe('compiled by DevA');
    expect(await text(CACHE, record.artifact.key)).toBe('compiled by DevA');
    // ...and B's own Delete removes no object either (a hit has no job; artifacts are never deleted).
    const deletedB = await driver.deploy(deleteEvent(b.spec, b.outcome.physicalResourceId, { requestId: `delb-${RUN}` }), { rollback: false });
    expect(deletedB.outcome.status).toBe('SUCCESS');
    expect(await text(outputOf('ProdB'), copyKey)).toBe('compiled by DevA');
    // A later stage still hits, with the job ARN of the stage that is gone.
    const c = await deployStage('ProdC');
    expect(c.data).toMatchObject({ CacheHit: 'true', CompilationJobArn: a.data.CompilationJobArn });
  });

  test('an Update of a stage that hit, with the same request (tags only), answers from the cache again and creates no job', async () => {
    const modelKey = 'models/update.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights to update' }));
    const a = await deployStage('UpdA', { modelKey }, 'compiled by UpdA');
    const b = await deployStage('UpdB', { modelKey });
    expect(b.data.CacheHit).toBe('true');
    const tagged = { ...b.spec, tags: [{ Key: 'stage', Value: 'prod' }] };
    const update = { ...updateEvent(tagged, b.spec, b.outcome.physicalResourceId, { requestId: `upd-${RUN}` }), StackId: b.event.StackId, LogicalResourceId: b.event.LogicalResourceId };
    const { outcome } = await driver.deploy(update, { rollback: false });
    expect(outcome.status).toBe('SUCCESS');
    expect(outcome.physicalResourceId).toBe(b.outcome.physicalResourceId);
    expect(outcome.data).toEqual(b.data);
    expect(await jobsOf(b.spec)).toEqual([]);
    expect(a.jobs).toHaveLength(1);
  });

  test('the rollback of a cancelled replacing Update of a stage that hit answers from the cache again: no job of the old request', async () => {
    const modelKey = 'models/rollback.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights to roll back' }));
    await deployStage('RollA', { modelKey }, 'compiled by RollA');
    const b = await deployStage('RollB', { modelKey });
    expect(b.data.CacheHit).toBe('true');
    // An Update to another target (a miss: it compiles), cancelled by another resource's failure.
    const changed = stageSpec('RollB', { modelKey, target: 'ml_m5' });
    const update = {
      ...updateEvent(changed, b.spec, b.outcome.physicalResourceId, { requestId: `roll-${RUN}` }), StackId: b.event.StackId, LogicalResourceId: b.event.LogicalResourceId,
    };
    await compiledBy({ ...update, RequestType: 'Create' } as unknown as CreateEvent, changed, 'compiled for ml_m5');
    const { outcome, rollback } = await driver.deploy(update, { cancelAfterSeconds: 1 });
    expect(outcome.status).toBe('FAILED');
    expect(rollback.map((o) => [o.requestType, o.status, o.physicalResourceId])).toEqual([['Update', 'SUCCESS', b.outcome.physicalResourceId]]);
    expect((rollback[0].data as CompilationJobAttributes | undefined)?.CacheHit).toBe('true');
    // The cancelled update's job is retired (DESTROY); no job of the old request was created.
    expect(await jobsOf(b.spec)).toEqual([]);
  });

  test('a changed target or compiler option misses and compiles', async () => {
    await deployStage('BaseT', {}, 'compiled by BaseT').catch(() => undefined); // publishes, unless the first test did
    const target = await deployStage('TargetM5', { target: 'ml_m5' }, 'compiled for ml_m5');
    expect([target.data.CacheHit, target.jobs.length]).toEqual(['false', 1]);
    const option = await deployStage('OptionC5', { compilerOptions: '{"mcpu":"core-avx2"}' }, 'compiled with an option');
    expect([option.data.CacheHit, option.jobs.length]).toEqual(['false', 1]);
    // Each published an entry of its own, that a stage asking the same hits.
    expect((await deployStage('TargetM5b', { target: 'ml_m5' })).data).toMatchObject({ CacheHit: 'true', CompilationJobArn: target.data.CompilationJobArn });
  });

  test('model bytes overwritten under the same key miss (a new ETag) and compile', async () => {
    const modelKey = 'models/overwritten.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights v1' }));
    const first = await deployStage('OverA', { modelKey }, 'compiled from v1');
    expect(first.data.CacheHit).toBe('false');
    expect((await deployStage('OverB', { modelKey })).data.CacheHit).toBe('true');

    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights v2, retrained' }));
    const after = await deployStage('OverC', { modelKey }, 'compiled from v2');
    expect([after.data.CacheHit, after.jobs.length]).toEqual(['false', 1]);
    expect(await text(outputOf('OverC'), after.data.ModelArtifactsObjectKey)).toBe('compiled from v2');
  });

  test('a model overwritten while its job compiles is not published (the bytes compiled are not known)', async () => {
    const modelKey = 'models/moving.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights before' }));
    const spec = stageSpec('MovingA', { modelKey });
    const event = stageCreate('MovingA', spec);
    await bucketOf(outputOf('MovingA'));
    await compiledBy(event, spec, 'compiled from whichever');
    // Between the lookup (onEvent, t0) and the publication (the poll that sees COMPLETED, t0 + 5 s).
    driver.schedule(driver.clock.seconds + 2, async () => {
      await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights after' }));
    });
    const before = (await records()).size;
    const logged = driver.handlerLogs.length;
    const { outcome } = await driver.deploy(event, { rollback: false });
    expect([outcome.status, (outcome.data as CompilationJobAttributes).CacheHit]).toEqual(['SUCCESS', 'false']);
    expect((await records()).size).toBe(before);
    expect(driver.handlerLogs.slice(logged).some((line) => line.includes('the model changed while the job compiled; not published'))).toBe(true);
  });

  test('two concurrent misses (one stack create) compile twice and leave one consistent entry', async () => {
    const modelKey = 'models/concurrent.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'concurrent weights' }));
    const stages = ['RaceA', 'RaceB'];
    const specs = stages.map((stage) => stageSpec(stage, { modelKey }));
    const events = stages.map((stage, i) => stageCreate(stage, specs[i]));
    for (const [i, stage] of stages.entries()) {
      await bucketOf(outputOf(stage));
      await compiledBy(events[i], specs[i], `compiled by ${stage}`);
    }
    const result = await driver.createStack(events);
    expect(result.outcomes.map((o) => [o.status, (o.data as CompilationJobAttributes).CacheHit])).toEqual([['SUCCESS', 'false'], ['SUCCESS', 'false']]);
    const arns = result.outcomes.map((o) => (o.data as CompilationJobAttributes).CompilationJobArn);
    const entries = [...(await records()).values()].filter((r) => arns.includes(r.compilationJobArn));
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    const winner = stages[arns.indexOf(entry.compilationJobArn)];
    expect(await text(CACHE, entry.artifact.key)).toBe(`compiled by ${winner}`);
    expect((await deployStage('RaceC', { modelKey })).data).toMatchObject({ CacheHit: 'true', CompilationJobArn: entry.compilationJobArn });
  });

  test('a corrupted entry (its artifact overwritten) is ignored, recompiled and replaced', async () => {
    const modelKey = 'models/corrupted.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights to corrupt' }));
    const first = await deployStage('CorruptA', { modelKey }, 'good bytes');
    const record = recordOf(await records(), first.data.CompilationJobArn);
    await s3.send(new PutObjectCommand({ Bucket: CACHE, Key: record.artifact.key, Body: 'flipped bits' }));

    const second = await deployStage('CorruptB', { modelKey }, 'recompiled bytes');
    expect([second.data.CacheHit, second.jobs.length]).toEqual(['false', 1]);
    const replaced = recordOf(await records(), second.data.CompilationJobArn);
    expect(replaced.key).toBe(record.key); // the same entry, now naming the new job's artifact
    expect((await deployStage('CorruptC', { modelKey })).data).toMatchObject({ CacheHit: 'true', CompilationJobArn: second.data.CompilationJobArn });
    expect(await text(outputOf('CorruptC'), `compiled/${nameOf(stageSpec('CorruptC', { modelKey }), `req-CorruptC-${RUN}`)}/${second.jobs[0]}`))
      .toBe('recompiled bytes');
  });

  test.each([
    ['a record cut short', (r: CacheRecord) => JSON.stringify(r).slice(0, 80)],
    ['a record without its artifact\'s ETag', (r: CacheRecord) => JSON.stringify({ ...r, artifact: { key: r.artifact.key, size: r.artifact.size } })],
    ['a whole record whose artifact was never written', (r: CacheRecord) => JSON.stringify({ ...r, artifact: { ...r.artifact, key: `${r.artifact.key}-missing` } })],
  ])('a partial entry (%s) is ignored and recompiled', async (name, damage) => {
    const tag = name.replace(/[^a-z]/gi, '').slice(0, 10);
    const modelKey = `models/partial-${tag}.tar.gz`;
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: `weights ${tag}` }));
    const first = await deployStage(`P${tag}A`, { modelKey }, 'first bytes');
    const [recordKey] = [...(await records()).entries()].find(([, r]) => r.compilationJobArn === first.data.CompilationJobArn)!;
    const record = recordOf(await records(), first.data.CompilationJobArn);
    await s3.send(new PutObjectCommand({ Bucket: CACHE, Key: recordKey, Body: damage(record) }));

    const second = await deployStage(`P${tag}B`, { modelKey }, 'second bytes');
    expect([second.data.CacheHit, second.jobs.length]).toEqual(['false', 1]);
    expect(JSON.parse(await text(CACHE, recordKey))).toMatchObject({ compilationJobArn: second.data.CompilationJobArn });
    expect(await artifactsUnder(record.key)).toHaveLength(2); // nothing is deleted: the first artifact stays
  });

  test('two publishers past the lookup at once: one conditional write wins, and the entry stays the winner\'s', async () => {
    const modelKey = 'models/race.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'raced weights' }));
    const stages = ['RaceX', 'RaceY'];
    const specs = stages.map((stage) => stageSpec(stage, { modelKey }));
    const jobs: JobDescription[] = stages.map((stage, i) => {
      const name = `${specs[i].jobNamePrefix}-0123456789abcdef`;
      return {
        $metadata: {},
        CompilationJobName: name,
        CompilationJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:compilation-job/${name}`,
        CompilationJobStatus: 'COMPLETED',
        ModelArtifacts: { S3ModelArtifacts: `s3://${outputOf(stage)}/compiled/${name}/model-ml_c5.tar.gz` },
        InferenceImage: 'image',
        ModelDigests: { ArtifactDigest: `digest of ${stage}` },
      } as JobDescription;
    });
    for (const [i, stage] of stages.entries()) {
      await bucketOf(outputOf(stage));
      await s3.send(new PutObjectCommand({ Bucket: outputOf(stage), Key: `compiled/${jobs[i].CompilationJobName}/model-ml_c5.tar.gz`, Body: `bytes of ${stage}` }));
    }
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    let said: string[];
    try {
      await Promise.all(specs.map((spec, i) => published(spec, undefined, jobs[i], { IsComplete: true, Data: attributesOf(jobs[i]) })));
    } finally {
      said = info.mock.calls.map((call) => String(call[0]));
      info.mockRestore();
    }
    const winners = said.filter((line) => line.startsWith('Compilation cache: published'));
    expect(said.filter((line) => line.startsWith('Compilation cache: another stage published'))).toHaveLength(1);
    expect(winners).toHaveLength(1);
    const winner = stages.findIndex((_, i) => winners[0].includes(jobs[i].CompilationJobName!));
    const entries = [...(await records()).values()].filter((r) => jobs.some((job) => job.CompilationJobArn === r.compilationJobArn));
    expect(entries.map((r) => r.compilationJobArn)).toEqual([jobs[winner].CompilationJobArn]);
    expect(await artifactsUnder(entries[0].key)).toHaveLength(2); // both passed the lookup and uploaded
    expect(await text(CACHE, entries[0].artifact.key)).toBe(`bytes of ${stages[winner]}`);
    expect(entries[0].artifactDigest).toBe(`digest of ${stages[winner]}`);
  });

  test('the long path publishes: its result resource, after the job COMPLETED, publishes under the key a one-hour stage then hits', async () => {
    const modelKey = 'models/long.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: modelKey, Body: 'weights compiled for hours' }));
    const spec = stageSpec('LongA', { modelKey });
    const name = `${spec.jobNamePrefix}-0123456789abcdef`;
    await bucketOf(outputOf('LongA'));
    // What the long path's run did: the job, created with the whole request (moto completes it at once).
    await sagemaker.send(new CreateCompilationJobCommand(createRequestOf(spec, name) as CreateCompilationJobCommandInput));
    await s3.send(new PutObjectCommand({ Bucket: outputOf('LongA'), Key: `compiled/${name}`, Body: 'compiled on the long path' }));
    const result: CompilationResultSpec = {
      compilationJobName: name,
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:LongRun:${name}-run`,
      deadline: new Date(driver.clock.ms + 3600_000).toISOString(),
      timeoutSeconds: 7200,
      waitCondition: 'ResnetCompiled1A2B3C4D',
      cache: spec.cache,
    };
    const event = {
      ...stageCreate('LongA', spec), LogicalResourceId: 'ResnetResult', ResourceType: RESULT_RESOURCE_TYPE, ResourceProperties: { ServiceToken: 'token', Result: JSON.stringify(result) },
    } as unknown as OnEventRequest;
    const { outcome } = await driver.deploy(event, { rollback: false });
    expect(outcome.status).toBe('SUCCESS');
    expect((outcome.data as CompilationJobAttributes).CacheHit).toBe('false');

    const b = await deployStage('LongB', { modelKey });
    expect(b.jobs).toEqual([]);
    expect(b.data).toMatchObject({ CacheHit: 'true', CompilationJobName: name });
    expect(await text(outputOf('LongB'), b.data.ModelArtifactsObjectKey)).toBe('compiled on the long path');
  });
});
