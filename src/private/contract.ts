/**
 * The one contract between the CompilationJob construct and its custom resource handler.
 *
 * The handler imports this file with `import type` only, so construct and handler cannot drift
 * and no construct code ends up in the Lambda bundle.
 */

import type { CreateCompilationJobRequest } from '@aws-sdk/client-sagemaker';
import type { CacheSpec } from './cache-contract';
import { API_LIMITS } from './limits';

/** CloudFormation type of the custom resource. */
export const RESOURCE_TYPE = 'Custom::SageMakerNeoCompilationJob';

/**
 * Properties of the custom resource as the handler receives them.
 *
 * CloudFormation turns every custom resource property into a string, so the whole job
 * description travels as ONE JSON string (built with `Stack.toJsonString`) in which numbers
 * stay numbers.
 */
export interface CompilationJobResourceProperties {
  readonly ServiceToken: string;
  /** JSON of a {@link CompilationJobSpec}. */
  readonly Spec: string;
  /**
   * Long path only: the logical id of the WaitCondition that the run must signal. Outside the Spec,
   * because that id is a hash of the Spec (a WaitCondition cannot be updated, so a new Spec gets a new one).
   */
  readonly WaitCondition?: string;
}

/** Everything the handler needs to run one compilation job. */
export interface CompilationJobSpec {
  /**
   * First part of the job name, already sanitized: `<stack prefix>-<construct id>`, at most
   * {@link MAX_JOB_NAME_PREFIX_LENGTH} characters. The handler appends `-<hash of the request>`.
   */
  readonly jobNamePrefix: string;
  /** Unique address of the construct in the app, so two constructs never share a job name. */
  readonly constructAddress: string;
  /** The CreateCompilationJob request, without the job name and tags. */
  readonly request: CompilationJobRequest;
  /** Tags of the job (from `Tags.of(job)`); a change of tags alone updates the job in place. */
  readonly tags: JobTag[];
  /**
   * How long the deployment waits for the job, counted from the start of the CloudFormation
   * operation (time spent waiting for the concurrent-job quota included).
   */
  readonly timeoutSeconds: number;
  /** What happens to the job record when the resource is deleted. */
  readonly removalPolicy: JobRemovalPolicy;
  /**
   * A copy the handler makes before it creates the job: SageMaker needs a key that ends in
   * `.tar.gz`, and CDK file assets keep only the last extension (`<hash>.gz`).
   */
  readonly inputCopy?: InputCopy;
  /**
   * Set when `timeoutSeconds` exceeds what a custom resource may wait (MAX_JOB_TIMEOUT_SECONDS):
   * the resource then creates the job (or finds the quota full) and hands the wait to a Step
   * Functions execution, which signals a WaitCondition; a result resource returns the attributes.
   */
  readonly longRun?: LongRunSpec;
  /** Compile once: the cache the job's artifact is looked up in and published to (`cache` prop). */
  readonly cache?: CacheSpec;
  /**
   * How many times a job that SageMaker failed with an internal error (`ServerError:`) is created
   * again under a new name, within `timeoutSeconds`. Absent: DEFAULT_MAX_RETRIES (the construct
   * writes it only when the user chose another number, so the default leaves templates as they were).
   */
  readonly maxRetries?: number;
}

/** The stack's state machine that waits for long compilations. */
export interface LongRunSpec {
  readonly stateMachineArn: string;
}

/** Copy of the model archive from `source` to `target` (both `s3://bucket/key`). */
export interface InputCopy {
  readonly source: string;
  /** The version of `source` to copy (a pinned `objectVersion`); the current one when absent. */
  readonly sourceVersion?: string;
  readonly target: string;
}

export type JobRemovalPolicy = 'destroy' | 'retain';

export interface JobTag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * A value of the SDK's request type as the construct builds it. Field names stay exactly the
 * SDK's; enums open to any string, because the enum-like classes take values AWS adds after the
 * SDK was built (`TargetDevice.of(...)`, checked at synth time); and a member the SDK marks
 * required (`X | undefined` without `?`) must be present.
 */
type Built<T> = T extends string ? string
  : T extends number | boolean ? T
    : T extends readonly (infer U)[] ? Built<U>[]
      : T extends object ? BuiltObject<T>
        : T;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type BuiltObject<T> =
  & { readonly [K in RequiredKeys<T>]: Built<NonNullable<T[K]>> }
  & { readonly [K in Exclude<keyof T, RequiredKeys<T>>]?: Built<T[K]> };

/**
 * The CreateCompilationJob request as the construct builds it: the SDK's
 * `CreateCompilationJobRequest` without the job name and tags, which the handler adds.
 * `OutputConfig.S3OutputLocation` is the base location: the handler appends `/<job name>/`
 * so that a replacement job never overwrites the artifact the current one produced.
 */
