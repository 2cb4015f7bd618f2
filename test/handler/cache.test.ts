/**
 * Compile once, the handler's faults (lambda/compilation-job/cache.ts), with the S3 client mocked:
 * what the wire tests cannot make moto do. A lookup that S3 keeps throttling compiles instead (a
 * compilation is never wrong, only slower); a missing key without s3:ListBucket reads as 403, a
 * miss; a publication refused (AccessDenied) fails with the cache and the doc named; a lost
 * conditional write (409 ConditionalRequestConflict, S3's answer while another conditional write
 * to the key is in flight:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html and PutObject's If-None-Match) is another
 * stage's entry; an artifact changed between the check and the copy (412 on
 * x-amz-copy-source-if-match) is a miss.
 */
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { specOf } from './fixtures';
import { cacheKeyOf, keyInputsOf, lookUp, published } from '../../lambda/compilation-job/cache';
import { attributesOf } from '../../lambda/compilation-job/model-files';
import type { JobDescription } from '../../lambda/compilation-job/sagemaker';

const s3 = mockClient(S3Client);
const error = (name: string, status: number) => new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
const SPEC = specOf({ cache: { bucket: 'cache', prefix: 'neo-cache/', model: { object: 's3://model-bucket/models/resnet18.tar.gz' } } });
const KEY = cacheKeyOf(keyInputsOf(SPEC, { object: 's3://model-bucket/models/resnet18.tar.gz', etag: '"m"' }, 'us-east-1'));
const JOB = {
  $metadata: {},
  CompilationJobName: 'NeoStack-Resnet-0123456789abcdef',
  CompilationJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:compilation-job/NeoStack-Resnet-0123456789abcdef',
  CompilationJobStatus: 'COMPLETED',
  ModelArtifacts: { S3ModelArtifacts: 's3://out-bucket/compiled/NeoStack-Resnet-0123456789abcdef/model-ml_c5.tar.gz' },
  ModelDigests: { ArtifactDigest: 'sha256:00' },
} as JobDescription;
const COMPLETED = { IsComplete: true as const, Data: attributesOf(JOB) };

/** The part of a GetObject Body the handler reads. */
function body(text: string) {
  return { transformToString: async () => text } as unknown as NonNullable<import('@aws-sdk/client-s3').GetObjectCommandOutput['Body']>;
}

function record(overrides: object = {}) {
  return JSON.stringify({
    format: 1,
    key: KEY,
    inputs: {},
    request: {},
    compilationJobName: 'Dev-Resnet-1',
    compilationJobArn: 'arn:aws:sagemaker:us-east-1:1:compilation-job/Dev-Resnet-1',
    inferenceImage: 'image',
    artifactDigest: 'sha256:11',
    derivedDataInputConfig: '',
    account: '1',
    region: 'us-east-1',
    publishedAt: '2026-12-06T00:00:00Z',
    artifact: { key: `neo-cache/${KEY}/artifacts/Dev-Resnet-1/model-ml_c5.tar.gz`, etag: '"a"', size: 10 },
    ...overrides,
  });
}

