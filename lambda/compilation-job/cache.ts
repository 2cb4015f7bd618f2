// Compile once (the `cache` prop): the key of a compilation, the lookup (a hit copies the cached
// artifact into this stage's own output location), and the publication after a miss compiled.
//
// An entry is `<prefix><key>/entry.json` (the record) and the artifact it names, under
// `<prefix><key>/artifacts/<job name>/`. The artifact is written first, under a key of its own
// publisher, and the record last, only if none exists (S3 conditional writes, `If-None-Match: *`:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). So two stages
// that miss at once each upload their own artifact, one record wins, and it names its own
// artifact with S3's ETag and size of it: a reader trusts a record only whole and only while the
// artifact it names still has that ETag and size (an overwritten or missing artifact is a miss,
// and the copy is conditional on that ETag, `x-amz-copy-source-if-match`). Nothing here deletes.
import { createHash } from 'crypto';
import type { IsCompleteResponse, OnEventResponse } from './cloudformation';
import { DeploymentError } from './cloudformation';
import { MAX_ATTRIBUTES_JSON_BYTES, parseS3Uri } from './model-files';
import { runtimeClient } from './runtime-sdk';
import { describeJob, type JobDescription } from './sagemaker';
import { canonicalJson, outputLocationOf } from './spec';
import type { CacheModelIdentity, CacheRecord, CacheSpec } from '../../src/private/cache-contract';
import { CACHE_FORMAT, CACHE_RECORD_NAME } from '../../src/private/cache-contract';
import type { CompilationJobAttributes, CompilationJobRequest, CompilationJobSpec } from '../../src/private/contract';
import { errorName, isTransientSdkError } from '../shared/sdk-errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const s3Client = runtimeClient(() => require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'), (m) => new m.S3Client({}));

/** The model's identity as the key holds it: an S3 object's version or ETag read now. */
export type ResolvedModelIdentity = Record<string, string>;

/**
 * What the key is computed from: everything that decides the compiled bytes (the model's bytes,
 * framework and version, input shapes, target, compiler options; the Region, since Neo's
 * containers are regional), and nothing about the stage (job name, role, output location, KMS
 * key, VPC, stopping condition, tags).
 */
export function keyInputsOf(spec: CompilationJobSpec, model: ResolvedModelIdentity, region: string): Record<string, unknown> {
  const { InputConfig: input, OutputConfig: output } = spec.request;
  return {
    format: CACHE_FORMAT,
    region,
    model,
    framework: input?.Framework,
    frameworkVersion: input?.FrameworkVersion,
    dataInputConfig: input?.DataInputConfig,
    targetDevice: output.TargetDevice,
    targetPlatform: output.TargetPlatform,
    compilerOptions: output.CompilerOptions,
  };
}

/** The key: hex SHA-256 of the inputs as canonical JSON (sorted keys, absent members left out). */
export function cacheKeyOf(inputs: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

function regionOf(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
}

/**
 * The model's identity when the deployment runs: an unpinned S3 object is read with HeadObject,
 * its VersionId in a versioned bucket, else its ETag (a new upload has a new one), so bytes
 * overwritten under the same key are a new compilation.
 */
export async function resolveModel(model: CacheModelIdentity): Promise<ResolvedModelIdentity> {
  if (model.assetHash !== undefined) return { assetHash: model.assetHash };
  if (model.modelPackage !== undefined) return { modelPackage: model.modelPackage };
  if (model.object === undefined) throw new Error('cache: the model has no identity');
  if (model.version !== undefined) return { object: model.object, version: model.version };
  const { module: { HeadObjectCommand }, client } = s3Client();
  const { bucket, key } = parseS3Uri(model.object)!;
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isTransientSdkError(error)) throw error;
    throw new DeploymentError(`The deployment could not read the model ${model.object} (HeadObject: ${errorName(error) ?? 'Error'}, ` +
      `HTTP ${httpStatus(error) ?? '?'}): its VersionId or ETag is part of the compilation cache's key. The handler's role may read it; ` +
      'a bucket in another account must allow it too (see docs/compile-once.md).');
  }
  return head.VersionId && head.VersionId !== 'null'
    ? { object: model.object, version: head.VersionId }
    : { object: model.object, etag: head.ETag ?? '' };
}

