/**
 * A Step Functions stand-in that RUNS an Amazon States Language definition (states, Retry with
 * jitter, Wait loops, Parallel races, Catch routing) with `aws-local-stepfunctions`, on VIRTUAL
 * time: `@sinonjs/fake-timers` fakes setTimeout/clearTimeout/Date only, and its clock is kept equal
 * to the FakeSageMaker's VirtualClock, so a Wait of 5 s, a Wait until a timestamp and a Retry
 * interval take no real time and happen at the virtual second they would.
 *
 * Task states whose Resource is `arn:aws:states:::aws-sdk:<service>:<action>` are served by the
 * scripted SageMaker (sagemaker:*) or by callbacks of the caller (cloudformation:describeStackResource,
 * cloudformation:signalResource), found by their Resource, so a renamed state still works. Errors
 * reach the definition named as the AWS SDK integration names them, decided by botocore's API
 * model of the service (see {@link sdkErrorName}).
 *
 * The API is shaped like Step Functions' own (StartExecution, StopExecution, ListExecutions,
 * DescribeExecution), so an HTTP front can route the handler's SDK calls to it. Every call of it,
 * and every CloudFormation call of a run, goes through the model gate (../fault/model-gate.ts):
 * refused as the service refuses an invalid request, the answer checked against the output shape.
 *
 * Only one instance may exist at a time (it installs the fake timers globally); close() it.
 */
import * as FakeTimers from '@sinonjs/fake-timers';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CompilationJob, CompilationTarget, DataInputConfig, Framework, ModelInput, TargetDevice } from '../../src';
import { loadApiModel, ServiceName } from '../fault/api-model';
import { ACCOUNT, EPOCH_MS, FakeSageMaker, mulberry32, REGION } from '../fault/fake-sagemaker';
import { served } from '../fault/model-gate';

