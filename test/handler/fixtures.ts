/**
 * Shared, typed fixtures for the compilation job handler tests: the CloudFormation events the CDK
 * Provider framework delivers to onEvent and isComplete, a realistic job spec, the
 * DescribeCompilationJob outputs of every status, and SDK v3 errors shaped the way the SDK
 * deserializes them.
 */
import {
  DescribeCompilationJobCommandOutput,
  InputConfig,
  OutputConfig,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import type { CreateEvent, DeleteEvent, IsCompleteRequest, OnEventRequest, UpdateEvent } from '../../lambda/compilation-job/cloudformation';
import { jobNameOf } from '../../lambda/compilation-job/spec';
import {
  CompilationJobRequest,
  CompilationJobResourceProperties,
  CompilationJobSpec,
  MAX_JOB_NAME_PREFIX_LENGTH,
  RESOURCE_TYPE,
} from '../../src/private/contract';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** What the framework's safeHandler answers for a Create that failed before it had a physical id. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** A stack name of CloudFormation's maximal length (128), so the StackId is as long as it gets. */
export const STACK_NAME = `NeoStack-${'s'.repeat(128 - 'NeoStack-'.length)}`;
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK_NAME}/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7`;
/** CloudFormation's maximal logical id length. */
export const LOGICAL_RESOURCE_ID = `Resnet${'L'.repeat(255 - 'Resnet'.length - 8)}1A2B3C4D`;
export const REQUEST_ID = 'c7a3e0c2-6d0b-4b8e-9b57-3f2f5e1c9a11';
/** The framework's onEvent function: this is the ServiceToken CloudFormation sees. */
export const SERVICE_TOKEN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:NeoStack-CompilationJobProviderframeworkonEvent-AbC123`;
export const RESPONSE_URL =
  'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/NeoStack/' +
  '5f0e8d60%7CResnet%7Cc7a3e0c2?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20250101T000000Z&X-Amz-Expires=7200&X-Amz-Signature=abcdef';