async function keyOf(spec: CompilationJobSpec): Promise<{ key: string; inputs: Record<string, unknown> }> {
  const inputs = keyInputsOf(spec, await resolveModel(spec.cache!.model), regionOf());
  return { key: cacheKeyOf(inputs), inputs };
}

function entryPrefix(cache: CacheSpec, key: string): string {
  return `${cache.prefix}${key}/`;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Without s3:ListBucket (the handler has none), S3 answers a missing key with 403. */
function isAbsent(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 404 || status === 403;
}

/** A conditional write lost: the object exists (412), or another conditional write is in flight (409). */
function isConditionLost(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 412 || status === 409;
}

interface StoredRecord {
  /** The record, when it is whole and of this key. */
  readonly record?: CacheRecord;
  /** The ETag of the object at the record's key, when one is there (whole or not). */
  readonly etag?: string;
}

async function readRecord(cache: CacheSpec, key: string): Promise<StoredRecord> {
  const { module: { GetObjectCommand }, client } = s3Client();
  let text: string;
  let etag: string | undefined;
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: cache.bucket, Key: `${entryPrefix(cache, key)}${CACHE_RECORD_NAME}` }));
    etag = out.ETag;
    text = await out.Body!.transformToString();
  } catch (error) {
    if (isAbsent(error)) return {};
    throw error;
  }
  const record = wholeRecord(text, cache, key);
  if (!record) console.warn('Compilation cache: an incomplete or foreign record is ignored', { key, etag });
  return { record, etag };
}

/** The record if every member is there with its type, and it is of this key; else undefined. */
export function wholeRecord(text: string, cache: CacheSpec, key: string): CacheRecord | undefined {
  let value: Partial<CacheRecord>;
  try {
    value = JSON.parse(text) as Partial<CacheRecord>;
  } catch {
    return undefined;
  }
  const strings: Array<keyof CacheRecord> = ['compilationJobName', 'compilationJobArn', 'inferenceImage', 'artifactDigest',
    'derivedDataInputConfig', 'account', 'region', 'publishedAt'];
  const artifact = value?.artifact;
  const whole = value !== null && typeof value === 'object' && value.format === CACHE_FORMAT && value.key === key &&
    strings.every((member) => typeof value[member] === 'string') && value.compilationJobArn !== '' &&
    typeof artifact === 'object' && artifact !== null && typeof artifact.key === 'string' &&
    artifact.key.startsWith(entryPrefix(cache, key)) && typeof artifact.etag === 'string' && artifact.etag !== '' &&
    typeof artifact.size === 'number';
  return whole ? value as CacheRecord : undefined;
}

/** Whether the artifact the record names is there with the ETag and size the record gives. */
async function artifactMatches(cache: CacheSpec, record: CacheRecord): Promise<boolean> {
  const { module: { HeadObjectCommand }, client } = s3Client();
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: cache.bucket, Key: record.artifact.key }));
    if (head.ETag === record.artifact.etag && head.ContentLength === record.artifact.size) return true;
    console.warn('Compilation cache: the artifact differs from its record (ETag or size); the entry is ignored',
      { key: record.key, artifact: record.artifact, found: { etag: head.ETag, size: head.ContentLength } });
  } catch (error) {
    if (!isAbsent(error)) throw error;
    console.warn('Compilation cache: the artifact of the record is missing; the entry is ignored', { key: record.key, artifact: record.artifact });
  }
  return false;
}

function copySourceOf(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * A hit: the cached artifact copied into this stage's output location, under this resource's
 * name (so deleting another stage never removes it), encrypted as the job's OutputConfig says,
 * with the attributes of the job that compiled it; undefined if the artifact changed meanwhile.
 */
async function copyToStage(spec: CompilationJobSpec, record: CacheRecord, physicalId: string): Promise<CompilationJobAttributes | undefined> {
  const { module: { CopyObjectCommand }, client } = s3Client();
  const output = parseS3Uri(outputLocationOf(spec, physicalId))!;
  const key = `${output.key}/${record.artifact.key.split('/').pop()}`;
  const kmsKey = spec.request.OutputConfig.KmsKeyId;
  try {
    await client.send(new CopyObjectCommand({
      Bucket: output.bucket,
      Key: key,
      CopySource: copySourceOf(spec.cache!.bucket, record.artifact.key),
      CopySourceIfMatch: record.artifact.etag,
      ...(kmsKey ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey } : {}),
    }));
  } catch (error) {
    if (httpStatus(error) !== 412) throw error;
    console.warn('Compilation cache: the artifact changed while it was copied; compiling', { key: record.key });
    return undefined;
  }
  const attributes: CompilationJobAttributes = {
    CompilationJobName: record.compilationJobName,
    CompilationJobArn: record.compilationJobArn,
    ModelArtifactsS3Uri: `s3://${output.bucket}/${key}`,
    ModelArtifactsObjectKey: key,
    InferenceImage: record.inferenceImage,
    ArtifactDigest: record.artifactDigest,
    DerivedDataInputConfig: record.derivedDataInputConfig,
    CacheHit: 'true',
  };
  return Buffer.byteLength(JSON.stringify(attributes)) <= MAX_ATTRIBUTES_JSON_BYTES ? attributes : { ...attributes, DerivedDataInputConfig: '' };
}

