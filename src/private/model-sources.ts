import { createHash } from 'crypto';
import * as fs from 'fs';
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { CacheModelIdentity } from './cache-contract';
import { grantObjectRead, grantObjectWrite } from './grants';
import { API_LIMITS, wholeMatch } from './limits';

/** S3's limit for copying an object in a single CopyObject request: 5 GB. */
const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

/** Key prefix of local model archives copied into the output bucket. */
const STAGED_MODELS_PREFIX = 'model-inputs/';

/** Where SageMaker finds the model, once bound to a job. */
export interface ModelLocation {
  /** `InputConfig.S3Uri`: the `.tar.gz` archive of the trained model. */
  readonly s3Uri?: string;
  /** `ModelPackageVersionArn`: a versioned model package (replaces the whole InputConfig). */
  readonly modelPackageVersionArn?: string;
  /**
   * An `s3://` URI the deployment copies to `s3Uri` before the job starts (CDK asset keys end
   * in `.gz`, SageMaker wants `.tar.gz`; SageMaker reads a key, not an object version).
   */
  readonly copySource?: string;
  /** The version of `copySource` to copy. */
  readonly copySourceVersion?: string;
  /** What identifies the model's bytes, for a compilation cache's key. */
  readonly cacheIdentity: CacheModelIdentity;
  /** Lets `grantee` read what identifies the model at deploy time (HeadObject of an unpinned object). */
  grantIdentityRead(grantee: iam.IGrantable): void;
}

/** What the job lends a model source to bind it. */
export interface ModelBindOptions {
  /** The job's execution role: it reads the model. */
  readonly role: iam.IGrantable;
  /** The deployment's handler: it copies a local archive to a `.tar.gz` key. */
  readonly copier: iam.IGrantable;
  /** The bucket a local archive is copied to. */
  readonly stagingBucket: s3.IBucket;
}

/** One kind of model input; `ModelInput` wraps exactly one. */
export interface ModelSource {
  readonly isModelPackage: boolean;
  /**
   * The problems of this input by the API's rules, each naming the rule.
   * @param stackRegion the job's stack's Region, when known at synth
   */
  problems(stackRegion?: string): string[];
  /** Makes the model readable by the job's role and returns where it is. */
  bind(scope: Construct, options: ModelBindOptions): ModelLocation;
}

export class AssetModel implements ModelSource {
  public readonly isModelPackage = false;
  private asset?: s3assets.Asset;

  constructor(private readonly fileName: string, private readonly options: s3assets.AssetOptions) {}

  public problems(): string[] {
    if (/^(s3|https?):\/\//i.test(this.fileName)) {
      return [`'${this.fileName}' is an S3 URI, not a local file: write ModelInput.fromS3Uri('${this.fileName}')`];
    }
    if (!fs.existsSync(this.fileName)) {
      return [`there is no file '${this.fileName}' (relative paths start at ${process.cwd()}): give the archive's path, e.g. path.join(__dirname, 'model.tar.gz')`];
    }
    // The deployment copies the asset with one CopyObject, which S3 allows up to 5 GB.
    const size = fs.existsSync(this.fileName) ? fs.statSync(this.fileName).size : 0;
    const tooLarge = size > MAX_SINGLE_COPY_BYTES
      ? [`must be at most 5 GB to be copied in one request (S3 CopyObject); this archive has ${size} bytes: upload it to S3 yourself and use ModelInput.fromBucket`]
      : [];
    return [...tarGzProblems(this.fileName), ...tooLarge];
  }

  public bind(scope: Construct, options: ModelBindOptions): ModelLocation {
    this.asset ??= new s3assets.Asset(scope, 'ModelAsset', { ...this.options, path: this.fileName });
    // Content-addressed, so jobs that share the model share one copy.
    const key = `${STAGED_MODELS_PREFIX}${this.asset.assetHash}.tar.gz`;
    grantObjectRead(options.copier, this.asset.bucket, this.asset.s3ObjectKey);
    stage(options, key);
    return {
      s3Uri: options.stagingBucket.s3UrlForObject(key),
      copySource: this.asset.s3ObjectUrl,
      cacheIdentity: { assetHash: this.asset.assetHash },
      grantIdentityRead: () => {},
    };
  }
}

export class BucketModel implements ModelSource {
  public readonly isModelPackage = false;

  constructor(private readonly bucket: s3.IBucket, private readonly key: string, private readonly objectVersion?: string) {}

  public problems(): string[] {
    return bucketObjectProblems(Token.isUnresolved(this.bucket.bucketName) ? undefined : this.bucket.bucketName, this.key, this.objectVersion);
  }

  public bind(_scope: Construct, options: ModelBindOptions): ModelLocation {
    if (this.objectVersion === undefined) {
      grantObjectRead(options.role, this.bucket, this.key);
      const s3Uri = this.bucket.s3UrlForObject(this.key);
      return {
        s3Uri,
        cacheIdentity: { object: s3Uri },
        // HeadObject, which reads the VersionId or ETag, needs s3:GetObject.
        grantIdentityRead: (grantee) => void grantObjectRead(grantee, this.bucket, this.key),
      };
    }
    // SageMaker reads a key, whatever version is current there: stage the pinned version to a
    // key of its own, one per (object, version), so a new version is a new request.
    const objectId = createHash('sha256').update(`${bucketIdentity(this.bucket)}/${this.key}`).digest('hex').slice(0, 16);
    const key = `${STAGED_MODELS_PREFIX}${objectId}/${this.objectVersion}.tar.gz`;
    grantObjectRead(options.copier, this.bucket, this.key, 's3:GetObjectVersion');
    stage(options, key);
    return {
      s3Uri: options.stagingBucket.s3UrlForObject(key),
      copySource: this.bucket.s3UrlForObject(this.key),
      copySourceVersion: this.objectVersion,
      cacheIdentity: { object: this.bucket.s3UrlForObject(this.key), version: this.objectVersion },
      grantIdentityRead: () => {},
    };
  }
}

