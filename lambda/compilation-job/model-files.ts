// The model's files in S3: the input copied to the `.tar.gz` key SageMaker reads, and the
// compiled artifact's location returned as the resource's attributes.
import { DeploymentError } from './cloudformation';
import { runtimeClient } from './runtime-sdk';
import type { JobDescription } from './sagemaker';
import { INPUT_COPY_TIMEOUT_SECONDS } from '../../src/private/contract';
import type { CompilationJobAttributes, InputCopy } from '../../src/private/contract';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const s3Client = runtimeClient(() => require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'), (m) => new m.S3Client({}));

function objectOf(uri: string): { bucket: string; key: string } {
  const location = parseS3Uri(uri);
  if (!location) throw new Error(`Not an s3://bucket/key URI: ${uri}`);
  return location;
}

/**
 * Copies a model uploaded as a CDK asset (`<hash>.gz`), or a pinned version of an S3 object, to
 * the `.tar.gz` key SageMaker requires, unless the copy exists (the target is content- or
 * version-addressed). A copy that takes longer than INPUT_COPY_TIMEOUT_SECONDS is abandoned with
 * a message that says what to do, before the function's own timeout could cut it without one.
 * The S3 client is the one the Lambda runtime ships, loaded only here, so jobs without a local
 * model pay nothing for it.
 */
export async function copyInput(copy: InputCopy, timeoutSeconds = INPUT_COPY_TIMEOUT_SECONDS): Promise<void> {
  const { module: { CopyObjectCommand, HeadObjectCommand }, client } = s3Client();
  const source = objectOf(copy.source);
  const target = objectOf(copy.target);
  try {
    await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
    return;
  } catch (error) {
    // Without s3:ListBucket (the handler has none), S3 answers a missing object with 403.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 && status !== 403) throw error;
  }
  const abortSignal = AbortSignal.timeout(timeoutSeconds * 1000);
  try {
    // The race ends the wait even where a request does not heed the signal; the signal cancels it.
    await Promise.race([
      client.send(new CopyObjectCommand({
        CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}` +
          (copy.sourceVersion === undefined ? '' : `?versionId=${encodeURIComponent(copy.sourceVersion)}`),
        Bucket: target.bucket,
        Key: target.key,
      }), { abortSignal }),
      new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason))),
    ]);
  } catch (error) {
    if (!abortSignal.aborted) throw error;
    throw new DeploymentError(
      `Copying the model archive ${copy.source} to ${copy.target} did not finish within ${timeoutSeconds} seconds. ` +
      'Upload the .tar.gz archive to S3 yourself and use ModelInput.fromBucket(bucket, key).');
  }
  console.info('Model archive copied to its .tar.gz key', copy);
}

/** Splits `s3://bucket/key` into its parts; undefined for anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/**
 * The attributes' share of CloudFormation's 4096-byte response, as JSON: the framework adds the
 * ids, status and reason around them (under 1 KB even with a 255-character logical id).
 */
export const MAX_ATTRIBUTES_JSON_BYTES = 3000;

/** The resource's attributes from a COMPLETED job. */
export function attributesOf(job: JobDescription): CompilationJobAttributes {
  const attributes = requiredAttributesOf(job);
  // The derived shapes are informational and can be long (up to 16 KB): return them only when
  // they fit, rather than fail a deployment whose job succeeded.
  const derived = job.DerivedInformation?.DerivedDataInputConfig ?? '';
  const withDerived = { ...attributes, DerivedDataInputConfig: derived };
  if (Buffer.byteLength(JSON.stringify(withDerived)) <= MAX_ATTRIBUTES_JSON_BYTES) return withDerived;
  console.warn(`DerivedDataInputConfig of ${job.CompilationJobName} left out of the attributes: ` +
    `${derived.length} characters do not fit CloudFormation's response (DescribeCompilationJob has it)`);
  return attributes;
}

function requiredAttributesOf(job: JobDescription): CompilationJobAttributes {
  const uri = job.ModelArtifacts?.S3ModelArtifacts ?? '';
  const location = parseS3Uri(uri);
  if (!location) {
    throw new DeploymentError(
      `Compilation job ${job.CompilationJobName} completed but reported no S3 model artifact (got '${uri}').`);
  }
  return {
    CompilationJobName: job.CompilationJobName!,
    CompilationJobArn: job.CompilationJobArn!,
    ModelArtifactsS3Uri: uri,
    ModelArtifactsObjectKey: location.key,
    InferenceImage: job.InferenceImage ?? '',
    ArtifactDigest: job.ModelDigests?.ArtifactDigest ?? '',
    DerivedDataInputConfig: '',
    CacheHit: 'false',
  };
}
