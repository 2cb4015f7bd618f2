/**
 * A scripted fake of SageMaker's compilation-job API (and of the two S3 calls the handler makes),
 * on a virtual clock the test controls. The driver (test/driver) serves it over HTTP in the
 * services' own protocols, so the shipped handler bundle talks to it with its own SDK. It needs no
 * jest: the benchmark (test/bench/deploy-sim.ts) runs it under plain ts-node.
 *
 * - Jobs live in memory with their creation time and walk STARTING -> INPROGRESS -> COMPLETED
 *   (or FAILED with a reason) over virtual time, or are STOPPED by someone else.
 * - StopCompilationJob: STARTING/INPROGRESS -> STOPPING -> STOPPED after a delay; a STOPPING job
 *   stays as it is; a COMPLETED/FAILED/STOPPED job -> ValidationException, as SageMaker answers.
 * - DeleteCompilationJob only of COMPLETED/FAILED/STOPPED jobs; ResourceNotFound when missing.
 * - ResourceInUse on a duplicate name; ResourceLimitExceeded when the concurrency quota (jobs in
 *   STARTING/INPROGRESS/STOPPING) is reached; AddTags/DeleteTags on a job's ARN.
 * - Throttling (SageMaker's `ThrottlingException`, CloudFormation's `Throttling`, shaped as the
 *   SDK deserializes them, so `@smithy/service-error-classification` recognises them): a random
 *   rate from a seeded PRNG (reproducible), bursts of K consecutive throttles of one operation,
 *   and windows of virtual time in which every call of one operation is throttled.
 * - Every request and answer goes through the model gate (./model-gate.ts): a request botocore's
 *   model refuses is recorded (the test fails on it) and answered as SageMaker (HTTP 400
 *   ValidationException) or S3 would; an answer outside the output shape fails the test.
 * - S3: HeadObject/CopyObject on an in-memory bucket; every S3 command is recorded so tests can
 *   assert that the input model and the artifacts are never deleted or overwritten.
 */
import { createHash } from 'crypto';
import { CopyObjectCommandInput, HeadObjectCommandInput, S3ServiceException } from '@aws-sdk/client-s3';
import {
  AddTagsCommandInput,
  CreateCompilationJobCommandInput,
  DeleteCompilationJobCommandInput,
  DeleteTagsCommandInput,
  DescribeCompilationJobCommandInput,
  DescribeCompilationJobCommandOutput,
  ListCompilationJobsCommandInput,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerServiceException,
  StopCompilationJobCommandInput,
} from '@aws-sdk/client-sagemaker';
import { loadApiModel } from './api-model';
import { checkAnswer, refuseInvalid } from './model-gate';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** 2025-01-01T00:00:00Z: virtual second 0. */
export const EPOCH_MS = Date.UTC(2025, 0, 1);

export const SAGEMAKER_OPERATIONS = [
  'CreateCompilationJob',
  'DescribeCompilationJob',
  'StopCompilationJob',
  'DeleteCompilationJob',
  'AddTags',
  'DeleteTags',
  'ListCompilationJobs',
] as const;
export type SageMakerOperation = typeof SAGEMAKER_OPERATIONS[number];

export const S3_OPERATIONS = ['HeadObject', 'CopyObject'] as const;
export type S3Operation = typeof S3_OPERATIONS[number];

/** The operations the throttling controls and `beforeNext` apply to. */
export type ServiceOperation = SageMakerOperation;

export type JobStatus = 'STARTING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPING' | 'STOPPED';
/** The statuses that count against the concurrency quota. */
export const ACTIVE_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['STARTING', 'INPROGRESS', 'STOPPING']);
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['COMPLETED', 'FAILED', 'STOPPED']);

// ---------------------------------------------------------------------------------------------
// Virtual clock and PRNG

/** Virtual time, in seconds since {@link EPOCH_MS}. Only the test moves it. */
export class VirtualClock {
  private nowSeconds = 0;

  get seconds(): number {
    return this.nowSeconds;
  }

  get ms(): number {
    return EPOCH_MS + this.nowSeconds * 1000;
  }

  advance(seconds: number): void {
    if (seconds < 0) throw new Error(`time runs forward only (advance by ${seconds})`);
    this.nowSeconds += seconds;
  }

  advanceTo(seconds: number): void {
    this.advance(seconds - this.nowSeconds);
  }

