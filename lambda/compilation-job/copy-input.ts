import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from './s3-uri';
import type { InputCopy } from '../../src/private/contract';

type S3Module = typeof import('@aws-sdk/client-s3');
let s3: S3Module | undefined;
let client: S3Client | undefined;

function objectOf(uri: string): { bucket: string; key: string } {
  const location = parseS3Uri(uri);
  if (!location) throw new Error(`Not an s3://bucket/key URI: ${uri}`);
  return location;
}

/**
 * Copies a model uploaded as a CDK asset (`<hash>.gz`), or a pinned version of an S3 object, to
 * the `.tar.gz` key SageMaker requires, unless the copy exists (the target is content- or
 * version-addressed, and a job waiting for quota would otherwise copy the model on every poll). The S3 client is the one the Lambda runtime ships,
 * loaded only here, so jobs without a local model pay nothing for it.
 */
export async function copyInput(copy: InputCopy): Promise<void> {
  // require, not import(): ESM resolution ignores NODE_PATH, where Lambda puts its SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  s3 ??= require('@aws-sdk/client-s3') as S3Module;
  const { CopyObjectCommand, HeadObjectCommand, S3Client: Client } = s3;
  client ??= new Client({});
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
  await client.send(new CopyObjectCommand({
    CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}` +
      (copy.sourceVersion === undefined ? '' : `?versionId=${encodeURIComponent(copy.sourceVersion)}`),
    Bucket: target.bucket,
    Key: target.key,
  }));
  console.info('Model archive copied to its .tar.gz key', copy);
}