/** What this file uses of aws-local-stepfunctions (its types are ESM-only; its CommonJS build is what jest loads). */
interface LocalEvent {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string };
  readonly parentState?: { readonly name: string };
}
interface LocalRun {
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncGenerator<LocalEvent>;
  abort(): void;
}
interface LocalRunOptions {
  readonly noThrowOnAbort?: boolean;
  readonly context?: object;
  readonly overrides?: { readonly taskResourceLocalHandlers?: Record<string, (input: unknown) => Promise<unknown>> };
}
type LocalStateMachine = new (definition: object, options?: { validationOptions?: { noValidate?: boolean } }) => {
  run(input: unknown, options?: LocalRunOptions): LocalRun;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as { StateMachine: LocalStateMachine };

// aws-local-stepfunctions 3 calls Promise.withResolvers (ES2024), which Node 20 lacks.
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
const promiseStatics = Promise as unknown as { withResolvers?: WithResolvers };
promiseStatics.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** `cloudformation:signalResource` as the definition calls it (Step Functions passes PascalCase). */
export interface SignalResourceInput {
  readonly StackName: string;
  readonly LogicalResourceId: string;
  readonly UniqueId: string;
  readonly Status: string;
}

/**
 * Serves the run's SignalResource. To refuse it, throw an error whose `name` is CloudFormation's
 * error code (`ValidationError`, `Throttling`), as the SDK names it; the run sees it as the AWS SDK
 * integration names it (`CloudFormation.CloudFormationException`: the model declares neither).
 */
export type SignalHandler = (input: SignalResourceInput) => void | Promise<void>;

/** `cloudformation:describeStackResource` as the definition calls it. */
export interface DescribeStackResourceInput {
  readonly StackName: string;
  readonly LogicalResourceId: string;
}

/**
 * Serves the run's DescribeStackResource: the resource's status, or throw as {@link SignalHandler}
 * does (`ValidationError` "Resource X does not exist for stack Y" before CloudFormation begins it).
 */
export type DescribeStackResourceHandler = (input: DescribeStackResourceInput) => { ResourceStatus: string } | Promise<{ ResourceStatus: string }>;

export interface StepFunctionsOptions {
  /** The scripted SageMaker; its clock is the virtual time of every run. */
  readonly fake: FakeSageMaker;
  /** The state machine's definition (as deployed: see longRunDefinitionFromTemplate). */
  readonly definition: object;
  /** @default arn:aws:states:us-east-1:123456789012:stateMachine:LongRun */
  readonly stateMachineArn?: string;
  /** @default accept every signal */
  readonly signal?: SignalHandler;
  /** @default CREATE_IN_PROGRESS (the WaitCondition waits) */
  readonly describeStackResource?: DescribeStackResourceHandler;
  /** Seed of the Math.random behind JitterStrategy FULL while installed. @default 1 */
  readonly seed?: number;
}

export interface ExecutionListItem {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
}

export interface ExecutionDescription extends ExecutionListItem {
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** An error shaped as the Step Functions API answers it (`name` is the error code). */
export class StepFunctionsApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Whether Step Functions records `event` of aws-local-stepfunctions in the execution's history, as
 * moto's interpreter records it (../wire/long-run-moto.wire.test.ts replays moto's runs here and
 * compares the counts): a Parallel records ParallelStateStarted once, not once per branch, and
 * ParallelStateFailed once, for the branch that fails first (the others are aborted unrecorded).
 * No Parallel of the long path's definition succeeds (each ends as a branch fails), so a branch's
 * success is not counted. Retries and catches are no events of their own.
 */
function recordedInHistory(event: LocalEvent, execution: Execution): boolean {
  if (['StateRetried', 'StateCaught', 'StateFailed', 'ParallelBranchSucceeded'].includes(event.type)) return false;
  const parallel = event.parentState?.name;
  if (event.type === 'ParallelBranchStarted') return parallel !== undefined && execution.startingParallels.has(parallel);
  if (event.type === 'ParallelBranchFailed') return parallel !== undefined && !execution.endedParallels.has(parallel);
  return true;
}

/** The services of the Resource ARNs, with the name Step Functions gives them in errors (PascalCase). */
const SERVICE_NAMES: Partial<Record<ServiceName, string>> = { sagemaker: 'SageMaker', cloudformation: 'CloudFormation' };

/**
 * An AWS SDK integration's error as the definition sees it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):
 * - a code the service's API model declares (botocore's service-2.json, an `exception` shape): `<Service>.<shape
 *   name>`, `Exception` appended when the name lacks it: `SageMaker.ResourceLimitExceededException`;
 * - any other code: the generic `<Service>.<Service>Exception` (`SageMaker.SageMakerException` for
 *   ThrottlingException and ValidationException, `CloudFormation.CloudFormationException` for
 *   ValidationError and Throttling), the code nowhere in the error or its Cause, as in
 *   `Ec2.Ec2Exception: Request limit exceeded. ... (Service: Ec2, Status Code: 503, ...`
 *   (https://github.com/CloudSnorkel/cdk-github-runners/issues/946).
 * The model decides, not a list here. Without botocore nothing can decide: it throws.
 */
export function sdkErrorName(service: ServiceName, code: string): string {
  const serviceName = SERVICE_NAMES[service];
  const model = loadApiModel(service);
  if (!serviceName || !model) throw new Error(`the Step Functions stand-in names ${service}'s errors from botocore's API model, which is not available: pip install botocore`);
  const declared = model.declaredError(code);
  const name = declared ?? serviceName;
  return `${serviceName}.${name.endsWith('Exception') ? name : `${name}Exception`}`;
}

/** The Cause: the service's message, then the call's details, as the AWS SDK integration words it. */
class SdkIntegrationError extends Error {
  constructor(service: ServiceName, error: unknown) {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    const details = [`Service: ${SERVICE_NAMES[service]}`, `Status Code: ${e.$metadata?.httpStatusCode ?? 400}`, `Request ID: ${e.$metadata?.requestId ?? 'none'}`];
    super(`${e.message ?? String(error)} (${details.join(', ')})`);
    this.name = sdkErrorName(service, e.name ?? 'Unknown');
  }
}

/**
 * Thrown instead of calling a service from an execution (or a Parallel branch) that has already
 * ended: neither retried nor caught. Real Step Functions stops a run at once; the library's Retry
 * sleep resolves on abort and then calls the task again, which must not reach SageMaker.
 */
class RunEnded extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor() {
    super('The execution or its Parallel branch has ended.');
    this.name = 'States.Runtime';
  }
}

