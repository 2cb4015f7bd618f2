import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNag } from './nag';

/**
 * The stack's default bucket for compiled models, created once on first use.
 * It holds what users deploy from, so it is RETAINed when the stack goes away.
 */
export function defaultOutputBucket(scope: Construct): s3.IBucket {
  const stack = Stack.of(scope);
  const id = 'SageMakerNeoCompiledModels';
  const existing = stack.node.tryFindChild(id) as s3.Bucket | undefined;
  if (existing) return existing;
  const bucket = new s3.Bucket(stack, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNag(bucket, 'S1',
    'Holds compiled models written by SageMaker jobs of this stack only; pass your own `outputBucket` ' +
    'to log access to a bucket of your choice.');
  return bucket;
}
