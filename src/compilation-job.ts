import { CustomResource, Duration, ITaggable, Lazy, RemovalPolicy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CompilationCache } from './compilation-cache';
import { CompilerOptions } from './compiler-options';
import { DataInputConfig } from './data-input-config';
import { Framework } from './framework';
import { ModelInput } from './model-input';
import {
  CompilationJobAttributes, CompilationJobRequest, CompilationJobResourceProperties, CompilationJobSpec, DEFAULT_MAX_RETRIES, JobTag,
  MAX_JOB_TIMEOUT_SECONDS, MAX_LONG_RUN_TIMEOUT_SECONDS, RESOURCE_TYPE,
} from './private/contract';
import { REQUEST_METADATA_TYPE, shownRequestOf } from './private/create-request';
import { createExecutionRole, grantJobBasics, isExecutionRoleOf } from './private/execution-role';
import { neoFrameworkVersion } from './private/framework-version-rules';
import { grantObjectRead, grantObjectWrite } from './private/grants';
import { roleProblems, tagProblems, validateJob } from './private/job-rules';
import { longRunResult, longRunWaitCondition } from './private/long-run-result';
import { ModelLocation } from './private/model-sources';
import { acknowledgeWildcardResources } from './private/nag';
import { jobNamePrefix } from './private/naming';
import { defaultOutputBucket } from './private/output-bucket';
import { CompilationJobProvider, SERVICE_TIMEOUT } from './private/provider';
import { jobRemovalOf } from './private/removal-policy';
import { CompilationTarget } from './target';

/** Time SageMaker may need beyond `maxRuntime` (provisioning, upload of the artifact). */
const TIMEOUT_MARGIN = Duration.minutes(5);

/** Properties of a `CompilationJob`. */
export interface CompilationJobProps {
  /** The trained model to compile. */
  readonly model: ModelInput;

  /**
   * The framework the model was trained with.
   * @default - required unless `model` is a model package, which brings its own
   */
  readonly framework?: Framework;

  /**
   * The framework version, e.g. '2.0'. Only for MXNET, PYTORCH, TENSORFLOW and TFLITE, and not
   * for the targets Neo refuses it for (see the README). Sent as major.minor, as the SageMaker
   * Python SDK sends it: '1.6.1' is sent as '1.6'.
   * @default - Neo's default for the framework
   */
  readonly frameworkVersion?: string;

  /**
   * Names and shapes of the model's inputs.
   * @default - none (allowed for XGBOOST, and for PyTorch 2.0+ on cloud targets)
   */
  readonly dataInputConfig?: DataInputConfig;

  /** The device or platform to compile for. */
  readonly target: CompilationTarget;

  /**
   * Target-specific compiler settings.
   * @default - none
   */
  readonly compilerOptions?: CompilerOptions;

  /**
   * Where the compiled model is written.
   * @default - one bucket per stack, created by this library: private, TLS-only, encrypted,
   * versioned and retained when the stack is deleted
   */
  readonly outputBucket?: s3.IBucket;

  /**
   * Key prefix of the compiled model in `outputBucket`. Each job writes under
   * `<outputPrefix>/<job name>/` (one '/' between them, whether or not the prefix ends with one),
   * so a replacement never overwrites an artifact in use.
   * @default 'compiled/'
   */
  readonly outputPrefix?: string;

  /**
   * KMS key SageMaker encrypts the compiled model with (`OutputConfig.KmsKeyId`).
   * @default - the bucket's default encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * VPC the job runs in (`VpcConfig`). Without internet egress it needs an S3 gateway endpoint.
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the job (1 to 16).
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the job in `vpc` (1 to 5).
   * @default - a new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The role SageMaker assumes to run the job. A role of this stack gets the permissions the
   * job needs added; an imported role must already have them (see the README).
   * @default - a new role trusted by SageMaker only, with least-privilege permissions
   */
  readonly role?: iam.IRole;

  /**
   * How long SageMaker lets the job run (`StoppingCondition.MaxRuntimeInSeconds`).
   * @default Duration.minutes(15)
   */
  readonly maxRuntime?: Duration;