interface TaskResource {
  readonly service: ServiceName;
  readonly action: string;
  /** The Parallel states this Task state runs inside, outermost first. */
  readonly parallels: readonly string[];
}

interface Execution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  transitions: number;
  /** Execution history events, as AWS would record them (see historyEvents). */
  historyEvents: number;
  /** Parallel states of this run whose branches have been aborted (one branch failed). */
  readonly endedParallels: Set<string>;
  /** Parallel states entered whose branches have not started yet (their ParallelStateStarted is still to count). */
  readonly startingParallels: Set<string>;
  abort: () => void;
}

interface Definition {
  readonly States: Record<string, { Type: string; Resource?: string; Branches?: Definition[] }>;
}

const SDK_RESOURCE = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/;

/** Every Task state of a definition (Parallel branches included), by name. */
function taskResources(definition: Definition, parallels: string[] = [], into = new Map<string, TaskResource>()): Map<string, TaskResource> {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') {
      const match = SDK_RESOURCE.exec(state.Resource ?? '');
      if (!match || !SERVICE_NAMES[match[1] as ServiceName]) throw new Error(`Task state ${name}: the stand-in serves no resource ${state.Resource}`);
      if (into.has(name)) throw new Error(`two Task states named ${name}: local handlers are keyed by state name`);
      into.set(name, { service: match[1] as ServiceName, action: match[2], parallels });
    }
    for (const branch of state.Branches ?? []) taskResources(branch, [...parallels, name], into);
  }
  return into;
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class StepFunctions {
  readonly stateMachineArn: string;
  private readonly fake: FakeSageMaker;
  private readonly definition: object;
  private readonly tasks: Map<string, TaskResource>;
  private readonly signal: SignalHandler;
  private readonly describeStackResource: DescribeStackResourceHandler;
  private readonly clock: ReturnType<typeof FakeTimers.install>;
  private readonly originalRandom = Math.random;
  private readonly executions = new Map<string, Execution>();
  private readonly sdkCallCounts = new Map<string, number>();
  private readonly sdkErrorCounts = new Map<string, number>();
  /** Service calls in flight: settle() waits for none. */
  private pending = 0;

  constructor(options: StepFunctionsOptions) {
    this.fake = options.fake;
    this.definition = options.definition;
    this.tasks = taskResources(options.definition as Definition);
    this.stateMachineArn = options.stateMachineArn ?? `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:LongRun`;
    this.signal = options.signal ?? (() => undefined);
    this.describeStackResource = options.describeStackResource ?? (() => ({ ResourceStatus: 'CREATE_IN_PROGRESS' }));
    // Validates the definition once (asl-validator), as CreateStateMachine would.
    new StateMachine(this.definition);
    this.clock = FakeTimers.install({ now: this.fake.clock.ms, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    Math.random = mulberry32(options.seed ?? 1);
  }

  /** Aborts the runs still running and restores the real timers, Date and Math.random. */
  close(): void {
    for (const execution of this.executions.values()) {
      if (execution.status === 'RUNNING') {
        execution.status = 'ABORTED';
        execution.abort();
      }
    }
    this.clock.uninstall();
    Math.random = this.originalRandom;
  }

  // -------------------------------------------------------------------------------------------
  // The Step Functions API

  /**
   * StartExecution: the same name and input as a RUNNING execution returns that execution; a name
   * taken otherwise (closed, or another input) is `ExecutionAlreadyExists`.
   */
  async startExecution(request: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }> {
    return served('stepfunctions', 'StartExecution', request, () => this.start(request));
  }

  private async start(request: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }> {
    await this.catchUp();
    if (request.stateMachineArn !== this.stateMachineArn) throw new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
    const name = request.name ?? `run-${this.executions.size + 1}`;
    const input = request.input ?? '{}';
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      executionArn, name, input, startDate: new Date(), status: 'RUNNING', transitions: 0, historyEvents: 0, endedParallels: new Set(), startingParallels: new Set(), abort: () => undefined,
    };
    this.executions.set(executionArn, execution);
    const run = new StateMachine(this.definition, { validationOptions: { noValidate: true } }).run(JSON.parse(input), {
      noThrowOnAbort: true,
      context: { Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${ACCOUNT}:role/LongRunRole` }, StateMachine: { Id: this.stateMachineArn } },
      overrides: { taskResourceLocalHandlers: this.handlersFor(execution) },
    });
    execution.abort = run.abort;
    void this.follow(execution, run.eventLogs);
    void run.result.then(
      (output) => this.close_(execution, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: Error) => {
        if (error.name === 'ExecutionTimeoutError') return this.close_(execution, 'TIMED_OUT', { error: 'States.Timeout' });
        const cause = error.cause as Error | undefined;
        return this.close_(execution, 'FAILED', { error: cause?.name ?? error.name, cause: cause?.message ?? error.message });
      },
    );
    await this.settle();
    return { executionArn, startDate: execution.startDate };
  }

  /** StopExecution: the run ends at once (ABORTED); no task of it calls a service afterwards. */
  async stopExecution(request: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    return served('stepfunctions', 'StopExecution', request, () => this.stop(request));
  }

  private async stop(request: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    await this.catchUp();
    const execution = this.mustGet(request.executionArn);
    if (execution.status === 'RUNNING') {
      this.close_(execution, 'ABORTED', { error: request.error, cause: request.cause });
      execution.abort();
      await this.settle();
    }
    return { stopDate: execution.stopDate! };
  }

  async listExecutions(request: { stateMachineArn: string; statusFilter?: ExecutionStatus }): Promise<{ executions: ExecutionListItem[] }> {
    return served('stepfunctions', 'ListExecutions', request, () => this.list(request));
  }

  private async list(request: { stateMachineArn: string; statusFilter?: ExecutionStatus }): Promise<{ executions: ExecutionListItem[] }> {
    await this.catchUp();
    if (request.stateMachineArn !== this.stateMachineArn) throw new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
    const executions = [...this.executions.values()]
      .filter((execution) => request.statusFilter === undefined || execution.status === request.statusFilter)
      .reverse() // newest first, as Step Functions lists them
      .map((execution) => this.listItem(execution));
    return { executions };
  }

  async describeExecution(request: { executionArn: string }): Promise<ExecutionDescription> {
    return served('stepfunctions', 'DescribeExecution', request, () => this.describe(request));
  }

  private async describe(request: { executionArn: string }): Promise<ExecutionDescription> {
    await this.catchUp();
    const execution = this.mustGet(request.executionArn);
    return {
      ...this.listItem(execution),
      input: execution.input,
      ...(execution.output === undefined ? {} : { output: execution.output }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Test controls

  /** Runs every timer due up to virtual second `seconds`, one at a time and in order, then moves both clocks there. */
  async advanceTo(seconds: number): Promise<void> {
    if (seconds < this.fake.clock.seconds) throw new Error(`time runs forward only (advanceTo ${seconds} at ${this.fake.clock.seconds})`);
    await this.catchUp();
    const target = EPOCH_MS + seconds * 1000;
    for (let next = this.nextTimerMs(); next !== undefined && next <= target; next = this.nextTimerMs()) {
      this.fake.clock.advanceTo((next - EPOCH_MS) / 1000);
      this.clock.next();
      await this.settle();
    }
    this.fake.clock.advanceTo(seconds);
    this.clock.tick(target - this.clock.now);
    await this.settle();
  }

  /** Virtual second of the next pending timer (a Wait, a Retry interval, a deadline), if any. */
  nextTimerAt(): number | undefined {
    const next = this.nextTimerMs();
    return next === undefined ? undefined : (next - EPOCH_MS) / 1000;
  }

  /** States entered by the execution (Parallel branches' states included): its state transitions. */
  transitions(executionArn: string): number {
    return this.mustGet(executionArn).transitions;
  }

  /**
   * The execution's history events, counted as Step Functions records them: a state's entry and
   * exit, a Parallel's start and end (see recordedInHistory), the execution's start and end, and per service call
   * TaskScheduled, TaskStarted and TaskSucceeded or TaskFailed (a retried attempt records those
   * three and no state entry). A Standard execution fails once its history reaches 25,000 events
   * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). The count equals the
   * history moto's interpreter writes for the same run (../wire/long-run-moto.wire.test.ts replays
   * each of its runs here).
   */
  historyEvents(executionArn: string): number {
    return this.mustGet(executionArn).historyEvents;
  }

  /** Errors the service calls answered (all executions), by the name the definition sees. */
  sdkErrors(): Record<string, number> {
    return Object.fromEntries(this.sdkErrorCounts);
  }

  /** SDK integration calls per `<service>:<action>` (all executions), e.g. `sagemaker:createCompilationJob`. */
  sdkCalls(): Record<string, number> {
    return Object.fromEntries(this.sdkCallCounts);
  }

  // -------------------------------------------------------------------------------------------

  private handlersFor(execution: Execution): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of this.tasks) {
      handlers[stateName] = async (input) => this.serve(execution, task, input);
    }
    return handlers;
  }

  private async serve(execution: Execution, task: TaskResource, input: unknown): Promise<unknown> {
    this.pending += 1;
    try {
      // Let the run's own bookkeeping (aborts, the events of a branch that failed) settle first.
      await immediate();
      if (execution.status !== 'RUNNING' || task.parallels.some((parallel) => execution.endedParallels.has(parallel))) throw new RunEnded();
      const key = `${task.service}:${task.action}`;
      execution.historyEvents += 3;
      this.sdkCallCounts.set(key, (this.sdkCallCounts.get(key) ?? 0) + 1);
      try {
        if (task.service === 'sagemaker') {
          const { $metadata: _metadata, ...output } = await this.fake.call('sagemaker', task.action[0].toUpperCase() + task.action.slice(1), input) as Record<string, unknown>;
          // Dates as Step Functions' JSON carries them.
          return JSON.parse(JSON.stringify(output));
        }
        if (key === 'cloudformation:signalResource') {
          return await served('cloudformation', 'SignalResource', input, async () => {
            await this.signal(input as SignalResourceInput);
            return {};
          });
        }
        if (key === 'cloudformation:describeStackResource') {
          const answer = await served('cloudformation', 'DescribeStackResource', input, async () => {
            const detail = await this.describeStackResource(input as DescribeStackResourceInput);
            // What CloudFormation answers for a WaitCondition (the members its model requires).
            return {
              StackResourceDetail: {
                ResourceType: 'AWS::CloudFormation::WaitCondition',
                LastUpdatedTimestamp: new Date(),
                ...(input as DescribeStackResourceInput),
                ...detail,
              },
            };
          });
          // Dates as Step Functions' JSON carries them.
          return JSON.parse(JSON.stringify(answer));
        }
      } catch (error) {
        const failure = new SdkIntegrationError(task.service, error);
        this.sdkErrorCounts.set(failure.name, (this.sdkErrorCounts.get(failure.name) ?? 0) + 1);
        throw failure;
      }
      throw new Error(`the stand-in serves no ${key}`);
    } finally {
      this.pending -= 1;
    }
  }

  private async follow(execution: Execution, events: AsyncGenerator<LocalEvent>): Promise<void> {
    for await (const event of events) {
      if (recordedInHistory(event, execution)) execution.historyEvents += 1;
      if (event.type === 'StateEntered') {
        execution.transitions += 1;
        if (event.state?.type === 'Parallel') {
          execution.endedParallels.delete(event.state.name);
          execution.startingParallels.add(event.state.name);
        }
      } else if (event.type === 'ParallelBranchStarted' && event.parentState) {
        execution.startingParallels.delete(event.parentState.name);
      } else if (event.type === 'ParallelBranchFailed' && event.parentState) {
        // The Parallel aborts its other branches.
        execution.endedParallels.add(event.parentState.name);
      }
    }
  }

  private close_(execution: Execution, status: ExecutionStatus, details: { output?: string; error?: string; cause?: string }): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = status;
    execution.stopDate = new Date();
    Object.assign(execution, details);
  }

  private listItem(execution: Execution): ExecutionListItem {
    return {
      executionArn: execution.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
    };
  }

  private mustGet(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  /** fake-timers keeps its timers in `clock.timers` (id -> { callAt }); it has no public peek. */
  private nextTimerMs(): number | undefined {
    const timers = (this.clock as unknown as { timers?: Map<number, { callAt: number }> }).timers;
    let next: number | undefined;
    for (const timer of timers?.values() ?? []) next = next === undefined ? timer.callAt : Math.min(next, timer.callAt);
    return next;
  }

  /** Someone moved the VirtualClock alone: run what fell due meanwhile (late, in order), then match it. */
  private async catchUp(): Promise<void> {
    const target = this.fake.clock.ms;
    if (target <= this.clock.now) return;
    for (let next = this.nextTimerMs(); next !== undefined && next <= target; next = this.nextTimerMs()) {
      this.clock.next();
      await this.settle();
    }
    this.clock.tick(target - this.clock.now);
    await this.settle();
  }

  /** Until every run is blocked on a timer: all microtasks drained, no service call in flight. */
  private async settle(): Promise<void> {
    do {
      await immediate();
    } while (this.pending > 0);
  }
}

/** The pseudo parameters a DefinitionString may join in, as the stand-in's account and region resolve them. */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com',
};

function resolveString(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref && PSEUDO_PARAMETERS[v.Ref as string]) return PSEUDO_PARAMETERS[v.Ref as string];
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveString).join(separator);
  }
  throw new Error(`the definition joins in ${JSON.stringify(value)}, which the stand-in cannot resolve`);
}

/**
 * The long path's state machine definition as deployed: the DefinitionString of the one
 * AWS::StepFunctions::StateMachine of a synthesized stack with one CompilationJob whose timeout
 * exceeds an hour (its Fn::Join and pseudo parameters resolved).
 */
export function longRunDefinitionFromTemplate(): object {
  const stack = new Stack(new App(), 'LongRunStack', { env: { account: ACCOUNT, region: REGION } });
  new CompilationJob(stack, 'Job', {
    model: ModelInput.fromBucket(s3.Bucket.fromBucketName(stack, 'Models', 'model-bucket'), 'models/model.tar.gz'),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
    target: CompilationTarget.device(TargetDevice.ML_INF2),
    maxRuntime: Duration.hours(3),
  });
  const machines = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))
    // The Provider's waiter is the other state machine of the stack (it joins in its functions' ARNs).
    .filter((machine) => !JSON.stringify(machine.Properties.DefinitionString).includes('framework-isComplete'))
    .map((machine) => JSON.parse(resolveString(machine.Properties.DefinitionString)) as object);
  if (machines.length !== 1) throw new Error(`expected one long-run state machine, found ${machines.length}`);
  return machines[0];
}
