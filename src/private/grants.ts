import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { compactString } from './compact';

/**
 * Read of exactly one object (and decrypt with the bucket's key, if it has one): narrower than
 * `IBucket.grantRead`, which also allows listing and reading the whole bucket's metadata.
 * `s3:GetObjectVersion` reads a given version of it.
 */
export function grantObjectRead(grantee: iam.IGrantable, bucket: s3.IBucket, key: string, action = 's3:GetObject'): iam.Grant {
  bucket.encryptionKey?.grantDecrypt(grantee);
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: [action],
    resourceArns: [compactString(bucket.arnForObjects(key))],
    resource: bucket,
  });
}

/**
 * Write of objects under `keyPattern` (e.g. `compiled/*`): PutObject and, for multipart uploads,
 * AbortMultipartUpload, with the bucket's key where it has one. Narrower than
 * `IBucket.grantPut`, whose action wildcards (`s3:Abort*`) a job does not need.
 */
export function grantObjectWrite(grantee: iam.IGrantable, bucket: s3.IBucket, keyPattern: string): iam.Grant {
  bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resourceArns: [compactString(bucket.arnForObjects(keyPattern))],
    resource: bucket,
  });
}
