import { createHash } from 'crypto';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CompilationJobProps } from './compilation-job';
import { CompilerOptions } from './compiler-options';
import { DataInputConfig } from './data-input-config';
import { Framework } from './framework';
import { ModelInput } from './model-input';
import { PropErrors } from './private/prop-errors';
import { CompilationTarget, TargetAccelerator, TargetArch, TargetDevice, TargetOs } from './target';

/** The members of CreateCompilationJobRequest (SageMaker API 2017-07-24) and of its structures. */
const REQUEST_FIELDS = ['CompilationJobName', 'RoleArn', 'ModelPackageVersionArn', 'InputConfig', 'OutputConfig', 'VpcConfig', 'StoppingCondition', 'Tags'];
const INPUT_FIELDS = ['S3Uri', 'DataInputConfig', 'Framework', 'FrameworkVersion'];
const OUTPUT_FIELDS = ['S3OutputLocation', 'TargetDevice', 'TargetPlatform', 'CompilerOptions', 'KmsKeyId'];
const PLATFORM_FIELDS = ['Os', 'Arch', 'Accelerator'];
const STOPPING_FIELDS = ['MaxRuntimeInSeconds', 'MaxWaitTimeInSeconds', 'MaxPendingTimeInSeconds'];

type Json = { [key: string]: any };

/** What a request cannot say but its job's props need. */
export interface CompilationRequestOptions {
  /**
   * The VPC the request's `VpcConfig.Subnets` belong to (a request names subnets and security
   * groups by ID; the props take the VPC itself), e.g. `ec2.Vpc.fromLookup(this, 'Vpc', { vpcId })`.
   * @default - none: a request with `VpcConfig` is refused
   */
  readonly vpc?: ec2.IVpc;
}

/**
 * An existing CreateCompilationJob request (the JSON of an `aws sagemaker create-compilation-job
 * --cli-input-json` file, or a boto3 `create_compilation_job` dict) turned into a job's props.
 *
 * Every field maps to a typed prop, so the job checks it at synth as it checks props written by
 * hand. `CompilationJobName` is dropped: the construct names each job after the stack, the
 * construct and the request, so that a changed request compiles under a new name and a
 * replacement never collides with the job it replaces. `RoleArn` becomes an imported, immutable
 * role: the role already compiles this model, the construct adds nothing to it (and warns
 * `cdk-sagemaker-neo:imported-role`); delete `role` from the props to get a least-privilege role
 * of the stack instead. `VpcConfig` needs the VPC its subnets belong to (`options.vpc`). Fields a
 * job's props cannot carry are errors that say what to write.
 */
export class CompilationRequest {
  /**
   * The props of a job that sends this request.
   * @param scope the construct that will hold the job: imported role, bucket and key go here
   * @param request the request, as JSON text or as an object
   * @param options what the request cannot say: the VPC of its `VpcConfig`
   * @example CompilationRequest.toJobProps(this, fs.readFileSync('request.json', 'utf8'))
   */
  public static toJobProps(scope: Construct, request: string | { [key: string]: any }, options: CompilationRequestOptions = {}): CompilationJobProps {
    const errors = new PropErrors();
    const body = parse(request, errors);
    const props = body === undefined ? undefined : propsOf(scope, body, options, errors);
    errors.throwIfAny('CompilationRequest', scope);
    return props!;
  }

  private constructor() {}
}

function parse(request: string | Json, errors: PropErrors): Json | undefined {
  if (typeof request !== 'string') return request;
  try {
    const value = JSON.parse(request);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
    errors.check(false, 'request', 'must be a JSON object, the CreateCompilationJob request');
  } catch (e) {
    errors.check(false, 'request', `is not JSON (${(e as Error).message})`);
  }
  return undefined;
}