/** The request of a realistic job: an ONNX model in S3 compiled for ml_c5. */
export function requestOf(overrides: Partial<CompilationJobRequest> = {}): CompilationJobRequest {
  return {
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/NeoStack-ResnetRole1A2B3C4D-9XyZ8wVu7TsR`,
    InputConfig: {
      S3Uri: 's3://model-bucket/models/resnet18.tar.gz',
      Framework: 'ONNX',
      DataInputConfig: '{"input0":[1,3,224,224]}',
    },
    OutputConfig: {
      S3OutputLocation: 's3://out-bucket/compiled/',
      TargetDevice: 'ml_c5',
    },
    StoppingCondition: { MaxRuntimeInSeconds: 900 },
    ...overrides,
  };
}

export type SpecOverrides = Partial<Omit<CompilationJobSpec, 'request'>> & {
  readonly request?: Partial<CompilationJobRequest>;
};

/** A realistic job spec as the construct renders it; `request` overrides are merged into the request. */
export function specOf(overrides: SpecOverrides = {}): CompilationJobSpec {
  const { request, ...rest } = overrides;
  return {
    jobNamePrefix: 'NeoStack-Resnet',
    constructAddress: 'c8d2b7e4a1f09c3b5e6d7a8b9c0d1e2f3a4b5c6d7e',
    request: requestOf(request),
    tags: [],
    timeoutSeconds: 1200,
    removalPolicy: 'destroy',
    ...rest,
  };
}

/** A job name prefix of the maximal length the construct produces. */
export const LONGEST_PREFIX = `NeoStack-${'a'.repeat(MAX_JOB_NAME_PREFIX_LENGTH - 'NeoStack-'.length)}`;

/** The job name of a spec in the operation `requestId` (the handler's own derivation). */
export function nameOf(spec: CompilationJobSpec, requestId = REQUEST_ID): string {
  return jobNameOf(spec, requestId);
}

/** The custom resource properties CloudFormation passes: the spec as ONE JSON string. */
export function propertiesOf(spec: CompilationJobSpec, serviceToken = SERVICE_TOKEN): CompilationJobResourceProperties {
  return { ServiceToken: serviceToken, Spec: JSON.stringify(spec) };
}

export interface EventOptions {
  readonly requestId?: string;
  readonly serviceToken?: string;
}

function common(spec: CompilationJobSpec, options: EventOptions) {
  return {
    ServiceToken: options.serviceToken ?? SERVICE_TOKEN,
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: options.requestId ?? REQUEST_ID,
    LogicalResourceId: LOGICAL_RESOURCE_ID,
    ResourceType: RESOURCE_TYPE,
    ResourceProperties: propertiesOf(spec, options.serviceToken),
  };
}

export function createEvent(spec: CompilationJobSpec, options: EventOptions = {}): CreateEvent {
  return { ...common(spec, options), RequestType: 'Create' };
}

export interface UpdateEventOptions extends EventOptions {
  /** The ServiceToken of the old properties (a library upgrade may change it). */
  readonly oldServiceToken?: string;
}

export function updateEvent(
  newSpec: CompilationJobSpec, oldSpec: CompilationJobSpec, physicalId: string, options: UpdateEventOptions = {},
): UpdateEvent {
  return {
    ...common(newSpec, options),
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    OldResourceProperties: propertiesOf(oldSpec, options.oldServiceToken ?? options.serviceToken),
  };
}

export function deleteEvent(spec: CompilationJobSpec, physicalId: string, options: EventOptions = {}): DeleteEvent {
  return { ...common(spec, options), RequestType: 'Delete', PhysicalResourceId: physicalId };
}

/** What the framework passes to isComplete: the onEvent event with onEvent's PhysicalResourceId. */
export function isCompleteEvent(event: OnEventRequest, physicalId: string): IsCompleteRequest {
  return { ...event, PhysicalResourceId: physicalId };
}

// ---------------------------------------------------------------------------------------------
// DescribeCompilationJob outputs

export type JobStatus = 'STARTING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPING' | 'STOPPED';

export interface DescribeOptions {
  /** When SageMaker created the job; default one minute ago. */
  readonly createdAt?: Date;
}

type ResponseMetadata = DescribeCompilationJobCommandOutput['$metadata'];

function metadata(httpStatusCode = 200): ResponseMetadata {
  return { httpStatusCode, requestId: 'e0a5c6a2-1b7c-4bd2-8e55-6f4b0c9d2a10', attempts: 1, totalRetryDelay: 0 };
}

export function jobArnOf(jobName: string): string {
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:compilation-job/${jobName}`;
}

/** A DescribeCompilationJob output of a job made from `spec`, as SageMaker echoes the request. */
export function describeOutput(
  spec: CompilationJobSpec, jobName: string, status: JobStatus,
  options: DescribeOptions = {}, extra: Partial<DescribeCompilationJobCommandOutput> = {},
): DescribeCompilationJobCommandOutput {
  const createdAt = options.createdAt ?? new Date(Date.now() - 60_000);
  const request = spec.request;
  return {
    $metadata: metadata(),
    CompilationJobName: jobName,
    CompilationJobArn: jobArnOf(jobName),
    CompilationJobStatus: status,
    CompilationStartTime: status === 'STARTING' ? undefined : new Date(createdAt.getTime() + 5_000),
    StoppingCondition: request.StoppingCondition,
    CreationTime: createdAt,
    LastModifiedTime: new Date(createdAt.getTime() + 10_000),
    FailureReason: undefined,
    ModelArtifacts: undefined,
    RoleArn: request.RoleArn,
    InputConfig: request.InputConfig as InputConfig | undefined,
    OutputConfig: {
      ...request.OutputConfig,
      S3OutputLocation: `${request.OutputConfig.S3OutputLocation.replace(/\/+$/, '')}/${jobName}`,
    } as OutputConfig,
    ...extra,
  };
}

export const startingJob = (spec: CompilationJobSpec, jobName: string, options: DescribeOptions = {}) =>
  describeOutput(spec, jobName, 'STARTING', options);

export const inProgressJob = (spec: CompilationJobSpec, jobName: string, options: DescribeOptions = {}) =>
  describeOutput(spec, jobName, 'INPROGRESS', options);

export interface CompletedOptions extends DescribeOptions {
  /** default `<output location>/<job name>/model-ml_c5.tar.gz` */
  readonly s3ModelArtifacts?: string;
  /** `null`: SageMaker reports none (edge targets) */
  readonly inferenceImage?: string | null;
  /** `null`: SageMaker reports no digest */
  readonly artifactDigest?: string | null;
}

export const INFERENCE_IMAGE = '785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-inferentia-neo-onnx:1.5.1-cpu-py3';
export const ARTIFACT_DIGEST = 'sha256:3b7f0a6c2d1e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a';

export function completedJob(
  spec: CompilationJobSpec, jobName: string, options: CompletedOptions = {},
): DescribeCompilationJobCommandOutput {
  const base = describeOutput(spec, jobName, 'COMPLETED', options);
  return {
    ...base,
    CompilationEndTime: new Date(base.CreationTime!.getTime() + 50_000),
    ModelArtifacts: { S3ModelArtifacts: options.s3ModelArtifacts ?? `${base.OutputConfig!.S3OutputLocation}/model-ml_c5.tar.gz` },
    InferenceImage: options.inferenceImage === null ? undefined : options.inferenceImage ?? INFERENCE_IMAGE,
    ModelDigests: options.artifactDigest === null ? undefined : { ArtifactDigest: options.artifactDigest ?? ARTIFACT_DIGEST },
  };
}

export function failedJob(
  spec: CompilationJobSpec, jobName: string, reason: string, options: DescribeOptions = {},
): DescribeCompilationJobCommandOutput {
  return describeOutput(spec, jobName, 'FAILED', options, { FailureReason: reason });
}

export const stoppingJob = (spec: CompilationJobSpec, jobName: string, options: DescribeOptions = {}) =>
  describeOutput(spec, jobName, 'STOPPING', options);

export const stoppedJob = (spec: CompilationJobSpec, jobName: string, options: DescribeOptions = {}) =>
  describeOutput(spec, jobName, 'STOPPED', options);

// ---------------------------------------------------------------------------------------------
// SDK v3 errors, shaped like the SDK's JSON protocol deserializer builds them: modeled errors are
// their own classes; unmodeled ones (throttling, validation, internal failure) are
// SageMakerServiceException with `name` = the error code, `$fault` from the HTTP status.

export function resourceNotFound(what = 'compilation job'): ResourceNotFound {
  return new ResourceNotFound({ message: `Could not find ${what}.`, Message: `Could not find ${what}.`, $metadata: metadata(400) });
}

export function resourceInUse(jobName: string): ResourceInUse {
  const message = `Job with name ${jobName} already exists. Please retry with a different name.`;
  return new ResourceInUse({ message, Message: message, $metadata: metadata(400) });
}

export function resourceLimitExceeded(): ResourceLimitExceeded {
  // SageMaker's quota words (aws/amazon-sagemaker-examples#1543), for this quota.
  const message = 'The account-level service limit \'Number of concurrent compilation jobs\' is 20 Jobs, with current utilization of 20 Jobs ' +
    'and a request delta of 1 Jobs. Please contact AWS support to request an increase for this limit.';
  return new ResourceLimitExceeded({ message, Message: message, $metadata: metadata(400) });
}

function unmodeled(name: string, httpStatusCode: number, message: string): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    $fault: httpStatusCode < 500 ? 'client' : 'server',
    $metadata: metadata(httpStatusCode),
    message,
  });
}

/** Throttling as SageMaker reports it: HTTP 400 with code ThrottlingException, `Rate exceeded` (aws/sagemaker-python-sdk#645). */
export function throttling(): SageMakerServiceException {
  return unmodeled('ThrottlingException', 400, 'Rate exceeded');
}

/** A 5xx fault. */
export function internalFailure(): SageMakerServiceException {
  return unmodeled('InternalFailure', 500, 'An internal error occurred.');
}

export function validationException(message: string): SageMakerServiceException {
  return unmodeled('ValidationException', 400, message);
}

/** An access problem: neither transient nor anything the handler may swallow. */
export function accessDenied(): SageMakerServiceException {
  return unmodeled('AccessDeniedException', 400,
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/NeoStack-onEvent/fn is not authorized to perform: sagemaker:DescribeCompilationJob`);
}