  dateAt(seconds: number): Date {
    return new Date(EPOCH_MS + seconds * 1000);
  }
}

/** mulberry32: a tiny seeded PRNG, so a "random" fault pattern is the same on every run. */
export function mulberry32(seed: number): () => number {
  /* eslint-disable no-bitwise */
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /* eslint-enable no-bitwise */
}

// ---------------------------------------------------------------------------------------------
// Errors, shaped as the SDK's JSON protocol deserializer builds them

type Metadata = DescribeCompilationJobCommandOutput['$metadata'];

function metadata(httpStatusCode: number, requestId: string): Metadata {
  return { httpStatusCode, requestId, attempts: 1, totalRetryDelay: 0 };
}

/**
 * An error SageMaker's API model does not declare: the SDK builds the generic exception with the
 * code as its name (and Step Functions names it `SageMaker.SageMakerException`). The model decides:
 * a declared code here would be a stand-in carrying a wrong name.
 */
function unmodeled(name: string, httpStatusCode: number, message: string, requestId: string): SageMakerServiceException {
  const declared = loadApiModel('sagemaker')?.declaredError(name);
  if (declared) throw new Error(`the fake answered ${name} as undeclared, but SageMaker's API model declares it (${declared}): use its modeled exception`);
  return new SageMakerServiceException({
    name,
    $fault: httpStatusCode < 500 ? 'client' : 'server',
    $metadata: metadata(httpStatusCode, requestId),
    message,
  });
}

function s3Error(name: string, httpStatusCode: number, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: httpStatusCode < 500 ? 'client' : 'server', $metadata: { httpStatusCode }, message });
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** How a job behaves over virtual time; every field has a default. */
export interface JobScript {
  /** Seconds in STARTING. @default 10 */
  readonly startingSeconds?: number;
  /** Seconds in INPROGRESS before the job ends by itself. @default 60 */
  readonly compileSeconds?: number;
  /** How the job ends by itself. @default COMPLETED */
  readonly outcome?: { readonly status: 'COMPLETED' } | { readonly status: 'FAILED'; readonly reason: string };
  /** `DerivedInformation.DerivedDataInputConfig` of the COMPLETED job (Neo derived the shapes). @default none */
  readonly derivedDataInputConfig?: string;
  /** Someone else (console, CLI) stops the job this many seconds after its creation. */
  readonly stoppedByOthersAfterSeconds?: number;
  /** Seconds from a stop request to STOPPED. @default 20 */
  readonly stoppingSeconds?: number;
}

/** SageMaker's own end of a job that reaches its MaxRuntimeInSeconds ("a TimeOut error is generated"). */
export const MAX_RUNTIME_REASON = (seconds: number) =>
  `TimeOut: the compilation job exceeded its stopping condition MaxRuntimeInSeconds of ${seconds} seconds.`;

export type JobOrigin = 'handler' | 'others';

interface FakeJob {
  readonly name: string;
  readonly arn: string;
  readonly request: CreateCompilationJobCommandInput;
  readonly origin: JobOrigin;
  readonly createdAt: number;
  readonly startedAt: number;
  /** When the job ends by itself (compiled, failed, or cut by MaxRuntimeInSeconds). */
  endAt: number;
  outcome: { readonly status: 'COMPLETED' } | { readonly status: 'FAILED'; readonly reason: string };
  derivedDataInputConfig?: string;
  stoppingSeconds: number;
  stop?: { readonly at: number; readonly by: JobOrigin };
  readonly tags: Map<string, string>;
}

/** A read-only view of a job, for assertions. */
export interface JobView {
  readonly name: string;
  readonly arn: string;
  readonly origin: JobOrigin;
  readonly status: JobStatus;
  readonly createdAt: number;
  /** Virtual second the job reached COMPLETED, FAILED or STOPPED (once it has). */
  readonly endedAt?: number;
  readonly stoppedBy?: JobOrigin;
  readonly tags: Readonly<Record<string, string>>;
  readonly request: CreateCompilationJobCommandInput;
}

/** One request that reached the fake. */
export interface ApiCall {
  /** Virtual second of the call. */
  readonly at: number;
  readonly service: 'sagemaker' | 's3';
  readonly operation: string;
  readonly input: unknown;
  /** 'ok', or the name of the error the fake answered with. */
  readonly result: string;
  /** What the fake answered, when it answered 'ok' (CloudFormation calls only). */
  readonly output?: unknown;
}

