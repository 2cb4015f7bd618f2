/**
 * Wire tests: the REAL handler bundle inside aws-cdk-lib's Provider framework runtime, on the one
 * test driver (test/driver), with moto_server (a third-party AWS emulator speaking SageMaker and
 * S3 over HTTP) as SageMaker and S3. What these catch that the scripted fake cannot: the requests
 * really serialize and a third party's server accepts them, the error codes the handler branches
 * on (ResourceInUse, ResourceNotFound) arrive as the SDK deserializes them, ListCompilationJobs
 * and the Describe output the attributes are read from round-trip, and the S3 copy of a local
 * model reaches its `.tar.gz` key. CloudFormation is the driver's model.
 *
 * moto's jobs are COMPLETED the moment they are created, and moto has no StopCompilationJob:
 * running, failed, stopped and timed-out jobs are covered by test/handler only.
 *
 * moto 5.x quirks these tests step around (none is a handler behaviour):
 * - ListTags/AddTags answer HTTP 500 for a job created without tags: jobs whose tags are
 *   checked start with at least one tag;
 * - AddTags appends a tag whose key exists instead of overwriting its value;
 * - ListCompilationJobs answers HTTP 500 as soon as any job has a TargetPlatform without an
 *   Accelerator: every platform target here has one;
 * - ModelArtifacts.S3ModelArtifacts is the job's output location itself (real SageMaker: an
 *   archive under it), InferenceImage is the placeholder 'InferenceImage', the digest a fixed hex;
 */
import * as fs from 'fs';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateCompilationJobCommand,
  DescribeCompilationJobCommand,
  DescribeCompilationJobCommandOutput,
  ListCompilationJobsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { motoEndpoint } from './moto';
import type { OnEventRequest } from '../../lambda/compilation-job/cloudformation';
import type { CompilationJobRequest, CompilationJobSpec, JobTag } from '../../src/private/contract';
import { Driver } from '../driver/driver';
import { EPOCH_MS } from '../fault/fake-sagemaker';
import { createEvent, deleteEvent, nameOf, specOf, updateEvent } from '../handler/fixtures';
import { MODEL_ARCHIVE } from '../util';

/** moto's default account; every ARN it makes is in it. */
const MOTO_ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const endpoint = motoEndpoint();
const describeWire = endpoint ? describe : describe.skip;

/** Distinguishes this run's buckets and jobs when MOTO_ENDPOINT points at a long-lived moto. */
const RUN = Date.now().toString(36).slice(-6);
const MODELS = `neo-wire-models-${RUN}`;
const OUTPUT = `neo-wire-output-${RUN}`;
const ASSETS = `neo-wire-assets-${RUN}`;
const MODEL_KEY = 'models/resnet18.tar.gz';
/** A CDK file asset's object key: `<hash>.gz` (CDK keeps only the last extension). */
const ASSET_HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/NeoStack-ResnetRole1A2B3C4D-9XyZ8wVu7TsR`;

interface WireSpecOptions {
  readonly request?: Partial<CompilationJobRequest>;
  readonly tags?: JobTag[];
  readonly removalPolicy?: CompilationJobSpec['removalPolicy'];
  readonly inputCopy?: CompilationJobSpec['inputCopy'];
}

/** A job spec of its own (own name prefix) that reads from and writes to this run's buckets. */
function wireSpec(name: string, options: WireSpecOptions = {}): CompilationJobSpec {
  return specOf({
    jobNamePrefix: `W${RUN}-${name}`,
    constructAddress: `c8${RUN}${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`,
    tags: options.tags ?? [],
    removalPolicy: options.removalPolicy ?? 'destroy',
    inputCopy: options.inputCopy,
    request: {
      RoleArn: ROLE_ARN,
      InputConfig: { S3Uri: `s3://${MODELS}/${MODEL_KEY}`, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' },
      OutputConfig: { S3OutputLocation: `s3://${OUTPUT}/compiled/`, TargetDevice: 'ml_c5' },
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
      ...options.request,
    },
  });
}