/** The problems of an object in S3, in a bucket of this name (undefined: known only at deploy time). */
function bucketObjectProblems(bucketName: string | undefined, key: string, version: string | undefined): string[] {
  const uriLength = bucketName === undefined || Token.isUnresolved(key) ? undefined : `s3://${bucketName}/${key}`.length;
  const versionOk = version === undefined || Token.isUnresolved(version) || /^[\x21-\x7e]{1,1024}$/.test(version);
  return [
    ...keyProblems(key, bucketName),
    ...tarGzProblems(key),
    ...(uriLength !== undefined && uriLength > API_LIMITS.s3Uri.max ? [`its S3 URI must be at most ${API_LIMITS.s3Uri.max} characters (got ${uriLength})`] : []),
    ...(versionOk ? [] : [`objectVersion must be an S3 version ID: 1 to 1024 printable characters without spaces (got '${version}')`]),
  ];
}

/**
 * A key written as an S3 URI, or with the bucket's name in front, names another object: SageMaker
 * would read `s3://<bucket>/s3://<bucket>/<key>`.
 */
function keyProblems(key: string, bucketName?: string): string[] {
  if (Token.isUnresolved(key)) return [];
  const uri = /^(?:s3|https?):\/\/([^/]+)\/(.*)$/i.exec(key);
  if (uri) {
    return [`ModelInput.fromBucket takes the object key, not an S3 URI (got '${key}'): write ModelInput.fromBucket(bucket, '${uri[2]}'), or ModelInput.fromS3Uri('${key}')`];
  }
  if (bucketName !== undefined && key.startsWith(`${bucketName}/`)) {
    return [`the key starts with the bucket's name (got '${key}'): write the key alone, '${key.slice(bucketName.length + 1)}'`];
  }
  if (key.startsWith('/')) return [`an S3 key does not start with '/' (got '${key}'): write '${key.replace(/^\/+/, '')}'`];
  return [];
}

/** An `s3://<bucket>/<key>` URI: a bucket model once bound, the bucket imported by name. */
export class S3UriModel implements ModelSource {
  public readonly isModelPackage = false;
  private model?: BucketModel;

  constructor(private readonly uri: string, private readonly objectVersion?: string) {}

  public problems(): string[] {
    if (Token.isUnresolved(this.uri)) {
      return ['an S3 URI that is a token cannot be split into bucket and key at synth: use ModelInput.fromBucket(bucket, key)'];
    }
    const parts = parseS3Uri(this.uri);
    if (!parts) return [`must be an S3 URI s3://<bucket>/<key>.tar.gz (got '${this.uri}')`];
    return bucketObjectProblems(parts.bucket, parts.key, this.objectVersion);
  }

  public bind(scope: Construct, options: ModelBindOptions): ModelLocation {
    const { bucket, key } = parseS3Uri(this.uri)!;
    this.model ??= new BucketModel(s3.Bucket.fromBucketName(scope, 'ModelBucket', bucket), key, this.objectVersion);
    return this.model.bind(scope, options);
  }
}

/** Bucket and key of `s3://<bucket>/<key>`, or undefined. */
function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** The bucket's name where it is known at synth, else its construct path (stable in the app). */
function bucketIdentity(bucket: s3.IBucket): string {
  return Token.isUnresolved(bucket.bucketName) ? bucket.node.path : bucket.bucketName;
}

/** The copier writes the staged archive (and may look it up); the job's role reads it. */
function stage(options: ModelBindOptions, key: string): void {
  grantObjectWrite(options.copier, options.stagingBucket, key);
  grantObjectRead(options.copier, options.stagingBucket, key); // to see whether the copy exists
  grantObjectRead(options.role, options.stagingBucket, key);
}

export class ModelPackageModel implements ModelSource {
  public readonly isModelPackage = true;

  constructor(private readonly arn: string) {}

  public problems(stackRegion?: string): string[] {
    if (Token.isUnresolved(this.arn)) return [];
    if (!wholeMatch(API_LIMITS.modelPackageArn.pattern).test(this.arn)) {
      return [`must be a versioned model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/<name>/<version>), got '${this.arn}'`];
    }
    // SageMaker compiles a model package of the job's own Region only: the ARN is looked up there.
    const region = this.arn.split(':')[3];
    return stackRegion === undefined || Token.isUnresolved(stackRegion) || region === stackRegion ? []
      : [`the model package is in ${region}, the stack in ${stackRegion}: SageMaker compiles a model package of its own Region only. ` +
        `Deploy this job in a stack in ${region}, or register the model package in ${stackRegion}`];
  }

  public bind(_scope: Construct, options: ModelBindOptions): ModelLocation {
    iam.Grant.addToPrincipal({
      grantee: options.role,
      actions: ['sagemaker:DescribeModelPackage'],
      resourceArns: [this.arn],
    });
    return { modelPackageVersionArn: this.arn, cacheIdentity: { modelPackage: this.arn }, grantIdentityRead: () => {} };
  }
}

/** SageMaker wants a single gzip-compressed tar archive, named `.tar.gz`. */
function tarGzProblems(name: string): string[] {
  return Token.isUnresolved(name) || name.endsWith('.tar.gz')
    ? [] : [`must be a gzip-compressed tar archive whose name ends in '.tar.gz' (got '${name}')`];
}
