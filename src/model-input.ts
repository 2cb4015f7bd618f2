import * as fs from 'fs';
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { grantObjectRead, grantObjectWrite } from './private/grants';
import { API_LIMITS, wholeMatch } from './private/limits';

/** S3's limit for copying an object in a single CopyObject request: 5 GB. */
const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

/** Key prefix of local model archives copied into the output bucket. */
const STAGED_MODELS_PREFIX = 'model-inputs/';

/** Where SageMaker finds the model, once bound to a job. */
export interface ModelInputConfig {
  /**
   * `InputConfig.S3Uri`: the `.tar.gz` archive of the trained model.
   * @default - none (the model comes from a model package)
   */
  readonly s3Uri?: string;
  /**
   * `ModelPackageVersionArn`: a versioned model package (replaces the whole InputConfig).
   * @default - none (the model comes from S3)
   */
  readonly modelPackageVersionArn?: string;
  /**
   * An `s3://` URI the deployment copies to `s3Uri` before the job starts (CDK asset keys end
   * in `.gz`, SageMaker wants `.tar.gz`).
   * @default - no copy
   */
  readonly copySource?: string;
}

/** What a model input is bound with. */
export interface ModelInputBindOptions {
  /** The job's execution role: it reads the model. */
  readonly role: iam.IGrantable;
  /** The deployment's handler: it copies a local archive to a `.tar.gz` key. */
  readonly copier: iam.IGrantable;
  /** The bucket a local archive is copied to. */
  readonly stagingBucket: s3.IBucket;
}

/** The trained model to compile. */
export abstract class ModelInput {
  /**
   * A local `.tar.gz` archive, uploaded as a CDK asset. CDK names the uploaded object
   * `<hash>.gz`, so the deployment copies it to `model-inputs/<hash>.tar.gz` in the output bucket,
   * the name SageMaker requires (a single copy of at most 5 GB; use `fromBucket` for larger models).
   * @param path path of the archive, e.g. 'model/resnet18.tar.gz'
   * @example ModelInput.fromAsset(path.join(__dirname, 'model.tar.gz'))
   */
  public static fromAsset(path: string, options: s3assets.AssetOptions = {}): ModelInput {
    return new AssetModel(path, options);
  }

  /**
   * A `.tar.gz` archive already in S3. The job's role may read exactly this object.
   * @example ModelInput.fromBucket(bucket, 'models/resnet18.tar.gz')
   */
  public static fromBucket(bucket: s3.IBucket, key: string): ModelInput {
    return new BucketModel(bucket, key);
  }

  /**
   * A versioned model package from the SageMaker Model Registry. The package brings its own
   * framework and input shapes, so `framework`, `frameworkVersion` and `dataInputConfig` must
   * not be set. The execution role must be able to read the package's model artifacts: grant
   * that yourself when the artifacts live outside this stack.
   * @example ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3')
   */
  public static fromModelPackage(modelPackageVersionArn: string): ModelInput {
    return new ModelPackageModel(modelPackageVersionArn);
  }

  /** Whether the input is a model package (which excludes the InputConfig fields). */
  public abstract readonly isModelPackage: boolean;

  /**
   * The problems of this input by the API's rules, each naming the rule.
   * @internal
   */
  public abstract _problems(): string[];

  /** Makes the model readable by the job's role and returns where it is. */
  public abstract bind(scope: Construct, options: ModelInputBindOptions): ModelInputConfig;
}

class AssetModel extends ModelInput {
  public readonly isModelPackage = false;
  private asset?: s3assets.Asset;

  constructor(private readonly fileName: string, private readonly options: s3assets.AssetOptions) {
    super();
  }

  public _problems(): string[] {
    // The deployment copies the asset with one CopyObject, which S3 allows up to 5 GB.
    const size = fs.existsSync(this.fileName) ? fs.statSync(this.fileName).size : 0;
    const tooLarge = size > MAX_SINGLE_COPY_BYTES
      ? [`must be at most 5 GB to be copied in one request (S3 CopyObject); this archive has ${size} bytes: upload it to S3 yourself and use ModelInput.fromBucket`]
      : [];
    return [...tarGzProblems(this.fileName), ...tooLarge];
  }

  public bind(scope: Construct, options: ModelInputBindOptions): ModelInputConfig {
    this.asset ??= new s3assets.Asset(scope, 'ModelAsset', { ...this.options, path: this.fileName });
    // Content-addressed, so jobs that share the model share one copy.
    const key = `${STAGED_MODELS_PREFIX}${this.asset.assetHash}.tar.gz`;
    grantObjectRead(options.copier, this.asset.bucket, this.asset.s3ObjectKey);
    grantObjectWrite(options.copier, options.stagingBucket, key);
    grantObjectRead(options.copier, options.stagingBucket, key); // to see whether the copy exists
    grantObjectRead(options.role, options.stagingBucket, key);
    return { s3Uri: options.stagingBucket.s3UrlForObject(key), copySource: this.asset.s3ObjectUrl };
  }
}

class BucketModel extends ModelInput {
  public readonly isModelPackage = false;

  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public _problems(): string[] {
    const bucketName = Token.isUnresolved(this.bucket.bucketName) ? undefined : this.bucket.bucketName;
    const uriLength = bucketName === undefined || Token.isUnresolved(this.key) ? undefined : `s3://${bucketName}/${this.key}`.length;
    return [
      ...tarGzProblems(this.key),
      ...(uriLength !== undefined && uriLength > API_LIMITS.s3Uri.max ? [`its S3 URI must be at most ${API_LIMITS.s3Uri.max} characters (got ${uriLength})`] : []),
    ];
  }

  public bind(_scope: Construct, options: ModelInputBindOptions): ModelInputConfig {
    grantObjectRead(options.role, this.bucket, this.key);
    return { s3Uri: this.bucket.s3UrlForObject(this.key) };
  }
}

class ModelPackageModel extends ModelInput {
  public readonly isModelPackage = true;

  constructor(private readonly arn: string) {
    super();
  }

  public _problems(): string[] {
    return Token.isUnresolved(this.arn) || wholeMatch(API_LIMITS.modelPackageArn.pattern).test(this.arn)
      ? [] : [`must be a versioned model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/<name>/<version>), got '${this.arn}'`];
  }

  public bind(_scope: Construct, options: ModelInputBindOptions): ModelInputConfig {
    iam.Grant.addToPrincipal({
      grantee: options.role,
      actions: ['sagemaker:DescribeModelPackage'],
      resourceArns: [this.arn],
    });
    return { modelPackageVersionArn: this.arn };
  }
}

/** SageMaker wants a single gzip-compressed tar archive, named `.tar.gz`. */
function tarGzProblems(name: string): string[] {
  return Token.isUnresolved(name) || name.endsWith('.tar.gz')
    ? [] : [`must be a gzip-compressed tar archive whose name ends in '.tar.gz' (got '${name}')`];
}