beforeEach(() => {
  s3.reset();
  process.env.AWS_REGION = 'us-east-1';
  s3.on(HeadObjectCommand, { Key: 'models/resnet18.tar.gz' }).resolves({ ETag: '"m"' });
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('lookUp', () => {
  test('S3 throttling on every try: no cache answer, the job compiles', async () => {
    s3.on(GetObjectCommand).rejects(error('SlowDown', 503));
    await expect(lookUp(SPEC, 'NeoStack-Resnet-aaaa')).resolves.toEqual({});
    expect(console.warn).toHaveBeenCalledWith(expect.stringMatching(/^Compilation cache unreachable \(transient\)/), expect.anything());
  });

  test('a model the handler cannot read fails naming the model, not the cache', async () => {
    s3.on(HeadObjectCommand, { Key: 'models/resnet18.tar.gz' }).rejects(error('Forbidden', 403));
    await expect(lookUp(SPEC, 'NeoStack-Resnet-aaaa')).rejects.toThrow(
      /^The deployment could not read the model s3:\/\/model-bucket\/models\/resnet18\.tar\.gz \(HeadObject: Forbidden, HTTP 403\)/);
  });

  test('a record that reads as 403 (no s3:ListBucket, so a missing key) is a miss with the key to publish under', async () => {
    s3.on(GetObjectCommand).rejects(error('AccessDenied', 403));
    await expect(lookUp(SPEC, 'NeoStack-Resnet-aaaa')).resolves.toEqual({ CacheKey: KEY });
  });

  test('an artifact that changes between the check and the copy (412 on the copy\'s If-Match) is a miss', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(record()), ETag: '"r"' });
    s3.on(HeadObjectCommand, { Bucket: 'cache' }).resolves({ ETag: '"a"', ContentLength: 10 });
    s3.on(CopyObjectCommand).rejects(error('PreconditionFailed', 412));
    await expect(lookUp(SPEC, 'NeoStack-Resnet-aaaa')).resolves.toEqual({ CacheKey: KEY });
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, { CopySourceIfMatch: '"a"', Bucket: 'out-bucket', Key: 'compiled/NeoStack-Resnet-aaaa/model-ml_c5.tar.gz' });
  });

  test('a hit copies with the job\'s own KMS key and answers with the compiling job\'s attributes', async () => {
    const spec = { ...SPEC, request: { ...SPEC.request, OutputConfig: { ...SPEC.request.OutputConfig, KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k' } } };
    s3.on(GetObjectCommand).resolves({ Body: body(record()), ETag: '"r"' });
    s3.on(HeadObjectCommand, { Bucket: 'cache' }).resolves({ ETag: '"a"', ContentLength: 10 });
    s3.on(CopyObjectCommand).resolves({});
    const answer = await lookUp(spec, 'NeoStack-Resnet-aaaa');
    expect(answer).toMatchObject({ CacheHit: true, Data: { CacheHit: 'true', CompilationJobName: 'Dev-Resnet-1', ArtifactDigest: 'sha256:11' } });
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k' });
  });
});

describe('published', () => {
  beforeEach(() => {
    s3.on(GetObjectCommand).rejects(error('NoSuchKey', 404));
    s3.on(HeadObjectCommand, { Bucket: 'cache' }).resolves({ ETag: '"c"', ContentLength: 10 });
    s3.on(CopyObjectCommand).resolves({});
  });

  test('a refused publication fails the deployment, naming the job, the cache and what to read', async () => {
    s3.on(CopyObjectCommand).rejects(error('AccessDenied', 403));
    await expect(published(SPEC, KEY, JOB, COMPLETED)).rejects.toThrow(
      /^Compilation job NeoStack-Resnet-0123456789abcdef completed, but the deployment could not publish to the compilation cache s3:\/\/cache\/neo-cache\/: AccessDenied: .*docs\/compile-once\.md/);
  });

  test('the record is written last, only if absent; a conflicting conditional write in flight (409) leaves the other stage\'s entry', async () => {
    s3.on(PutObjectCommand).rejects(error('ConditionalRequestConflict', 409));
    await expect(published(SPEC, KEY, JOB, COMPLETED)).resolves.toBe(COMPLETED);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Key: `neo-cache/${KEY}/entry.json`, IfNoneMatch: '*' });
    const calls = s3.calls().map((call) => call.args[0].constructor.name);
    expect(calls.indexOf('CopyObjectCommand')).toBeLessThan(calls.indexOf('PutObjectCommand'));
  });

  test('throttling is thrown for the next poll to try again', async () => {
    s3.on(PutObjectCommand).rejects(error('SlowDown', 503));
    await expect(published(SPEC, KEY, JOB, COMPLETED)).rejects.toMatchObject({ name: 'SlowDown' });
  });

  test('a hit\'s answer and a job without a cache publish nothing', async () => {
    await published(SPEC, KEY, JOB, { IsComplete: true, Data: { ...COMPLETED.Data, CacheHit: 'true' } });
    await published({ ...SPEC, cache: undefined }, KEY, JOB, COMPLETED);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