describeWire('the handler bundle against moto_server', () => {
  let driver: Driver;
  let sagemaker: SageMakerClient;
  let s3: S3Client;

  /** One event to its end (no rollback); a FAILED answer throws with its reason. */
  async function runEvent(event: OnEventRequest) {
    const { outcome } = await driver.deploy(event, { rollback: false });
    if (outcome.status === 'FAILED') throw Object.assign(new Error(outcome.reason), { name: 'DeploymentError' });
    return { ...outcome, responseBytes: Buffer.byteLength(outcome.response!.raw, 'utf8') };
  }

  beforeAll(async () => {
    driver = await Driver.start({ endpoint: endpoint! });
    // moto keeps real time: so does the virtual clock, or the SDK would correct a skew.
    driver.clock.advance(Math.floor((Date.now() - EPOCH_MS) / 1000));
    const config = { endpoint: endpoint!, region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    sagemaker = new SageMakerClient(config);
    s3 = new S3Client(config);
    for (const bucket of [MODELS, OUTPUT, ASSETS]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const archive = fs.readFileSync(MODEL_ARCHIVE);
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: MODEL_KEY, Body: archive }));
    await s3.send(new PutObjectCommand({ Bucket: ASSETS, Key: `${ASSET_HASH}.gz`, Body: archive }));
  });

  afterAll(async () => {
    await driver?.close();
    sagemaker?.destroy();
    s3?.destroy();
  });

  /** The names of this spec's jobs (its prefix) that moto has. */
  async function jobsOf(spec: CompilationJobSpec): Promise<string[]> {
    const out = await sagemaker.send(new ListCompilationJobsCommand({ NameContains: `${spec.jobNamePrefix}-`, MaxResults: 100 }));
    return (out.CompilationJobSummaries ?? []).map((job) => job.CompilationJobName!).sort();
  }

  async function describeJob(name: string): Promise<DescribeCompilationJobCommandOutput | undefined> {
    try {
      return await sagemaker.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFound') return undefined;
      throw error;
    }
  }

  async function tagsOf(name: string): Promise<Record<string, string>> {
    const job = await describeJob(name);
    const out = await sagemaker.send(new ListTagsCommand({ ResourceArn: job!.CompilationJobArn }));
    return Object.fromEntries((out.Tags ?? []).map((tag) => [tag.Key!, tag.Value!]));
  }

  describe('Create', () => {
    test('creates the job, polls it to COMPLETED and returns the seven attributes from DescribeCompilationJob', async () => {
      const spec = wireSpec('Create', { tags: [{ Key: 'team', Value: 'ml' }] });

      const outcome = await runEvent(createEvent(spec));

      const name = outcome.physicalResourceId;
      expect(name).toMatch(new RegExp(`^${spec.jobNamePrefix}-[0-9a-f]{16}$`));
      expect(name).toBe(nameOf(spec)); // the bundle derives the name as the source does
      expect(outcome.polls).toBe(2); // the first poll creates the job, moto completes it at once
      expect(await jobsOf(spec)).toEqual([name]);

      // The request as moto received it: the handler's own output folder, numbers as numbers, tags.
      const job = (await describeJob(name))!;
      expect(job.CompilationJobStatus).toBe('COMPLETED');
      expect(job.RoleArn).toBe(ROLE_ARN);
      expect(job.InputConfig).toEqual(spec.request.InputConfig);
      expect(job.OutputConfig).toEqual({ S3OutputLocation: `s3://${OUTPUT}/compiled/${name}`, TargetDevice: 'ml_c5' });
      expect(job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 900 });
      expect(await tagsOf(name)).toEqual({ team: 'ml' });

      // moto reports ModelArtifacts.S3ModelArtifacts = the job's output location (real SageMaker:
      // `<location>/<archive>.tar.gz`), InferenceImage = 'InferenceImage' and a fixed hex digest.
      expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${OUTPUT}/compiled/${name}`);
      expect(job.InferenceImage).toBe('InferenceImage');
      expect(job.ModelDigests?.ArtifactDigest).toMatch(/^[0-9a-f]{128}$/);
      expect(outcome.data).toEqual({
        CompilationJobName: name,
        CompilationJobArn: `arn:aws:sagemaker:${REGION}:${MOTO_ACCOUNT}:compilation-job/${name}`,
        ModelArtifactsS3Uri: `s3://${OUTPUT}/compiled/${name}`,
        ModelArtifactsObjectKey: `compiled/${name}`,
        InferenceImage: job.InferenceImage,
        ArtifactDigest: job.ModelDigests!.ArtifactDigest,
        DerivedDataInputConfig: job.DerivedInformation?.DerivedDataInputConfig ?? '',
        CacheHit: 'false',
      });
      expect(outcome.data!.CompilationJobArn).toBe(job.CompilationJobArn);
      expect(outcome.responseBytes).toBeLessThan(4096);
    });

    test('a duplicate delivery of the same Create adopts the job: same physical id, still one job', async () => {
      const spec = wireSpec('Twice');
      const event = createEvent(spec);

      const first = await runEvent(event);
      const created = (await describeJob(first.physicalResourceId))!.CreationTime;
      const second = await runEvent(event); // moto answers ResourceInUse

      expect(second.physicalResourceId).toBe(first.physicalResourceId);
      expect(second.data).toEqual(first.data);
      expect(await jobsOf(spec)).toEqual([first.physicalResourceId]);
      expect((await describeJob(first.physicalResourceId))!.CreationTime).toEqual(created); // the same job, not a new one
    });

    test('adoption compares a platform target, VPC, KMS key and compiler options as they come back over the wire', async () => {
      const spec = wireSpec('Platform', {
        request: {
          OutputConfig: {
            S3OutputLocation: `s3://${OUTPUT}/edge/`,
            TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
            CompilerOptions: '{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}',
            KmsKeyId: `arn:aws:kms:${REGION}:${MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          },
          VpcConfig: { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] },
        },
      });
      const first = await runEvent(createEvent(spec));
      const second = await runEvent(createEvent(spec));

      expect(second.physicalResourceId).toBe(first.physicalResourceId);
      expect(second.data).toEqual(first.data);
      const job = (await describeJob(first.physicalResourceId))!;
      expect(job.OutputConfig).toEqual({ ...spec.request.OutputConfig, S3OutputLocation: `s3://${OUTPUT}/edge/${first.physicalResourceId}` });
      expect(job.VpcConfig).toEqual(spec.request.VpcConfig);
    });

    test('a job of the same name made from another request is not adopted: the Create fails and says why', async () => {
      const spec = wireSpec('Taken');
      const name = nameOf(spec);
      await sagemaker.send(new CreateCompilationJobCommand({
        CompilationJobName: name,
        RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SomeoneElse`,
        InputConfig: { S3Uri: `s3://${MODELS}/${MODEL_KEY}`, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' },
        OutputConfig: { S3OutputLocation: `s3://${OUTPUT}/compiled/${name}`, TargetDevice: 'ml_c5' },
        StoppingCondition: { MaxRuntimeInSeconds: 900 },
      }));

      await expect(runEvent(createEvent(spec))).rejects.toThrow(
        new RegExp(`^A compilation job named ${name} already exists with a different request \\(RoleArn\\)`));
      expect(await jobsOf(spec)).toEqual([name]);
    });

    test('a local model is copied from its asset key (<hash>.gz) to the .tar.gz key the job reads', async () => {
      const target = `s3://${OUTPUT}/model-inputs/${ASSET_HASH}.tar.gz`;
      const spec = wireSpec('Asset', {
        inputCopy: { source: `s3://${ASSETS}/${ASSET_HASH}.gz`, target },
        request: { InputConfig: { S3Uri: target, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
      });

      const outcome = await runEvent(createEvent(spec));

      const copy = await s3.send(new GetObjectCommand({ Bucket: OUTPUT, Key: `model-inputs/${ASSET_HASH}.tar.gz` }));
      expect(Buffer.from(await copy.Body!.transformToByteArray())).toEqual(fs.readFileSync(MODEL_ARCHIVE));
      expect((await describeJob(outcome.physicalResourceId))!.InputConfig?.S3Uri).toBe(target);
    });

    test('a copy that exists already is not copied again (the target key is content-addressed)', async () => {
      const hash = 'b'.repeat(64);
      const target = `s3://${OUTPUT}/model-inputs/${hash}.tar.gz`;
      await s3.send(new PutObjectCommand({ Bucket: ASSETS, Key: `${hash}.gz`, Body: 'the asset' }));
      await s3.send(new PutObjectCommand({ Bucket: OUTPUT, Key: `model-inputs/${hash}.tar.gz`, Body: 'the earlier copy' }));
      const spec = wireSpec('Copied', {
        inputCopy: { source: `s3://${ASSETS}/${hash}.gz`, target },
        request: { InputConfig: { S3Uri: target, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
      });

      await runEvent(createEvent(spec));

      const copy = await s3.send(new GetObjectCommand({ Bucket: OUTPUT, Key: `model-inputs/${hash}.tar.gz` }));
      expect(await copy.Body!.transformToString()).toBe('the earlier copy');
    });

    test('a missing asset fails the Create before any job exists', async () => {
      const target = `s3://${OUTPUT}/model-inputs/0000.tar.gz`;
      const spec = wireSpec('NoAsset', {
        inputCopy: { source: `s3://${ASSETS}/0000.gz`, target },
        request: { InputConfig: { S3Uri: target, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' } },
      });

      await expect(runEvent(createEvent(spec))).rejects.toThrow();
      expect(await jobsOf(spec)).toEqual([]);
      await expect(s3.send(new HeadObjectCommand({ Bucket: OUTPUT, Key: 'model-inputs/0000.tar.gz' }))).rejects.toThrow();
    });

    test('a model package input sends ModelPackageVersionArn and no InputConfig', async () => {
      const packageArn = `arn:aws:sagemaker:${REGION}:${MOTO_ACCOUNT}:model-package/resnet/3`;
      const spec = wireSpec('Package', { request: { InputConfig: undefined, ModelPackageVersionArn: packageArn } });

      const outcome = await runEvent(createEvent(spec));
      const again = await runEvent(createEvent(spec)); // adoption with a model package

      expect(again.physicalResourceId).toBe(outcome.physicalResourceId);
      const job = (await describeJob(outcome.physicalResourceId))!;
      expect(job.ModelPackageVersionArn).toBe(packageArn);
      expect(job.InputConfig).toBeUndefined();
      expect(outcome.data!.CompilationJobName).toBe(outcome.physicalResourceId);
    });
  });

  describe('Update', () => {
    test('a changed request compiles a new job; the Delete of the old physical id removes the old record', async () => {
      const before = wireSpec('Replace');
      const after = wireSpec('Replace', { request: { StoppingCondition: { MaxRuntimeInSeconds: 600 } } });
      const created = await runEvent(createEvent(before));

      const updated = await runEvent(updateEvent(after, before, created.physicalResourceId));

      expect(updated.physicalResourceId).not.toBe(created.physicalResourceId);
      expect(updated.physicalResourceId).toBe(nameOf(after));
      expect(updated.data!.ModelArtifactsS3Uri).toBe(`s3://${OUTPUT}/compiled/${updated.physicalResourceId}`);
      expect(await jobsOf(after)).toEqual([created.physicalResourceId, updated.physicalResourceId].sort());

      // CloudFormation's cleanup: a Delete of the old physical id with the OLD properties.
      await runEvent(deleteEvent(before, created.physicalResourceId));

      expect(await jobsOf(after)).toEqual([updated.physicalResourceId]);
      expect((await describeJob(updated.physicalResourceId))!.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 600 });
    });

    test('a change of tags alone updates the tags in place: same physical id, same job', async () => {
      const before = wireSpec('Tags', { tags: [{ Key: 'team', Value: 'ml' }, { Key: 'stage', Value: 'dev' }] });
      const after = wireSpec('Tags', { tags: [{ Key: 'team', Value: 'ml' }, { Key: 'owner', Value: 'edge' }] });
      const created = await runEvent(createEvent(before));

      const updated = await runEvent(updateEvent(after, before, created.physicalResourceId));

      expect(updated.physicalResourceId).toBe(created.physicalResourceId);
      expect(updated.data).toEqual(created.data);
      expect(await jobsOf(after)).toEqual([created.physicalResourceId]);
      expect(await tagsOf(created.physicalResourceId)).toEqual({ team: 'ml', owner: 'edge' });
    });

    test('nothing changed but the ServiceToken (a library upgrade): same physical id, no new job', async () => {
      const spec = wireSpec('Same');
      const created = await runEvent(createEvent(spec, { serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:old' }));

      const updated = await runEvent(updateEvent(spec, spec, created.physicalResourceId, {
        serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:new',
        oldServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:old',
      }));

      expect(updated.physicalResourceId).toBe(created.physicalResourceId);
      expect(await jobsOf(spec)).toEqual([created.physicalResourceId]);
    });
  });

  describe('Delete', () => {
    test('removes the job record (removalPolicy destroy); a repeated Delete succeeds', async () => {
      const spec = wireSpec('Destroy');
      const { physicalResourceId } = await runEvent(createEvent(spec));

      const deleted = await runEvent(deleteEvent(spec, physicalResourceId));

      expect(deleted.physicalResourceId).toBe(physicalResourceId);
      expect(await describeJob(physicalResourceId)).toBeUndefined();
      expect(await jobsOf(spec)).toEqual([]);
      await expect(runEvent(deleteEvent(spec, physicalResourceId))).resolves.toMatchObject({ physicalResourceId });
    });

    test('keeps the job record with removalPolicy retain; a later Create of the same job adopts it', async () => {
      const spec = wireSpec('Retain', { removalPolicy: 'retain' });
      const created = await runEvent(createEvent(spec));

      await runEvent(deleteEvent(spec, created.physicalResourceId));

      expect((await describeJob(created.physicalResourceId))?.CompilationJobStatus).toBe('COMPLETED');
      const recreated = await runEvent(createEvent(spec));
      expect(recreated.physicalResourceId).toBe(created.physicalResourceId);
      expect(recreated.data).toEqual(created.data);
      expect(await jobsOf(spec)).toEqual([created.physicalResourceId]);
    });

    test('a physical id that is not a job name (a cancelled Create) deletes the job named from the properties', async () => {
      const spec = wireSpec('Invented');
      const { physicalResourceId: name } = await runEvent(createEvent(spec));
      const invented = 'NeoStack-ResnetLLLL1A2B3C4D-1XQ9Z8Y7W6V5U';

      const deleted = await runEvent(deleteEvent(spec, invented));

      expect(deleted.physicalResourceId).toBe(invented);
      expect(await describeJob(name)).toBeUndefined();
    });

    test('a job that never existed: the Delete succeeds', async () => {
      const spec = wireSpec('Never');
      await expect(runEvent(deleteEvent(spec, nameOf(spec)))).resolves.toMatchObject({ physicalResourceId: nameOf(spec) });
    });
  });
});