  /**
   * How long the deployment waits for the job, counted from the start of the resource's
   * CloudFormation operation, time waiting for the concurrent-job quota included. Past it, the
   * job is stopped and the deployment fails. At most 11 hours 59 minutes.
   *
   * Up to 59 minutes, one custom resource waits (CloudFormation gives it one hour). Above that,
   * the job's resource hands the wait to a Step Functions run and CloudFormation waits on a
   * WaitCondition (12 hours at most); a third resource then returns the attributes. Same
   * guarantees, two more resources and the run's state transitions (see the README).
   * @default - `maxRuntime` plus 5 minutes
   */
  readonly timeout?: Duration;

  /**
   * What happens to the job record when the resource is deleted or replaced. The compiled model
   * and the input model are never deleted, whatever this says.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Compile once, promote everywhere: a cache shared by the stages that deploy this model. A stage
   * that finds the same compilation in it (same model bytes, framework and version, input shapes,
   * target, compiler options and Region) runs no job: it copies the cached artifact into its own
   * output location, and reports the digest, image and job ARN of the stage that compiled it.
   * Otherwise the job compiles and its artifact is published to the cache. Both paths: on the long
   * path (`timeout` above 59 minutes) a hit's run only signals its WaitCondition. See docs/compile-once.md.
   * @default - no cache: every stage compiles
   */
  readonly cache?: CompilationCache;

  /**
   * How many times a job that SageMaker fails with an internal error (a failure reason such as
   * `ServerError: ... please try again in a few minutes`) is created again, under a new name,
   * after a back-off of 1, then 2, 4... minutes, while `timeout` allows. Client errors (a model
   * that does not compile, a bad request) are never retried. 0 turns retries off. At most 5.
   * @default 2
   */
  readonly maxRetries?: number;
}

/**
 * A SageMaker Neo compilation job that runs during `cdk deploy`.
 *
 * The deployment waits for the job and fails with SageMaker's reason when the job fails. A job
 * is stopped when its resource is deleted, rolled back or times out. Any change to the request
 * compiles anew; a change of tags alone updates the job in place.
 *
 * @example
 * const job = new CompilationJob(this, 'Resnet', {
 *   model: ModelInput.fromAsset(path.join(__dirname, 'model.tar.gz')),
 *   framework: Framework.PYTORCH,
 *   frameworkVersion: '2.0',
 *   dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
 *   target: CompilationTarget.device(TargetDevice.ML_C5),
 * });
 */
export class CompilationJob extends Construct implements ITaggable {
  /**
   * Name of the job (deterministic from the construct and its request).
   * @attribute
   */
  public readonly compilationJobName: string;
  /**
   * ARN of the job.
   * @attribute
   */
  public readonly compilationJobArn: string;
  /**
   * S3 URI of the compiled model archive (`ModelArtifacts.S3ModelArtifacts`).
   * @attribute
   */
  public readonly modelArtifactsS3Uri: string;
  /**
   * Object key of the compiled model archive in `outputBucket`.
   * @attribute
   */
  public readonly modelArtifactsObjectKey: string;
  /**
   * The Neo inference image for cloud (ml_*) targets, empty for edge targets.
   * @attribute
   */
  public readonly inferenceImage: string;
  /**
   * Digest SageMaker computed for the compiled artifact, empty when SageMaker gives none.
   * @attribute
   */
  public readonly artifactDigest: string;
  /**
   * The input shapes Neo derived itself (`DerivedInformation.DerivedDataInputConfig`, JSON), as
   * it does for PyTorch 2.x and XGBoost models on cloud targets compiled without
   * `dataInputConfig`. Empty when Neo derived none, or when they are too long for
   * CloudFormation's 4 KB custom-resource response (DescribeCompilationJob still has them).
   * @attribute
   */
  public readonly derivedDataInputConfig: string;
  /**
   * 'true' when this deployment copied the artifact from `cache` instead of compiling (then
   * `compilationJobArn` names the job of the stage that compiled it), else 'false'.
   * @attribute
   */
  public readonly cacheHit: string;
  /** The bucket the compiled model is written to. */
  public readonly outputBucket: s3.IBucket;
  /** The role SageMaker assumes to run the job. */
  public readonly role: iam.IRole;
  /** What the model is compiled for. */
  public readonly target: CompilationTarget;
  /** Tags of the job. `Tags.of(job)` reaches the SageMaker job. */
  public readonly tags: TagManager;

  private readonly encryptionKey?: kms.IKey;

