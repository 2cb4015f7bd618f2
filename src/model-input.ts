import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { AssetModel, BucketModel, ModelBindOptions, ModelLocation, ModelPackageModel, ModelSource, S3UriModel } from './private/model-sources';

/** Options of `ModelInput.fromBucket`. */
export interface BucketModelOptions {
  /**
   * The S3 version ID of the archive to compile. The deployment's handler may read exactly this
   * object's versions (`s3:GetObjectVersion`); the job's role reads only the staged copy.
   * @default - the object at the key when the job runs; overwriting it recompiles nothing
   */
  readonly objectVersion?: string;
}

/**
 * The trained model to compile. The set is closed: create one with a factory; the job does the
 * rest (grants, and the copy a local archive needs).
 */
export class ModelInput {
  /**
   * A local `.tar.gz` archive, uploaded as a CDK asset. CDK names the uploaded object
   * `<hash>.gz`, so the deployment copies it to `model-inputs/<hash>.tar.gz` in the output bucket,
   * the name SageMaker requires (a single copy of at most 5 GB; use `fromBucket` for larger models).
   * @param path path of the archive, e.g. 'model/resnet18.tar.gz'
   * @param options how the asset is built and uploaded
   * @example ModelInput.fromAsset(path.join(__dirname, 'model.tar.gz'))
   */
  public static fromAsset(path: string, options: s3assets.AssetOptions = {}): ModelInput {
    return new ModelInput(new AssetModel(path, options));
  }

  /**
   * A `.tar.gz` archive already in S3. The job's role may read exactly this object.
   *
   * SageMaker reads whatever is at the key when the job runs, and a model overwritten in place
   * changes nothing in the template, so it recompiles nothing. Pin `objectVersion` (in a
   * versioned bucket) to compile exactly that version: the deployment copies it to
   * `model-inputs/<object id>/<version>.tar.gz` in the output bucket, and a new version is a new
   * request, which compiles anew.
   * @param bucket the bucket that holds the archive
   * @param key the archive's object key, ending in `.tar.gz`
   * @param options the object version to compile
   * @example ModelInput.fromBucket(bucket, 'models/resnet18.tar.gz', { objectVersion: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' })
   */
  public static fromBucket(bucket: s3.IBucket, key: string, options: BucketModelOptions = {}): ModelInput {
    return new ModelInput(new BucketModel(bucket, key, options.objectVersion));
  }

  /**
   * A `.tar.gz` archive already in S3, by its URI, as the SageMaker Python SDK's `model_data` and
   * the API's `InputConfig.S3Uri` take it. The same as `fromBucket` with the bucket imported by
   * name (`s3.Bucket.fromBucketName`): the job's role may read exactly this object. The URI must
   * be known at synth; for a bucket of the app use `fromBucket`.
   * @param s3Uri the archive's URI, `s3://<bucket>/<key>.tar.gz`
   * @param options the object version to compile
   * @example ModelInput.fromS3Uri('s3://my-models/resnet18/model.tar.gz')
   */
  public static fromS3Uri(s3Uri: string, options: BucketModelOptions = {}): ModelInput {
    return new ModelInput(new S3UriModel(s3Uri, options.objectVersion));
  }

  /**
   * A versioned model package from the SageMaker Model Registry. The package brings its own
   * framework and input shapes, so `framework`, `frameworkVersion` and `dataInputConfig` must
   * not be set. The execution role must be able to read the package's model artifacts: grant
   * that yourself when the artifacts live outside this stack.
   * @param modelPackageVersionArn ARN of the model package version, ending in `/<version>`
   * @example ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/resnet/3')
   */
  public static fromModelPackage(modelPackageVersionArn: string): ModelInput {
    return new ModelInput(new ModelPackageModel(modelPackageVersionArn));
  }

  /** Whether the input is a model package (which excludes the InputConfig fields). */
  public readonly isModelPackage: boolean;

  private constructor(private readonly source: ModelSource) {
    this.isModelPackage = source.isModelPackage;
  }

  /**
   * The problems of this input by the API's rules, each naming the rule.
   * @param stackRegion the job's stack's Region, when known at synth
   * @internal
   */
  public _problems(stackRegion?: string): string[] {
    return this.source.problems(stackRegion);
  }

  /**
   * Makes the model readable by the job's role and returns where it is.
   * @internal
   */
  public _bind(scope: Construct, options: ModelBindOptions): ModelLocation {
    return this.source.bind(scope, options);
  }
}