function propsOf(scope: Construct, request: Json, options: CompilationRequestOptions, errors: PropErrors): CompilationJobProps {
  unknownFields(errors, '', request, REQUEST_FIELDS);
  const input: Json = request.InputConfig ?? {};
  const output: Json = request.OutputConfig ?? {};
  const stopping: Json = request.StoppingCondition ?? {};
  unknownFields(errors, 'InputConfig.', input, INPUT_FIELDS);
  unknownFields(errors, 'OutputConfig.', output, OUTPUT_FIELDS);
  unknownFields(errors, 'StoppingCondition.', stopping, STOPPING_FIELDS);

  const vpc = vpcProps(scope, request.VpcConfig, options.vpc, errors);
  errors.check(request.Tags === undefined, 'Tags', 'are not props: delete Tags and add each to the job with Tags.of(job).add(key, value)');
  for (const field of ['MaxWaitTimeInSeconds', 'MaxPendingTimeInSeconds']) {
    errors.check(stopping[field] === undefined, `StoppingCondition.${field}`,
      'applies to training jobs (managed Spot capacity, pending time), not to compilation jobs: delete it');
  }
  const inputSet = Object.keys(input).length > 0;
  errors.check(!(inputSet && request.ModelPackageVersionArn !== undefined), 'ModelPackageVersionArn',
    'and InputConfig exclude each other: a model package brings its own model, framework and shapes');
  errors.check(inputSet || request.ModelPackageVersionArn !== undefined, 'InputConfig', 'or ModelPackageVersionArn is required');
  errors.check(request.RoleArn !== undefined, 'RoleArn', 'is required (delete role from the returned props to get a least-privilege role)');

  const text = (path: string, value: unknown): string | undefined => {
    errors.check(value === undefined || typeof value === 'string', path, `must be a string (got ${JSON.stringify(value)})`);
    return typeof value === 'string' ? value : undefined;
  };
  const s3Uri = text('InputConfig.S3Uri', input.S3Uri);
  const packageArn = text('ModelPackageVersionArn', request.ModelPackageVersionArn);
  const model = packageArn !== undefined ? ModelInput.fromModelPackage(packageArn) : ModelInput.fromS3Uri(s3Uri ?? '');
  const framework = text('InputConfig.Framework', input.Framework);
  const dataInput = text('InputConfig.DataInputConfig', input.DataInputConfig);
  const compilerOptions = text('OutputConfig.CompilerOptions', output.CompilerOptions);
  const maxRuntime = stopping.MaxRuntimeInSeconds;
  errors.check(maxRuntime === undefined || Number.isInteger(maxRuntime), 'StoppingCondition.MaxRuntimeInSeconds', `must be a whole number (got ${JSON.stringify(maxRuntime)})`);

  const roleArn = text('RoleArn', request.RoleArn);
  const location = outputLocation(text('OutputConfig.S3OutputLocation', output.S3OutputLocation), errors);
  const keyId = text('OutputConfig.KmsKeyId', output.KmsKeyId);
  return {
    model,
    framework: framework === undefined ? undefined : Framework.of(framework),
    frameworkVersion: text('InputConfig.FrameworkVersion', input.FrameworkVersion),
    dataInputConfig: dataInput === undefined ? undefined : DataInputConfig.fromJson(dataInput),
    // Undefined only after an error was recorded: the caller throws before returning these props.
    target: targetOf(output, errors)!,
    compilerOptions: compilerOptions === undefined ? undefined : CompilerOptions.fromJson(compilerOptions),
    outputBucket: location && imported(scope, 'OutputBucket', location.bucket, (id) => s3.Bucket.fromBucketName(scope, id, location.bucket)),
    outputPrefix: location?.prefix,
    encryptionKey: keyId === undefined ? undefined : keyOf(scope, keyId),
    role: roleArn === undefined ? undefined : imported(scope, 'Role', roleArn, (id) => iam.Role.fromRoleArn(scope, id, roleArn, { mutable: false })),
    maxRuntime: Number.isInteger(maxRuntime) ? Duration.seconds(maxRuntime) : undefined,
    ...vpc,
  };
}

function unknownFields(errors: PropErrors, prefix: string, value: Json, known: string[]): void {
  for (const field of Object.keys(value)) {
    errors.check(known.includes(field), `${prefix}${field}`, `is not a field of CreateCompilationJob's request (known: ${known.join(', ')})`);
  }
}