export interface ThrottleBurst {
  readonly operation: ServiceOperation;
  /** How many consecutive calls of the operation are throttled. */
  readonly count: number;
  /** The burst starts with the call after this many calls of the operation. @default 0 */
  readonly afterCalls?: number;
}

/** Every call of one operation within a span of virtual time is throttled (account-wide throttling). */
export interface ThrottleWindow {
  readonly operation: ServiceOperation;
  /** First and last virtual second of the window (inclusive). */
  readonly from: number;
  readonly to: number;
}

export interface FakeOptions {
  /** Seed of the PRNG behind the random throttling. @default 1 */
  readonly seed?: number;
  /** Share (0..1) of SageMaker and CloudFormation calls answered with throttling. @default 0 */
  readonly throttleRate?: number;
  /** Share (0..1) of S3 calls answered with SlowDown (503). @default 0 */
  readonly s3ThrottleRate?: number;
  /** Jobs in STARTING/INPROGRESS/STOPPING the account may have. @default 20 */
  readonly concurrencyQuota?: number;
  /** How jobs the handler creates behave, by job name or for all. */
  readonly script?: JobScript | ((jobName: string) => JobScript);
  /** S3 objects that exist at the start (`bucket/key`), e.g. the model archive. */
  readonly objects?: readonly string[];
  /**
   * Until this virtual second, CreateCompilationJob is refused as while IAM propagates a new
   * role: `ValidationException: Could not assume role ...`, then `AccessDeniedException ... iam:PassRole`.
   */
  readonly iamPropagatedAt?: number;
  /** The words of SageMaker's ThrottlingException (words the handler has never seen, to prove it does not read them). @default 'Rate exceeded' */
  readonly throttleMessage?: string;
  /** SageMaker refuses the name of a deleted job (ResourceInUse) for this many seconds. @default 0 */
  readonly deletedNamesHeldSeconds?: number;
}

/** The fake service, its clock, and everything it was asked. */
export class FakeSageMaker {
  readonly clock = new VirtualClock();
  readonly calls: ApiCall[] = [];
  /** Requests the official API model rejects. */
  readonly violations: string[] = [];
  /** Driver steps and API calls, in order, with virtual times. */
  readonly log: string[] = [];
  /** Names of deleted job records, in order. */
  readonly deleted: string[] = [];
  private readonly jobs = new Map<string, FakeJob>();
  private readonly deletedAt = new Map<string, number>();
  private readonly objects = new Set<string>();
  private readonly bursts: Array<ThrottleBurst & { remaining: number }> = [];
  private readonly windows: ThrottleWindow[] = [];
  private readonly hooks: Array<{ operation: ServiceOperation; run: () => void }> = [];
  private readonly random: () => number;
  /** Calls per operation so far (a burst counts them; scanning `calls` would be quadratic). */
  private readonly callCounts = new Map<string, number>();
  private requestCount = 0;
  private createRefusal?: { readonly code: string; readonly message: string };
  /** Names of the commands the S3 client received (set by install). */

  constructor(private readonly options: FakeOptions = {}) {
    this.random = mulberry32(options.seed ?? 1);
    for (const object of options.objects ?? []) this.objects.add(object);
  }

  // -------------------------------------------------------------------------------------------
  // Test controls

  /** Moves virtual time forward. */
  advance(seconds: number): void {
    this.clock.advance(seconds);
  }

  note(text: string): void {
    this.log.push(`[${this.stamp()}] ${text}`);
  }

  /** Arms a burst of consecutive ThrottlingExceptions on one operation. */
  throttleBurst(burst: ThrottleBurst): void {
    this.bursts.push({ ...burst, remaining: burst.count });
  }

  /** Throttles every call of one operation between two virtual times. */
  throttleWindow(window: ThrottleWindow): void {
    this.windows.push(window);
  }

  /**
   * From now on SageMaker refuses every CreateCompilationJob with `code` (ValidationException unless
   * told) in these words (a request it no longer takes, e.g. the role's trust broken while a run
   * waited for the quota; or words the handler has never seen).
   */
  refuseCreates(message: string, code: 'ValidationException' | 'AccessDeniedException' = 'ValidationException'): void {
    this.createRefusal = { code, message };
  }

  /** Runs `run` once, right before the next call of `operation` is answered. */
  beforeNext(operation: ServiceOperation, run: () => void): void {
    this.hooks.push({ operation, run });
  }