/** What onEvent adds to its answer: a hit's attributes, or the key a miss publishes under. */
export type CacheAnswer = Pick<OnEventResponse, 'CacheKey' | 'CacheHit' | 'Data'>;

/**
 * Looks the compilation up (both paths; on the long path a hit's run then only signals, see
 * handOff). A hit is copied under `physicalId`. A lookup that keeps failing on throttling or 5xx
 * compiles instead: a compilation is never wrong, only slower.
 */
export async function lookUp(spec: CompilationJobSpec, physicalId: string): Promise<CacheAnswer> {
  const cache = spec.cache;
  if (!cache) return {};
  try {
    const { key } = await keyOf(spec);
    const { record } = await readRecord(cache, key);
    const hit = record && await artifactMatches(cache, record) ? await copyToStage(spec, record, physicalId) : undefined;
    if (!hit) {
      console.info(`Compilation cache miss: s3://${cache.bucket}/${entryPrefix(cache, key)}; the job compiles and publishes there`);
      return { CacheKey: key };
    }
    console.info(`Compilation cache hit: s3://${cache.bucket}/${entryPrefix(cache, key)}, compiled by ${record!.compilationJobArn}; ` +
      `copied to ${hit.ModelArtifactsS3Uri}; no job runs`);
    return { CacheKey: key, CacheHit: true, Data: hit };
  } catch (error) {
    if (error instanceof DeploymentError) throw error;
    if (!isTransientSdkError(error)) throw cacheError('look up', cache, error);
    console.warn('Compilation cache unreachable (transient); compiling instead', { error: String(error) });
    return {};
  }
}

/**
 * The same request again on a resource that a hit made (a tags-only or no-op Update, or the
 * rollback of a cancelled replacing Update): no job has its name, so it is answered from the cache
 * again (the same copy), instead of compiling.
 */
export async function lookUpUnchanged(spec: CompilationJobSpec, physicalId: string): Promise<CacheAnswer> {
  if (!spec.cache) return {};
  try {
    if (await describeJob(physicalId)) return {};
  } catch (error) {
    if (!isTransientSdkError(error)) throw error;
    return {}; // the polls describe the job again, and compile under this name if there is none
  }
  return lookUp(spec, physicalId);
}

/**
 * After a miss compiled (a COMPLETED answer): publishes the artifact, then the record, only if no
 * trusted entry exists. `lookedUpKey` is the key onEvent computed: for an unpinned S3 model, a
 * different key now means the object changed while the job compiled, and nothing is published.
 * Throttling and 5xx are thrown for the next poll to try again (every step can be repeated).
 */
export async function published(
  spec: CompilationJobSpec, lookedUpKey: string | undefined, job: JobDescription, answer: IsCompleteResponse,
): Promise<IsCompleteResponse> {
  const cache = spec.cache;
  if (!cache || !answer.IsComplete || (answer.Data as CompilationJobAttributes | undefined)?.CacheHit !== 'false') return answer;
  try {
    await publish(spec, cache, lookedUpKey, job, answer.Data as CompilationJobAttributes);
  } catch (error) {
    if (isTransientSdkError(error)) throw error;
    throw cacheError('publish to', cache, error, job.CompilationJobName);
  }
  return answer;
}

/**
 * The long path's result resource, after its job COMPLETED: publishes as the one-hour path does.
 * It has no Spec; the key's inputs are read from the job as SageMaker describes it (the request it
 * was sent), which is what the one-hour path keys from the Spec.
 */
