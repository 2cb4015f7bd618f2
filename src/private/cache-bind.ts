import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { ModelLocation } from './model-sources';

/** What a job lends its compilation cache to bind it. */
export interface CacheBindOptions {
  /** The deployment's handler: it looks up, copies and publishes. */
  readonly handler: iam.IGrantable;
  /** Where the job writes, and where a hit's copy goes. */
  readonly outputBucket: s3.IBucket;
  readonly outputPrefix: string;
  /** The job's `encryptionKey`: a hit's copy is encrypted with it. */
  readonly encryptionKey?: kms.IKey;
  /** The job's model: its identity is part of the key. */
  readonly model: ModelLocation;
}
