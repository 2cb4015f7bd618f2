import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Read of exactly one object (and decrypt with the bucket's key, if it has one): narrower than
 * `IBucket.grantRead`, which also allows listing and reading the whole bucket's metadata.
 */
export function grantObjectRead(grantee: iam.IGrantable, bucket: s3.IBucket, key: string): iam.Grant {
  bucket.encryptionKey?.grantDecrypt(grantee);
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: ['s3:GetObject'],
    resourceArns: [bucket.arnForObjects(key)],
    resource: bucket,
  });
}