  /** Makes a running job end now, as its script says (the "finished in between" race). */
  finishNow(jobName: string): void {
    const job = this.mustGet(jobName);
    if (!['STARTING', 'INPROGRESS'].includes(this.statusOf(job))) throw new Error(`${jobName} is not running`);
    job.endAt = this.clock.seconds;
  }

  /** A job someone else made (another stack, the console): it counts against the quota. */
  seedJob(name: string, script: JobScript = {}, request: Partial<CreateCompilationJobCommandInput> = {}): JobView {
    const full: CreateCompilationJobCommandInput = {
      CompilationJobName: name,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/SomeoneElsesNeoRole`,
      InputConfig: { S3Uri: 's3://other-bucket/models/other.tar.gz', Framework: 'PYTORCH', FrameworkVersion: '2.0', DataInputConfig: '{"x":[1,3,224,224]}' },
      OutputConfig: { S3OutputLocation: `s3://other-bucket/compiled/${name}`, TargetDevice: 'ml_c5' },
      StoppingCondition: { MaxRuntimeInSeconds: 100_000 },
      ...request,
    };
    this.addJob(full, 'others', script);
    return this.job(name)!;
  }

  // -------------------------------------------------------------------------------------------
  // Assertions

  job(name: string): JobView | undefined {
    const job = this.jobs.get(name);
    return job ? this.view(job) : undefined;
  }

  allJobs(): JobView[] {
    return [...this.jobs.values()].map((job) => this.view(job));
  }

  /**
   * What a test leaves behind: the jobs (of one origin, or all) still running once a stop has had
   * time to finish (the default 20 s STOPPING), and every request SageMaker's model refused.
   */
  leftovers(origin?: JobOrigin): { running: string[]; violations: string[] } {
    this.advance(21);
    return { running: this.activeJobs(origin).map((job) => `${job.name} ${job.status}`), violations: [...this.violations] };
  }

  /** Jobs in STARTING/INPROGRESS/STOPPING, optionally only those of one origin. */
  activeJobs(origin?: JobOrigin): JobView[] {
    return this.allJobs().filter((job) => ACTIVE_STATUSES.has(job.status) && (origin === undefined || job.origin === origin));
  }

  callsOf(operation: ServiceOperation | S3Operation): ApiCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /** How many jobs of that name were ever created (deleted ones included). */
  createdCount(name: string): number {
    return this.callsOf('CreateCompilationJob').filter((call) => call.result === 'ok'
      && (call.input as CreateCompilationJobCommandInput).CompilationJobName === name).length;
  }

  /**
   * S3 requests that delete or overwrite anything: any command but HeadObject/CopyObject, and a
   * CopyObject onto a key that existed (an input model or an artifact) or into a job's output.
   */
  s3Damage(): string[] {
    const damage = this.calls.filter((call) => call.service === 's3' && call.result === 'UnsupportedCommand').map((call) => `${JSON.stringify(call.input)} sent`);
    for (const call of this.callsOf('CopyObject')) {
      if (call.result === 'overwrite') damage.push(`CopyObject overwrote ${JSON.stringify(call.input)}`);
      const target = call.input as CopyObjectCommandInput;
      const uri = `s3://${target.Bucket}/${target.Key}`;
      for (const job of this.jobs.values()) {
        if (uri.startsWith(job.request.OutputConfig!.S3OutputLocation!)) damage.push(`CopyObject into the output of ${job.name}: ${uri}`);
      }
    }
    return damage;
  }

  /** One request, as the HTTP front (test/driver/aws-endpoint.ts) receives it. */
  async call(service: 'sagemaker' | 's3', operation: string, input: unknown): Promise<object> {
    if (service === 's3' && (S3_OPERATIONS as readonly string[]).includes(operation)) {
      return this.s3Call(operation as S3Operation, input as HeadObjectCommandInput);
    }
    if (service === 'sagemaker' && (SAGEMAKER_OPERATIONS as readonly string[]).includes(operation)) {
      return this.sagemakerCall(operation as SageMakerOperation, input);
    }
    return this.unsupported(service, { operation, input });
  }

  // -------------------------------------------------------------------------------------------
  // The service

  private stamp(): string {
    return `+${String(this.clock.seconds).padStart(4)}s`;
  }