export type CompilationJobRequest = Built<Omit<CreateCompilationJobRequest, 'CompilationJobName' | 'Tags'>>;

/** The whole CreateCompilationJob request, as the handler completes it with the name and tags. */
export type CompilationJobCreateRequest = Built<CreateCompilationJobRequest>;

/** Attributes the resource returns (`Fn::GetAtt` names). */
export interface CompilationJobAttributes {
  readonly CompilationJobName: string;
  readonly CompilationJobArn: string;
  readonly ModelArtifactsS3Uri: string;
  readonly ModelArtifactsObjectKey: string;
  /** Empty for edge targets, which have no inference image. */
  readonly InferenceImage: string;
  /** Empty when SageMaker reports no digest. */
  readonly ArtifactDigest: string;
  /**
   * `DerivedInformation.DerivedDataInputConfig`: the input shapes Neo derived itself. Empty when
   * it derived none, or when they do not fit CloudFormation's 4096-byte response.
   */
  readonly DerivedDataInputConfig: string;
  /** 'true' when the artifact is a copy of a cached one (no job ran for this resource), else 'false'. */
  readonly CacheHit: string;
}

/** SageMaker's limit on job names; the handler appends '-' and a 16-character hash. */
export const JOB_NAME_HASH_LENGTH = 16;
export const MAX_JOB_NAME_LENGTH = API_LIMITS.jobName.max;
export const MAX_JOB_NAME_PREFIX_LENGTH = MAX_JOB_NAME_LENGTH - 1 - JOB_NAME_HASH_LENGTH;
/** Hex digits of a job name's hash that identify the request; the rest tell the operation apart. */
export const REQUEST_HASH_LENGTH = 12;
export const OPERATION_TAG_LENGTH = JOB_NAME_HASH_LENGTH - REQUEST_HASH_LENGTH;

/**
 * The longest a deployment may wait for one job. The Provider's waiter (shared by every job of
 * the stack) gives up a little later, and CloudFormation's ServiceTimeout caps at one hour: this
 * leaves the handler time to stop the job and report why before either of them fires.
 */
export const MAX_JOB_TIMEOUT_SECONDS = 59 * 60;

/** Where SageMaker writes a job's logs (one stream per job, named after it). */
export const COMPILATION_JOB_LOG_GROUP = '/aws/sagemaker/CompilationJobs';

/** Retries of a job that SageMaker failed with an internal error, unless the construct says otherwise. */
export const DEFAULT_MAX_RETRIES = 2;
/** The most retries `maxRetries` may ask for (every attempt's name must stay unique within the request). */
export const MAX_RETRIES_LIMIT = 5;
/**
 * The wait before the first retry, doubled for each further one: SageMaker's own words for these
 * failures are "please try again in a few minutes" (github.com/aws/amazon-sagemaker-examples/issues/1284).
 */
export const RETRY_BACK_OFF_SECONDS = 60;

/** The Provider's poll interval: the SageMaker Python SDK's; SageMaker emits no event for compilation jobs. */
export const POLL_INTERVAL_SECONDS = 5;

/**
 * How long, from the start of the operation, SageMaker's refusals of a role that IAM has not
 * propagated yet ("Could not assume role", "not authorized to perform: iam:PassRole") are retried.
 */
export const IAM_PROPAGATION_SECONDS = 120;

/**
 * The longest onEvent spends copying a local model to its `.tar.gz` key; below the onEvent
 * function's timeout, so that a copy too slow fails with a message instead of a Lambda timeout.
 */
export const INPUT_COPY_TIMEOUT_SECONDS = 90;

/** The handler's environment variable with the start of every job name its role may act on. */
export const JOB_NAME_SCOPE_ENV = 'JOB_NAME_SCOPE';

/** CloudFormation type of the long path's result resource, created after the WaitCondition. */
export const RESULT_RESOURCE_TYPE = 'Custom::SageMakerNeoCompilationResult';

/** Properties of the result resource as the handler receives them. */
export interface CompilationResultResourceProperties {
  readonly ServiceToken: string;
  /** JSON of a {@link CompilationResultSpec}. */
  readonly Result: string;
}

/** What the result resource reads: the job the start resource began, and its deadline. */
export interface CompilationResultSpec {
  readonly compilationJobName: string;
  readonly executionArn: string;
  /** ISO 8601: the start resource's operation start plus `timeoutSeconds`. */
  readonly deadline: string;
  readonly timeoutSeconds: number;
  /** The WaitCondition it follows: a new one (a new run) updates the result. */
  readonly waitCondition: string;
  /** Compile once: the cache the ended job's artifact is published to (the long path does not look it up). */
  readonly cache?: CacheSpec;
}