  /**
   * @param scope the construct this job belongs to
   * @param id the job's id, part of its name
   * @param props what to compile, for which target, and how
   */
  constructor(scope: Construct, id: string, props: CompilationJobProps) {
    super(scope, id);
    const maxRuntime = props.maxRuntime ?? Duration.minutes(15);
    const timeout = props.timeout ?? defaultTimeout(maxRuntime);
    this.outputBucket = props.outputBucket ?? defaultOutputBucket(this);
    const outputPrefix = props.outputPrefix ?? 'compiled/';
    validateJob(this, props, { maxRuntime, timeout, outputBucket: this.outputBucket, outputPrefix });
    const removal = jobRemovalOf(props.removalPolicy);

    this.target = props.target;
    this.tags = new TagManager(TagType.KEY_VALUE, RESOURCE_TYPE);
    // Tags arrive through aspects (Tags.of), so they are checked when the app is synthesized.
    this.node.addValidation({ validate: () => tagProblems(this.tags.renderTags() ?? []) });
    // So is the role's trust policy, to which statements may be added after this constructor.
    this.node.addValidation({ validate: () => roleProblems(props.role) });
    this.encryptionKey = props.encryptionKey;
    const namePrefix = jobNamePrefix(this);
    this.role = props.role ?? createExecutionRole(this, 'Role');
    grantJobBasics(this, this.role, namePrefix);

    const provider = CompilationJobProvider.of(this);
    const model = props.model._bind(this, { role: this.role, copier: provider.handlerRole, stagingBucket: this.outputBucket });
    this.grantOutput(outputPrefix, props.encryptionKey);
    const request = this.requestOf(props, model, outputPrefix, maxRuntime);
    const timeoutSeconds = timeout.toSeconds();
    // Longer than a custom resource may wait: a WaitCondition waits, a Step Functions run polls.
    const longRun = !Token.isUnresolved(timeoutSeconds) && timeoutSeconds > MAX_JOB_TIMEOUT_SECONDS;
    const spec: CompilationJobSpec = {
      jobNamePrefix: namePrefix,
      constructAddress: this.node.addr,
      request,
      tags: Lazy.any({ produce: () => this.tags.renderTags() ?? [] }) as unknown as JobTag[],
      timeoutSeconds,
      removalPolicy: removal.record,
      inputCopy: model.copySource === undefined ? undefined
        : { source: model.copySource, sourceVersion: model.copySourceVersion, target: model.s3Uri! },
      longRun: longRun ? { stateMachineArn: provider.longRunStateMachine().stateMachineArn } : undefined,
      cache: props.cache?._bind({
        handler: provider.handlerRole, outputBucket: this.outputBucket, outputPrefix, encryptionKey: props.encryptionKey, model,
      }),
      // Only when not the default: the templates of jobs that keep it do not change.
      maxRetries: props.maxRetries === undefined || props.maxRetries === DEFAULT_MAX_RETRIES ? undefined : props.maxRetries,
    };
    const specJson = Stack.of(this).toJsonString(spec);
    // The request as the handler will send it, readable after `cdk synth` in the cloud assembly
    // (`<stack>.metadata.json`), tokens as CloudFormation intrinsics; not in the template, whose
    // size limits the jobs per stack. Lazy: tags arrive through aspects.
    this.node.addMetadata(REQUEST_METADATA_TYPE, Lazy.any({
      produce: () => shownRequestOf(request, this.tags.renderTags() ?? [], namePrefix, this.node.addr),
    }));
    const wait = longRun ? longRunWaitCondition(this, specJson, timeoutSeconds) : undefined;
    const properties: Omit<CompilationJobResourceProperties, 'ServiceToken'> = { Spec: specJson, WaitCondition: wait?.logicalId };

    provider.allowPassRole(this.role);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      serviceTimeout: SERVICE_TIMEOUT,
      properties,
      // The handler sees every Delete (it stops a running job) unless the policy keeps the
      // resource itself; artifacts are never deleted.
      removalPolicy: removal.resource,
    });
    // The job must not start before its role can read the model and write the output. A default
    // role holds all its permissions (inline and attached), and the Spec's GetAtt of its ARN
    // already makes the job wait for it; any other role of the stack may have a separate policy.
    if (!isExecutionRoleOf(Stack.of(this), this.role)) resource.node.addDependency(this.role);

    // On the long path, the attributes come from the result resource after the WaitCondition.
    const result = wait ? longRunResult(this, wait, resource, provider.serviceToken, timeoutSeconds, spec.cache) : resource;
    const attribute = (name: keyof CompilationJobAttributes) => result.getAttString(name);
    this.compilationJobName = attribute('CompilationJobName');
    this.compilationJobArn = attribute('CompilationJobArn');
    this.modelArtifactsS3Uri = attribute('ModelArtifactsS3Uri');
    this.modelArtifactsObjectKey = attribute('ModelArtifactsObjectKey');
    this.inferenceImage = attribute('InferenceImage');
    this.artifactDigest = attribute('ArtifactDigest');
    this.derivedDataInputConfig = attribute('DerivedDataInputConfig');
    this.cacheHit = attribute('CacheHit');
  }

  /**
   * Lets `grantee` read the compiled model (and decrypt it when `encryptionKey` is set).
   * @param grantee the principal that reads the model, e.g. a SageMaker model's role
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey?.grantDecrypt(grantee);
    return grantObjectRead(grantee, this.outputBucket, this.modelArtifactsObjectKey);
  }

  /** Write under the output prefix (and encrypt with the job's key), nothing more. */
  private grantOutput(outputPrefix: string, encryptionKey?: kms.IKey): void {
    const outputObjects = `${outputPrefix}*`;
    grantObjectWrite(this.role, this.outputBucket, outputObjects);
    acknowledgeWildcardResources(this.role, [this.outputBucket.arnForObjects(outputObjects)],
      'SageMaker chooses the names of the objects it writes under the output prefix.');
    // Writing with SSE-KMS: a data key per object, and Decrypt for multipart uploads.
    encryptionKey?.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /** The CreateCompilationJob request, without the name and tags the handler adds. */
  private requestOf(props: CompilationJobProps, model: ModelLocation, outputPrefix: string, maxRuntime: Duration): CompilationJobRequest {
    const platform = props.target.targetPlatform;
    return {
      RoleArn: this.role.roleArn,
      ModelPackageVersionArn: model.modelPackageVersionArn,
      InputConfig: model.s3Uri === undefined ? undefined : {
        S3Uri: model.s3Uri,
        Framework: props.framework?.name ?? '',
        FrameworkVersion: props.frameworkVersion === undefined ? undefined : neoFrameworkVersion(props.frameworkVersion),
        DataInputConfig: props.dataInputConfig?._render(this),
      },
      OutputConfig: {
        S3OutputLocation: this.outputBucket.s3UrlForObject(outputPrefix),
        TargetDevice: props.target.targetDevice?.name,
        TargetPlatform: platform && { Os: platform.os.name, Arch: platform.arch.name, Accelerator: platform.accelerator?.name },
        CompilerOptions: props.compilerOptions?.json,
        KmsKeyId: props.encryptionKey?.keyArn,
      },
      VpcConfig: this.vpcConfig(props),
      StoppingCondition: { MaxRuntimeInSeconds: maxRuntime.toSeconds() },
    };
  }

  private vpcConfig(props: CompilationJobProps): CompilationJobRequest['VpcConfig'] {
    if (!props.vpc) return undefined;
    const securityGroups = props.securityGroups ?? [new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'SageMaker Neo compilation job',
      allowAllOutbound: true,
    })];
    // The ENI permissions SageMaker needs to place the job in the VPC; these EC2 actions take no resource.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission',
        'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
        'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions',
        'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
      ],
      resources: ['*'],
    }));
    acknowledgeWildcardResources(this.role, ['*'], 'The EC2 network-interface actions SageMaker uses in a VPC take no resource.');
    return {
      SecurityGroupIds: securityGroups.map((sg) => sg.securityGroupId),
      Subnets: props.vpc.selectSubnets(props.vpcSubnets).subnetIds,
    };
  }
}

function defaultTimeout(maxRuntime: Duration): Duration {
  const maxRuntimeSeconds = maxRuntime.toSeconds({ integral: false });
  if (Token.isUnresolved(maxRuntimeSeconds)) return Duration.seconds(MAX_JOB_TIMEOUT_SECONDS);
  return Duration.seconds(Math.min(maxRuntimeSeconds + TIMEOUT_MARGIN.toSeconds(), MAX_LONG_RUN_TIMEOUT_SECONDS));
}