  private record(service: ApiCall['service'], operation: string, input: unknown, result: string, output?: unknown): void {
    this.calls.push({ at: this.clock.seconds, service, operation, input, result, ...(output === undefined ? {} : { output }) });
    this.callCounts.set(operation, (this.callCounts.get(operation) ?? 0) + 1);
    const subject = (input as { CompilationJobName?: string; ResourceArn?: string; Key?: string; LogicalResourceId?: string });
    this.log.push(`[${this.stamp()}]   ${service}.${operation}(${subject.CompilationJobName ?? subject.ResourceArn ?? subject.Key ?? subject.LogicalResourceId ?? ''}) -> ${result}`);
  }

  private requestId(): string {
    this.requestCount += 1;
    return `00000000-0000-4000-8000-${String(this.requestCount).padStart(12, '0')}`;
  }

  private async unsupported(service: ApiCall['service'], input: unknown): Promise<never> {
    this.record(service, 'UnsupportedCommand', input, 'UnsupportedCommand');
    throw new Error(`the fake ${service} does not implement this command (input ${JSON.stringify(input)})`);
  }

  /** The model gate: throws (and records) SageMaker's or S3's refusal of an invalid request. */
  private validate(service: ApiCall['service'], operation: string, input: unknown): void {
    try {
      refuseInvalid(service, operation, input);
    } catch (error) {
      this.violations.push(`${operation}: ${(error as Error).message}`);
      this.record(service, operation, input, `${(error as Error).name} (API model)`);
      throw error;
    }
  }

  private throttled(operation: ServiceOperation): boolean {
    const previousCalls = this.callCounts.get(operation) ?? 0;
    const burst = this.bursts.find((b) => b.operation === operation && b.remaining > 0 && previousCalls >= (b.afterCalls ?? 0));
    if (burst) {
      burst.remaining -= 1;
      return true;
    }
    const now = this.clock.seconds;
    if (this.windows.some((w) => w.operation === operation && w.from <= now && now <= w.to)) return true;
    const rate = this.options.throttleRate ?? 0;
    return rate > 0 && this.random() < rate;
  }

  private async sagemakerCall(operation: SageMakerOperation, input: unknown): Promise<object> {
    const requestId = this.requestId();
    this.validate('sagemaker', operation, input);
    if (this.throttled(operation)) {
      this.record('sagemaker', operation, input, 'ThrottlingException');
      // SageMaker's words (aws/sagemaker-python-sdk#645: "(ThrottlingException) ... Rate exceeded").
      throw unmodeled('ThrottlingException', 400, this.options.throttleMessage ?? 'Rate exceeded', requestId);
    }
    const hook = this.hooks.findIndex((h) => h.operation === operation);
    if (hook >= 0) this.hooks.splice(hook, 1)[0].run();
    try {
      const output = { $metadata: metadata(200, requestId), ...this.answer(operation, input, requestId) };
      // The fake's own answers must be what SageMaker could send.
      checkAnswer('sagemaker', operation, output);
      this.record('sagemaker', operation, input, 'ok');
      return output;
    } catch (error) {
      this.record('sagemaker', operation, input, (error as Error).name);
      throw error;
    }
  }

  private answer(operation: SageMakerOperation, input: unknown, requestId: string): object {
    switch (operation) {
      case 'CreateCompilationJob':
        return this.create(input as CreateCompilationJobCommandInput, requestId);
      case 'DescribeCompilationJob':
        return this.describe(this.find((input as DescribeCompilationJobCommandInput).CompilationJobName!, requestId));
      case 'StopCompilationJob':
        return this.stop(this.find((input as StopCompilationJobCommandInput).CompilationJobName!, requestId), requestId);
      case 'DeleteCompilationJob':
        return this.delete(this.find((input as DeleteCompilationJobCommandInput).CompilationJobName!, requestId), requestId);
      case 'AddTags': {
        const { ResourceArn, Tags } = input as AddTagsCommandInput;
        const job = this.byArn(ResourceArn!, requestId);
        for (const tag of Tags ?? []) job.tags.set(tag.Key!, tag.Value!);
        return { Tags: [...job.tags].map(([Key, Value]) => ({ Key, Value })) };
      }
      case 'ListCompilationJobs': {
        const { NameContains, CreationTimeAfter } = input as ListCompilationJobsCommandInput;
        // A Date through the SDK mock, epoch seconds through the HTTP front.
        const afterMs = CreationTimeAfter instanceof Date ? CreationTimeAfter.getTime() : Number(CreationTimeAfter) * 1000;
        const after = CreationTimeAfter === undefined ? -Infinity : (afterMs - EPOCH_MS) / 1000;
        const jobs = [...this.jobs.values()]
          .filter((job) => (NameContains === undefined || job.name.includes(NameContains)) && job.createdAt > after)
          .sort((a, b) => b.createdAt - a.createdAt);
        return {
          CompilationJobSummaries: jobs.map((job) => ({
            CompilationJobName: job.name,
            CompilationJobArn: job.arn,
            CreationTime: this.clock.dateAt(job.createdAt),
            CompilationJobStatus: this.statusOf(job),
          })),
        };
      }
      case 'DeleteTags': {
        const { ResourceArn, TagKeys } = input as DeleteTagsCommandInput;
        const job = this.byArn(ResourceArn!, requestId);
        for (const key of TagKeys ?? []) job.tags.delete(key);
        return {};
      }
    }
  }