export async function publishedAfterLongRun(
  cache: CacheSpec | undefined, job: JobDescription, answer: IsCompleteResponse,
): Promise<IsCompleteResponse> {
  if (!cache) return answer;
  // SageMaker's output members are optional where the request's are required: the job was sent a whole request.
  const request = { InputConfig: job.InputConfig, OutputConfig: job.OutputConfig } as unknown as CompilationJobRequest;
  const spec: CompilationJobSpec = {
    jobNamePrefix: '',
    constructAddress: '',
    request,
    tags: [],
    timeoutSeconds: 0,
    removalPolicy: 'retain',
    cache,
  };
  return published(spec, undefined, job, answer);
}

async function publish(
  spec: CompilationJobSpec, cache: CacheSpec, lookedUpKey: string | undefined, job: JobDescription, attributes: CompilationJobAttributes,
): Promise<void> {
  const { key, inputs } = await keyOf(spec);
  if (lookedUpKey !== undefined && lookedUpKey !== key) {
    console.warn('Compilation cache: the model changed while the job compiled; not published', { lookedUpKey, key });
    return;
  }
  const existing = await readRecord(cache, key);
  if (existing.record && await artifactMatches(cache, existing.record)) {
    console.info(`Compilation cache: s3://${cache.bucket}/${entryPrefix(cache, key)} already holds ${existing.record.compilationJobArn}'s artifact`);
    return;
  }
  const { module: { CopyObjectCommand, HeadObjectCommand, PutObjectCommand }, client } = s3Client();
  const source = parseS3Uri(attributes.ModelArtifactsS3Uri)!;
  const jobName = job.CompilationJobName!;
  const artifactKey = `${entryPrefix(cache, key)}artifacts/${jobName}/${source.key.split('/').pop()}`;
  // The artifact first, under this job's own key: a record never names an object still being written.
  await client.send(new CopyObjectCommand({ Bucket: cache.bucket, Key: artifactKey, CopySource: copySourceOf(source.bucket, source.key) }));
  const head = await client.send(new HeadObjectCommand({ Bucket: cache.bucket, Key: artifactKey }));
  const request = {
    CompilationJobName: jobName,
    RoleArn: job.RoleArn,
    ModelPackageVersionArn: job.ModelPackageVersionArn,
    InputConfig: job.InputConfig,
    OutputConfig: job.OutputConfig,
    VpcConfig: job.VpcConfig,
    StoppingCondition: job.StoppingCondition,
  };
  const record: CacheRecord = {
    format: CACHE_FORMAT,
    key,
    inputs,
    request: request as Record<string, unknown>,
    compilationJobName: jobName,
    compilationJobArn: attributes.CompilationJobArn,
    inferenceImage: attributes.InferenceImage,
    artifactDigest: attributes.ArtifactDigest,
    derivedDataInputConfig: job.DerivedInformation?.DerivedDataInputConfig ?? '',
    artifact: { key: artifactKey, etag: head.ETag ?? '', size: head.ContentLength ?? 0 },
    account: attributes.CompilationJobArn.split(':')[4] ?? '',
    region: regionOf(),
    publishedAt: new Date().toISOString(),
  };
  try {
    // Last, and only if absent; an untrusted record is replaced only if it is still the one read (If-Match).
    await client.send(new PutObjectCommand({
      Bucket: cache.bucket,
      Key: `${entryPrefix(cache, key)}${CACHE_RECORD_NAME}`,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      ...(existing.etag ? { IfMatch: existing.etag } : { IfNoneMatch: '*' }),
    }));
  } catch (error) {
    if (!isConditionLost(error)) throw error;
    console.info('Compilation cache: another stage published this compilation first; its entry stands', { key });
    return;
  }
  console.info(`Compilation cache: published ${jobName}'s artifact to s3://${cache.bucket}/${entryPrefix(cache, key)}`);
}

function cacheError(what: string, cache: CacheSpec, error: unknown, jobName?: string): DeploymentError {
  const done = jobName ? `Compilation job ${jobName} completed, but the deployment could not ${what}` : `The deployment could not ${what}`;
  return new DeploymentError(
    `${done} the compilation cache s3://${cache.bucket}/${cache.prefix}: ${errorName(error) ?? 'Error'}: ${String((error as Error).message).slice(0, 500)}. ` +
    'A cache in another account needs a bucket policy (and a KMS key policy) that lets this stack\'s handler role ' +
    'read and put objects under the prefix: see docs/compile-once.md.');
}