/** What the start resource returns on the long path (`Fn::GetAtt` names). */
export interface LongRunAttributes {
  readonly CompilationJobName: string;
  readonly ExecutionArn: string;
  /** ISO 8601. */
  readonly Deadline: string;
}

/** Input of one execution of the long-run state machine. */
export interface LongRunInput {
  /** The whole CreateCompilationJob request (name and tags included). */
  readonly request: CompilationJobCreateRequest;
  /** ISO 8601: the run stops the job and signals at this time. */
  readonly deadline: string;
  /**
   * The SignalResource request that ends the WaitCondition (the state machine adds Status). The
   * UniqueId comes with it because a run's name may exceed what SignalResource takes.
   */
  readonly signal: { readonly StackName: string; readonly LogicalResourceId: string; readonly UniqueId: string };
  /**
   * ISO 8601: the run stops trying to signal at this time, the hand-off plus the WaitCondition's
   * timeout ({@link waitConditionTimeoutSeconds}): a WaitCondition that has not begun by then never will.
   */
  readonly signalBy: string;
  /**
   * The next attempt, should SageMaker fail the job with an internal error (`ServerError:`): the
   * request under the retry's name and the back-off before it, then the attempt after it. Absent
   * when no retry is left (`maxRetries` 0, or spent).
   */
  readonly retry?: LongRunRetry;
  /**
   * Compile once: the start resource copied a cached artifact, so no job runs. The run signals at
   * once (its first state sends it to the signalling), and the result resource answers `cached`,
   * read from the run's input, instead of describing a job.
   */
  readonly cacheHit?: boolean;
  /** A cache hit's attributes (CacheHit 'true'), with `cacheHit`. */
  readonly cached?: CompilationJobAttributes;
}

/** One retry of a long run's job (a list, one link per retry: a state machine has no counters). */
export interface LongRunRetry {
  readonly request: CompilationJobCreateRequest;
  readonly backOffSeconds: number;
  readonly retry?: LongRunRetry;
}

/**
 * The longest `timeout` on the long path: a WaitCondition waits 12 hours at most (43200 s); the
 * last minute, as on the one-hour path, lets the run stop the job and signal before CloudFormation
 * gives up on the WaitCondition.
 */
export const MAX_LONG_RUN_TIMEOUT_SECONDS = 12 * 3600 - 60;
/** The longest CloudFormation waits for a WaitCondition's signal. */
export const MAX_WAIT_CONDITION_SECONDS = 12 * 3600;

/** How long a job's WaitCondition waits: 5 minutes beyond its `timeout` (the run signals first), at most 12 hours. */
export function waitConditionTimeoutSeconds(timeoutSeconds: number): number {
  return Math.min(timeoutSeconds + 5 * 60, MAX_WAIT_CONDITION_SECONDS);
}

/**
 * The history events one poll of a long-path run records: Wait entered and exited, Task entered,
 * scheduled, started, succeeded and exited, Choice entered and exited. Counted on the history
 * moto's Step Functions interpreter writes (test/wire/long-run-moto.wire.test.ts, which also shows
 * that the repo's stand-in counts every run as moto records it).
 */
export const HISTORY_EVENTS_PER_POLL = 9;

/**
 * A long-path run polls its job every POLL_INTERVAL_SECONDS for this long after creating it, then
 * every LONG_RUN_SLOW_POLL_SECONDS: a Standard execution fails once its history reaches 25,000
 * events (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html), and at
 * HISTORY_EVENTS_PER_POLL a poll, 5-second polls reach it after about 3 h 50 min.
 */
export const LONG_RUN_FAST_POLL_SECONDS = 30 * 60;
/**
 * The long path's poll interval after the first LONG_RUN_FAST_POLL_SECONDS: a run that polls for
 * 11 h 59 min records about 15,700 events (1,738 polls, and about 40 for the rest of the run).
 */
export const LONG_RUN_SLOW_POLL_SECONDS = 30;

/**
 * Seconds between a run's tries to create a job refused by the concurrent-job quota: Step
 * Functions waits a random time up to this (full jitter), so waiting jobs try every 10 s on average.
 */
export const QUOTA_RETRY_SECONDS = 20;

/** The errors by which a long run's race ends (Step Functions error names). */
export const RUN_ENDED_ERROR = 'Compilation.Ended';
export const RUN_DEADLINE_ERROR = 'Compilation.DeadlinePassed';
/** A run's error when CloudFormation never took its signal (the WaitCondition no longer waits, or never began). */
export const RUN_NOT_SIGNALLED_ERROR = 'Compilation.NotSignalled';