  private create(request: CreateCompilationJobCommandInput, requestId: string): object {
    const name = request.CompilationJobName!;
    if (this.jobs.has(name)) {
      const message = `Compilation job ${name} already exists.`;
      throw new ResourceInUse({ message, Message: message, $metadata: metadata(400, requestId) });
    }
    const heldFor = this.options.deletedNamesHeldSeconds ?? 0;
    const deletedAt = this.deletedAt.get(name);
    if (deletedAt !== undefined && this.clock.seconds < deletedAt + heldFor) {
      const message = `Compilation job ${name} already exists.`;
      throw new ResourceInUse({ message, Message: message, $metadata: metadata(400, requestId) });
    }
    if (this.createRefusal !== undefined) throw unmodeled(this.createRefusal.code, 400, this.createRefusal.message, requestId);
    const propagatedAt = this.options.iamPropagatedAt ?? -1;
    if (this.clock.seconds < propagatedAt) {
      // SageMaker's words while IAM propagates, as AWS answers them (not phrases written to match the
      // handler): awslabs/predictive-maintenance-using-machine-learning#3 (Could not assume role) and
      // aws/amazon-sagemaker-feedback#61 (iam:PassRole).
      const half = this.clock.seconds < propagatedAt / 2;
      throw half
        ? unmodeled('ValidationException', 400, `Could not assume role ${request.RoleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`, requestId)
        : unmodeled('AccessDeniedException', 400, `User: arn:aws:sts::${ACCOUNT}:assumed-role/NeoStack-HandlerRole/NeoStack-IsComplete is not authorized to perform: ` +
          `iam:PassRole on resource: ${request.RoleArn} because no identity-based policy allows the iam:PassRole action`, requestId);
    }
    const quota = this.options.concurrencyQuota ?? 20;
    const active = this.activeJobs().length;
    if (active >= quota) {
      // SageMaker's quota words (aws/amazon-sagemaker-examples#1543: "The account-level service limit
      // 'ml.p3.8xlarge for training job usage' is 2 Instances, with current utilization of 3 Instances and a
      // request delta of 1 Instances. Please contact AWS support to request an increase for this limit.").
      const message = `The account-level service limit 'Number of concurrent compilation jobs' is ${quota} Jobs, with current utilization of ${active} Jobs ` +
        'and a request delta of 1 Jobs. Please contact AWS support to request an increase for this limit.';
      throw new ResourceLimitExceeded({ message, Message: message, $metadata: metadata(400, requestId) });
    }
    const script = typeof this.options.script === 'function' ? this.options.script(name) : this.options.script ?? {};
    const job = this.addJob(request, 'handler', script);
    return { CompilationJobArn: job.arn };
  }