/** `VpcConfig` as the props' vpc, vpcSubnets and securityGroups, imported by ID. */
function vpcProps(scope: Construct, config: Json | undefined, vpc: ec2.IVpc | undefined, errors: PropErrors): Partial<CompilationJobProps> {
  if (config === undefined) return {};
  unknownFields(errors, 'VpcConfig.', config, ['SecurityGroupIds', 'Subnets']);
  errors.check(vpc !== undefined, 'VpcConfig',
    'names subnets by ID, and the props take the VPC itself: pass it, CompilationRequest.toJobProps(this, request, { vpc })');
  const ids = (field: string): string[] => {
    const value = config[field];
    const ok = Array.isArray(value) && value.every((id) => typeof id === 'string');
    errors.check(ok, `VpcConfig.${field}`, `must be a list of IDs (got ${JSON.stringify(value)})`);
    return ok ? value : [];
  };
  return {
    vpc,
    vpcSubnets: { subnets: ids('Subnets').map((id) => imported(scope, 'Subnet', id, (cid) => ec2.Subnet.fromSubnetId(scope, cid, id))) },
    securityGroups: ids('SecurityGroupIds').map((id) => imported(scope, 'SecurityGroup', id, (cid) => ec2.SecurityGroup.fromSecurityGroupId(scope, cid, id))),
  };
}

/** `s3://<bucket>/<prefix>` as bucket and prefix. */
function outputLocation(uri: string | undefined, errors: PropErrors): { bucket: string; prefix: string } | undefined {
  if (uri === undefined) {
    errors.check(false, 'OutputConfig.S3OutputLocation', 'is required');
    return undefined;
  }
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  errors.check(match !== null, 'OutputConfig.S3OutputLocation', `must be an S3 URI s3://<bucket>/<prefix> (got '${uri}')`);
  return match ? { bucket: match[1], prefix: match[2] } : undefined;
}

/** The target, or undefined after recording why there is none. */
function targetOf(output: Json, errors: PropErrors): CompilationTarget | undefined {
  const { TargetDevice: device, TargetPlatform: platform } = output;
  if ((device === undefined) === (platform === undefined)) {
    errors.check(false, 'OutputConfig', 'needs exactly one of TargetDevice and TargetPlatform');
    return undefined;
  }
  if (device !== undefined) return CompilationTarget.device(TargetDevice.of(String(device)));
  unknownFields(errors, 'OutputConfig.TargetPlatform.', platform, PLATFORM_FIELDS);
  errors.check(platform.Os !== undefined && platform.Arch !== undefined, 'OutputConfig.TargetPlatform', 'needs Os and Arch');
  if (platform.Os === undefined || platform.Arch === undefined) return undefined;
  return CompilationTarget.platform({
    os: TargetOs.of(String(platform.Os)),
    arch: TargetArch.of(String(platform.Arch)),
    accelerator: platform.Accelerator === undefined ? undefined : TargetAccelerator.of(String(platform.Accelerator)),
  });
}

/**
 * `KmsKeyId` takes a key ID, key ARN, alias name or alias ARN
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputConfig.html).
 */
function keyOf(scope: Construct, keyId: string): kms.IKey {
  const alias = /^(?:arn:[^:]+:kms:[^:]*:\d*:)?(alias\/.+)$/.exec(keyId);
  if (alias) return imported(scope, 'Key', keyId, (id) => kms.Alias.fromAliasName(scope, id, alias[1]));
  const arn = keyId.startsWith('arn:') ? keyId : Stack.of(scope).formatArn({ service: 'kms', resource: 'key', resourceName: keyId });
  return imported(scope, 'Key', keyId, (id) => kms.Key.fromKeyArn(scope, id, arn));
}

/** One imported construct per value in `scope`, so that two requests may share a role or bucket. */
function imported<T>(scope: Construct, kind: string, value: string, create: (id: string) => T): T {
  const id = `Request${kind}${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
  return (scope.node.tryFindChild(id) as unknown as T | undefined) ?? create(id);
}
