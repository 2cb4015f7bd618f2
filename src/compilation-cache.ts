import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { CacheBindOptions } from './private/cache-bind';
import type { CacheSpec } from './private/cache-contract';
import { compactString } from './private/compact';
import { grantObjectRead } from './private/grants';
import { acknowledgeWildcardResources } from './private/nag';

/** The prefix of a cache's entries when `fromBucket` is given none. */
const DEFAULT_PREFIX = 'neo-cache/';

/**
 * A store of compiled models shared by the stages (stacks, accounts) that deploy the same model:
 * the first stage compiles and publishes its artifact; every later stage that asks for the same
 * compilation copies that artifact into its own output location instead of running a job, so it
 * ships exactly the bytes the first stage tested.
 *
 * An entry is keyed by everything that decides the compiled bytes (the model's identity,
 * framework and version, input shapes, target, compiler options, Region) and by nothing about
 * the stack (names, roles, tags, output location, KMS key). Entries are never deleted by a
 * deployment; expire them with a lifecycle rule on the prefix. See docs/compile-once.md.
 */
export class CompilationCache {
  /**
   * A cache in an S3 bucket: one of this stack, one imported by name, or one in another account
   * (whose bucket policy, and KMS key policy if it has one, must let this stack's deployment
   * handler read and write under `prefix`; see docs/compile-once.md).
   *
   * The deployment's handler may read and put objects under `prefix` and nothing else (no delete,
   * no list); import a bucket encrypted with a KMS key together with its key
   * (`s3.Bucket.fromBucketAttributes`) so that the handler is granted its use.
   *
   * @param bucket the bucket that holds the entries
   * @param prefix key prefix of the entries; a '/' is added when it does not end with one (default 'neo-cache/')
   * @example CompilationCache.fromBucket(s3.Bucket.fromBucketName(this, 'Cache', 'my-org-neo-cache'), 'neo-cache/')
   */
  public static fromBucket(bucket: s3.IBucket, prefix?: string): CompilationCache {
    const given = prefix ?? DEFAULT_PREFIX;
    if (!Token.isUnresolved(given) && given.startsWith('/')) {
      throw new Error(`CompilationCache.fromBucket: prefix must not start with '/' (got '${given}'): S3 keys have no leading slash`);
    }
    const normalized = Token.isUnresolved(given) || given === '' || given.endsWith('/') ? given : `${given}/`;
    return new CompilationCache(bucket, normalized);
  }

  /** The bucket that holds the entries. */
  public readonly bucket: s3.IBucket;
  /** Key prefix of the entries: empty, or ending in '/'. */
  public readonly prefix: string;

  private constructor(bucket: s3.IBucket, prefix: string) {
    this.bucket = bucket;
    this.prefix = prefix;
  }

  /**
   * Grants the deployment's handler what a job's cache use needs, and returns what the handler
   * reads from the job's Spec.
   * @internal
   */
  public _bind(options: CacheBindOptions): CacheSpec {
    const { handler } = options;
    const entries = `${this.prefix}*`;
    // Look up entries (GetObject; HeadObject needs the same) and publish them (PutObject):
    // no s3:DeleteObject, and no s3:ListBucket, so a missing entry reads as 403, which the
    // handler treats as a miss.
    grantObjectRead(handler, this.bucket, entries);
    grantPut(handler, this.bucket, entries);
    // A hit: the handler copies the entry into the job's output location, encrypted with the job's key.
    // A miss: the handler reads the compiled artifact there to publish it.
    const outputs = `${options.outputPrefix}*`;
    grantPut(handler, options.outputBucket, outputs);
    grantObjectRead(handler, options.outputBucket, outputs);
    options.encryptionKey?.grant(handler, 'kms:GenerateDataKey', 'kms:Decrypt');
    options.model.grantIdentityRead(handler);
    const principal = handler.grantPrincipal;
    if (principal instanceof iam.Role) {
      acknowledgeWildcardResources(principal, [this.bucket.arnForObjects(entries), options.outputBucket.arnForObjects(outputs)],
        'Cache entries are named by a hash of the compilation computed at deploy time, under the cache prefix; ' +
        'the copy of a cached artifact is named by the job name computed at deploy time, under the output prefix.');
    }
    return { bucket: this.bucket.bucketName, prefix: this.prefix, model: options.model.cacheIdentity };
  }
}

/**
 * PutObject only (and the bucket's key, to encrypt): the handler writes each object with one
 * PutObject or CopyObject, never a multipart upload, so it needs no s3:AbortMultipartUpload.
 */
function grantPut(grantee: iam.IGrantable, bucket: s3.IBucket, keyPattern: string): void {
  bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:PutObject'], resourceArns: [compactString(bucket.arnForObjects(keyPattern))], resource: bucket });
}