  private addJob(request: CreateCompilationJobCommandInput, origin: JobOrigin, script: JobScript): FakeJob {
    const name = request.CompilationJobName!;
    const createdAt = this.clock.seconds;
    const startedAt = createdAt + (script.startingSeconds ?? 10);
    const maxRuntime = request.StoppingCondition?.MaxRuntimeInSeconds ?? 900;
    let endAt = startedAt + (script.compileSeconds ?? 60);
    let outcome = script.outcome ?? { status: 'COMPLETED' as const };
    if (endAt > startedAt + maxRuntime) {
      endAt = startedAt + maxRuntime;
      outcome = { status: 'FAILED', reason: MAX_RUNTIME_REASON(maxRuntime) };
    }
    const job: FakeJob = {
      name,
      arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:compilation-job/${name}`,
      request,
      origin,
      createdAt,
      startedAt,
      endAt,
      outcome,
      derivedDataInputConfig: script.derivedDataInputConfig,
      stoppingSeconds: script.stoppingSeconds ?? 20,
      tags: new Map((request.Tags ?? []).map((tag) => [tag.Key!, tag.Value!])),
    };
    const stopAt = script.stoppedByOthersAfterSeconds;
    if (stopAt !== undefined && createdAt + stopAt < endAt) job.stop = { at: createdAt + stopAt, by: 'others' };
    this.jobs.set(name, job);
    return job;
  }

  private find(name: string, requestId: string): FakeJob {
    const job = this.jobs.get(name);
    if (!job) {
      const message = `Could not find compilation job with name ${name}.`;
      throw new ResourceNotFound({ message, Message: message, $metadata: metadata(400, requestId) });
    }
    return job;
  }

  private byArn(arn: string, requestId: string): FakeJob {
    const job = [...this.jobs.values()].find((j) => j.arn === arn);
    if (!job) {
      const message = `Could not find resource ${arn}.`;
      throw new ResourceNotFound({ message, Message: message, $metadata: metadata(400, requestId) });
    }
    return job;
  }

  private mustGet(name: string): FakeJob {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job ${name}`);
    return job;
  }

  private statusOf(job: FakeJob, at = this.clock.seconds): JobStatus {
    if (job.stop && job.stop.at <= at) return at >= job.stop.at + job.stoppingSeconds ? 'STOPPED' : 'STOPPING';
    if (at < job.startedAt) return 'STARTING';
    if (at < job.endAt) return 'INPROGRESS';
    return job.outcome.status;
  }

  private stop(job: FakeJob, requestId: string): object {
    const status = this.statusOf(job);
    if (status === 'STARTING' || status === 'INPROGRESS') {
      job.stop = { at: this.clock.seconds, by: 'handler' };
    } else if (status !== 'STOPPING') {
      throw unmodeled('ValidationException', 400,
        `The compilation job ${job.name} is in status ${status} and cannot be stopped.`, requestId);
    }
    return {};
  }

  private delete(job: FakeJob, requestId: string): object {
    const status = this.statusOf(job);
    if (!TERMINAL_STATUSES.has(status)) {
      throw unmodeled('ValidationException', 400,
        `Cannot delete compilation job ${job.name} in status ${status}; stop it first.`, requestId);
    }
    this.jobs.delete(job.name);
    this.deleted.push(job.name);
    this.deletedAt.set(job.name, this.clock.seconds);
    return {};
  }

  private describe(job: FakeJob): Omit<DescribeCompilationJobCommandOutput, '$metadata'> {
    const now = this.clock.seconds;
    const status = this.statusOf(job, now);
    const started = now >= job.startedAt && !(job.stop && job.stop.at < job.startedAt);
    const endedAt = status === 'STOPPED' ? job.stop!.at + job.stoppingSeconds : TERMINAL_STATUSES.has(status) ? job.endAt : undefined;
    const transitions = [job.createdAt, started ? job.startedAt : undefined, job.stop && job.stop.at <= now ? job.stop.at : undefined, endedAt]
      .filter((t): t is number => t !== undefined && t <= now);
    const output = job.request.OutputConfig!;
    return {
      CompilationJobName: job.name,
      CompilationJobArn: job.arn,
      CompilationJobStatus: status,
      CompilationStartTime: started ? this.clock.dateAt(job.startedAt) : undefined,
      CompilationEndTime: endedAt !== undefined ? this.clock.dateAt(endedAt) : undefined,
      StoppingCondition: job.request.StoppingCondition,
      InferenceImage: status === 'COMPLETED' ? inferenceImageOf(job.request) : undefined,
      ModelPackageVersionArn: job.request.ModelPackageVersionArn,
      CreationTime: this.clock.dateAt(job.createdAt),
      LastModifiedTime: this.clock.dateAt(Math.max(...transitions)),
      FailureReason: status === 'FAILED' && job.outcome.status === 'FAILED' ? job.outcome.reason : undefined,
      ModelArtifacts: status === 'COMPLETED' ? { S3ModelArtifacts: artifactOf(job.request) } : undefined,
      ModelDigests: status === 'COMPLETED' ? { ArtifactDigest: `sha256:${digestOf(job.name)}` } : undefined,
      DerivedInformation: status === 'COMPLETED' && job.derivedDataInputConfig !== undefined
        ? { DerivedDataInputConfig: job.derivedDataInputConfig } : undefined,
      RoleArn: job.request.RoleArn,
      InputConfig: job.request.InputConfig,
      OutputConfig: output,
      VpcConfig: job.request.VpcConfig,
    };
  }

  private view(job: FakeJob): JobView {
    const status = this.statusOf(job);
    return {
      name: job.name,
      arn: job.arn,
      origin: job.origin,
      status,
      createdAt: job.createdAt,
      endedAt: status === 'STOPPED' ? job.stop!.at + job.stoppingSeconds : TERMINAL_STATUSES.has(status) ? job.endAt : undefined,
      stoppedBy: job.stop && job.stop.at <= this.clock.seconds ? job.stop.by : undefined,
      tags: Object.fromEntries(job.tags),
      request: job.request,
    };
  }

  // -------------------------------------------------------------------------------------------
  // S3

  private exists(bucket: string, key: string): boolean {
    const uri = `s3://${bucket}/${key}`;
    if (this.objects.has(`${bucket}/${key}`)) return true;
    // An artifact exists once its job has COMPLETED.
    return [...this.jobs.values()].some((job) => this.statusOf(job) === 'COMPLETED' && artifactOf(job.request) === uri);
  }

  private async s3Call(operation: S3Operation, input: HeadObjectCommandInput | CopyObjectCommandInput): Promise<object> {
    const requestId = this.requestId();
    this.validate('s3', operation, input);
    const rate = this.options.s3ThrottleRate ?? 0;
    if (rate > 0 && this.random() < rate) {
      this.record('s3', operation, input, 'SlowDown');
      throw s3Error('SlowDown', 503, 'Please reduce your request rate.');
    }
    const { Bucket, Key } = input;
    if (operation === 'HeadObject') {
      if (!this.exists(Bucket!, Key!)) {
        this.record('s3', operation, input, 'NotFound');
        throw s3Error('NotFound', 404, 'Not Found');
      }
      this.record('s3', operation, input, 'ok');
      return answered('s3', operation, { $metadata: metadata(200, requestId), ContentLength: 1024 });
    }
    const source = decodeURIComponent((input as CopyObjectCommandInput).CopySource!);
    const slash = source.indexOf('/');
    if (!this.exists(source.slice(0, slash), source.slice(slash + 1))) {
      this.record('s3', operation, input, 'NoSuchKey');
      throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    }
    const overwrite = this.exists(Bucket!, Key!);
    this.objects.add(`${Bucket}/${Key}`);
    this.record('s3', operation, input, overwrite ? 'overwrite' : 'ok');
    return answered('s3', operation, { $metadata: metadata(200, requestId), CopyObjectResult: { ETag: '"0f4c1e6a7b8d9e0f1a2b3c4d5e6f7a8b"' } });
  }
}

/** An answer, once the model gate found it within the operation's output shape. */
function answered<T>(service: 'sagemaker' | 's3', operation: string, output: T): T {
  checkAnswer(service, operation, output);
  return output;
}

/** Where Neo writes the compiled model: `<output location>/<model archive name>-<target>.tar.gz`. */
export function artifactOf(request: CreateCompilationJobCommandInput): string {
  const output = request.OutputConfig!;
  const input = request.InputConfig?.S3Uri ?? 's3://model-package/model.tar.gz';
  const base = input.slice(input.lastIndexOf('/') + 1).replace(/\.tar\.gz$/, '');
  const target = output.TargetDevice ?? [output.TargetPlatform?.Os, output.TargetPlatform?.Arch].join('_');
  return `${output.S3OutputLocation!.replace(/\/+$/, '')}/${base}-${target}.tar.gz`;
}

/** The Neo inference image of cloud targets; edge targets have none. */
export function inferenceImageOf(request: CreateCompilationJobCommandInput): string | undefined {
  const target = request.OutputConfig?.TargetDevice;
  if (!target?.startsWith('ml_')) return undefined;
  const framework = (request.InputConfig?.Framework ?? 'pytorch').toLowerCase();
  return `785573368785.dkr.ecr.${REGION}.amazonaws.com/sagemaker-neo-${framework}:1.6-cpu-py3`;
}

function digestOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}
