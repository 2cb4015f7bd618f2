/**
 * THE test driver: aws-cdk-lib's own Provider framework runtime (framework.js: onEvent,
 * isComplete, onTimeout, and its cfn-response) around the shipped handler bundle
 * (assets/compilation-job/index.js), with stand-ins only for what AWS hosts:
 * - Lambda: each function in a Node process of its own (./lambda.ts);
 * - the waiter state machine: the framework's isComplete task, retried as the synthesized
 *   definition says (Retry IntervalSeconds / MaxAttempts / BackoffRate, read by ./template.ts),
 *   then its Catch, the framework's onTimeout. Nothing stops a waiter once started, as in AWS;
 * - the response URL: a local server that records what CloudFormation receives (./aws-endpoint.ts);
 * - CloudFormation (./cloudformation.ts) and its paths, from its documentation:
 *   Create; Update, and a replacement's cleanup Delete of the old physical id
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html);
 *   rollback of a failed Create (Delete) or Update; cancellation of an in-progress Create or
 *   Update when another resource fails or the user cancels, then the rollback: a Delete of an
 *   invented physical id for a Create, an Update back to the old properties and the OLD physical
 *   id for an Update (CloudFormation never saw the new one)
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-cancel-update-stack.html,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes.html);
 *   ServiceTimeout (no response in time: FAILED); Delete; duplicate delivery of an event (Lambda
 *   runs asynchronous invocations at least once:
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 * SageMaker and S3 are the scripted fake on a virtual clock (test/fault/fake-sagemaker.ts) or moto;
 * Greengrass v2 (for the component version handler, assets/component-version) is ./greengrass.ts.
 * Time is virtual: steps run in time order, the clock jumps between them, calls take no time.
 */
import { startEndpoint } from './aws-endpoint';
import type { CfnResponseBody, ReceivedResponse, ResourceStatus } from './cloudformation';
import { CloudFormationModel } from './cloudformation';
import type { GreengrassStandIn } from './greengrass';
import { FUNCTION_ARNS, functionNamed, invokeResponse, LambdaService } from './lambda';
import { providerSettings, ProviderSettings } from './template';
import type { CreateEvent, DeleteEvent, OnEventRequest, UpdateEvent } from '../../lambda/compilation-job/cloudformation';
import type { CompilationJobAttributes } from '../../src/private/contract';
import { RESOURCE_TYPE } from '../../src/private/contract';
import { FakeSageMaker, REGION, VirtualClock } from '../fault/fake-sagemaker';
import { served } from '../fault/model-gate';

/**
 * The Step Functions stand-in of the long path (./step-functions.ts): the real definition run on
 * timers kept equal to the driver's clock; its methods answer as the Step Functions API does.
 */
export interface StepFunctionsStandIn {
  startExecution(input: Record<string, unknown>): Promise<object>;
  stopExecution(input: Record<string, unknown>): Promise<object>;
  listExecutions(input: Record<string, unknown>): Promise<object>;
  describeExecution(input: Record<string, unknown>): Promise<object>;
  /** Runs the runs' timers due up to `seconds` (virtual). */
  advanceTo(seconds: number): Promise<void>;
  /** The virtual second of the next timer of a run, if any. */
  nextTimerAt(): number | undefined;
  /** Ends the runs still running and restores what it replaced (timers). */
  close?(): void;
}

/** What the driver gives the stand-in: its clock, SageMaker (the fake) and SignalResource (the model). */
export interface StepFunctionsServices {
  readonly clock: VirtualClock;
  readonly fake?: FakeSageMaker;
  sagemaker(operation: string, input: unknown): Promise<object>;
  signalResource(input: { StackName: string; LogicalResourceId: string; UniqueId: string; Status: string }): Promise<void>;
  /** A run's DescribeStackResource (the status of its WaitCondition). */
  describeStackResource(input: { StackName: string; LogicalResourceId: string }): Promise<{ ResourceStatus: string }>;
  note(text: string): void;
}

export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
export const OPERATION_TIMED_OUT = 'Operation timed out';
export const CREATION_CANCELLED = 'Resource creation cancelled';
export const UPDATE_CANCELLED = 'Resource update cancelled';
export const NO_RESPONSE = 'CloudFormation did not receive a response from your Custom Resource within its ServiceTimeout';

export type RequestType = OnEventRequest['RequestType'];

/** What CloudFormation learned from one event (or what a waiter nobody listened to reported). */
export interface OperationOutcome {
  readonly requestType: RequestType;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly data?: CompilationJobAttributes;
  /** The first line of the Reason: the handler's message, or the framework's / CloudFormation's reason. */
  readonly reason?: string;
  /** The whole response as sent (undefined when CloudFormation itself decided). */
  readonly response?: ReceivedResponse;
  /** Whether the framework called the handler's onEvent. */
  readonly handlerCalled: boolean;
  /** The handler's isComplete invocations. */
  readonly polls: number;
  /** Virtual seconds. */
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface DeployOptions {
  /** Roll back a failed Create or Update. @default true */
  readonly rollback?: boolean;
  /** Seconds CloudFormation takes to start the rollback after the failure. @default 10 */
  readonly rollbackDelaySeconds?: number;
  /** CloudFormation delivers the same event again this many seconds later. */
  readonly duplicateDeliveryAfterSeconds?: number;
  /** CloudFormation cancels the Create or Update still waiting after this many seconds (another resource failed). */
  readonly cancelAfterSeconds?: number;
  /** The physical id CloudFormation invents for a cancelled Create. */
  readonly inventedPhysicalId?: string;
  /** The resource was added by a stack update: after the rollback's Delete the stack no longer has it. */
  readonly addedByStackUpdate?: boolean;
}

export interface DeploymentResult {
  readonly outcome: OperationOutcome;
  /** The operations of the rollback, in order. */
  readonly rollback: OperationOutcome[];
  /** Answers of waiters nobody listened to (duplicate delivery, cancelled operations). */
  readonly orphans: OperationOutcome[];
  readonly trace: string[];
}

export interface StackCreateResult {
  readonly outcomes: OperationOutcome[];
  readonly rollback: OperationOutcome[];
  readonly orphans: OperationOutcome[];
  readonly trace: string[];
}

export interface DriverOptions {
  /** SageMaker and S3: the scripted fake (its clock is the driver's), or... */
  readonly fake?: FakeSageMaker;
  /** ...an endpoint that serves both (moto). */
  readonly endpoint?: string;
  /**
   * CloudWatch Logs, where a failed job's log is read (moto). @default `endpoint` when given, else
   * the driver's own, which has no log stream at all
   */
  readonly logsEndpoint?: string;
  /** Every handler invocation is a cold start (no memory between invocations). @default false */
  readonly coldStarts?: boolean;
  /** Another build of the handler (the bench compares releases). @default the shipped bundle */
  readonly bundle?: string;
  /** More environment of the handler's functions (as the synthesized template sets it). */
  readonly environment?: Record<string, string>;
  /** The long path's Step Functions, made with the driver's services. */
  readonly stepFunctions?: (services: StepFunctionsServices) => StepFunctionsStandIn;
  /** The clock, when no fake brings one (a Greengrass stand-in shares it). */
  readonly clock?: VirtualClock;
  /** Greengrass v2 (./greengrass.ts), for the component version handler. */
  readonly greengrass?: GreengrassStandIn;
  /** The provider's settings, when it is not the compilation jobs' (./template.ts). @default providerSettings() */
  readonly settings?: ProviderSettings;
}

interface Step {
  readonly at: number;
  readonly seq: number;
  readonly run: () => Promise<void>;
  cancelled: boolean;
}

/** One event CloudFormation sent and waits for. */
interface Operation {
  readonly id: number;
  readonly event: OnEventRequest;
  readonly startedAt: number;
  handlerCalled: boolean;
  polls: number;
  listeners: Array<(outcome: OperationOutcome) => void>;
  /** CloudFormation's ServiceTimeout for this operation. */
  timeout?: Step;
}

const COMPLETE: Record<RequestType, ResourceStatus> = { Create: 'CREATE_COMPLETE', Update: 'UPDATE_COMPLETE', Delete: 'DELETE_COMPLETE' };
const FAILED: Record<RequestType, ResourceStatus> = { Create: 'CREATE_FAILED', Update: 'UPDATE_FAILED', Delete: 'DELETE_FAILED' };
const IN_PROGRESS: Record<RequestType, ResourceStatus> = { Create: 'CREATE_IN_PROGRESS', Update: 'UPDATE_IN_PROGRESS', Delete: 'DELETE_IN_PROGRESS' };

/** The Delete CloudFormation sends for a resource created (or attempted) by `event`. */
export function deleteEventOf(event: OnEventRequest, physicalResourceId: string, requestId = `${event.RequestId}-delete`): DeleteEvent {
  const rest: Partial<UpdateEvent> = { ...event as UpdateEvent };
  delete rest.OldResourceProperties;
  return { ...rest, RequestType: 'Delete', RequestId: requestId, PhysicalResourceId: physicalResourceId } as DeleteEvent;
}

/** The Update CloudFormation sends to roll an Update back: the properties swapped, the old physical id. */
export function rollbackEventOf(event: UpdateEvent): UpdateEvent {
  return { ...event, RequestId: `${event.RequestId}-rollback`, ResourceProperties: event.OldResourceProperties, OldResourceProperties: event.ResourceProperties };
}

function inventedIdOf(event: OnEventRequest): string {
  return `${event.LogicalResourceId.slice(0, 40)}-1XQ7ZK3M9B2WD`;
}

export type { Operation };

export class Driver {
  /** Starts the endpoint and the Lambda hosts; `close()` stops them. */
  static async start(options: DriverOptions = {}): Promise<Driver> {
    const driver = new Driver(options);
    await driver.open();
    return driver;
  }

  readonly clock: VirtualClock;
  readonly settings: ProviderSettings;
  readonly cloudformation: CloudFormationModel;
  /** Every response CloudFormation received, in order. */
  readonly responses: ReceivedResponse[] = [];
  readonly log: string[];
  /** Waiter executions started. */
  executions = 0;
  /** What the handler's functions logged (console), in order. */
  readonly handlerLogs: string[] = [];
  /** Step Functions refuses StartExecution (throttled, or the framework's role lacks the grant). */
  startExecutionFails = false;
  private lambda?: LambdaService;
  private endpoint?: Awaited<ReturnType<typeof startEndpoint>>;
  private readonly queue: Step[] = [];
  private seq = 0;
  private readonly operations = new Map<number, Operation>();
  /** The long path's Step Functions (when the options make one). */
  readonly stepFunctions?: StepFunctionsStandIn;

  private constructor(private readonly options: DriverOptions) {
    this.clock = options.fake?.clock ?? options.clock ?? new VirtualClock();
    this.settings = options.settings ?? providerSettings();
    this.log = options.fake?.log ?? [];
    this.cloudformation = new CloudFormationModel(() => this.clock.ms, () => this.clock.seconds, (text) => this.note(text));
    const fake = options.fake;
    this.stepFunctions = options.stepFunctions?.({
      clock: this.clock,
      fake,
      sagemaker: async (operation, input) => {
        if (!fake) throw new Error('the Step Functions stand-in needs the fake SageMaker');
        return fake.call('sagemaker', operation, input);
      },
      signalResource: async (input) => this.cloudformation.signal(input),
      describeStackResource: async (input) => ({ ResourceStatus: this.cloudformation.describe(input).status }),
      note: (text) => this.note(text),
    });
  }

  note(text: string): void {
    this.log.push(`[+${String(this.clock.seconds).padStart(4)}s] ${text}`);
  }

  async close(): Promise<void> {
    this.stepFunctions?.close?.();
    await this.lambda?.stop();
    await this.endpoint?.close();
  }

  /** Invocations of a function so far. */
  invocations(name: Parameters<LambdaService['invoke']>[0]): number {
    return this.lambda?.invocations.get(name) ?? 0;
  }

  // -------------------------------------------------------------------------------------------
  // CloudFormation's operations

  /** One event, to its end, with what CloudFormation does around it (see DeployOptions). */
  async deploy(event: OnEventRequest, options: DeployOptions = {}): Promise<DeploymentResult> {
    const firstLine = this.log.length;
    const orphans: OperationOutcome[] = [];
    const rollback: OperationOutcome[] = [];
    let outcome: OperationOutcome | undefined;
    const rollbackDelay = options.rollbackDelaySeconds ?? 10;
    const track = options.addedByStackUpdate ? { removeAfterDelete: true } : {};

    const operation = await this.send(event, (o) => {
      if (outcome) return void orphans.push(o);
      outcome = o;
      if (o.status === 'FAILED' && (options.rollback ?? true)) {
        this.schedule(this.clock.seconds + rollbackDelay, () => this.rollBack(event, o, rollback, track));
      }
    });
    if (options.duplicateDeliveryAfterSeconds !== undefined) {
      this.schedule(operation.startedAt + options.duplicateDeliveryAfterSeconds, async () => {
        this.note(`CloudFormation delivers the ${event.RequestType} again`);
        await this.invokeFramework(operation);
      });
    }
    if (options.cancelAfterSeconds !== undefined) {
      this.schedule(operation.startedAt + options.cancelAfterSeconds, async () => {
        if (outcome) return; // answered in time
        outcome = this.cancel(operation, options.inventedPhysicalId ?? inventedIdOf(event));
        operation.listeners = [(o) => orphans.push(o)];
        const rollbackEvent = event.RequestType === 'Create' ? deleteEventOf(event, outcome.physicalResourceId)
          : event.RequestType === 'Update' ? rollbackEventOf(event) : undefined;
        if (!rollbackEvent) throw new Error('only a Create or an Update can be cancelled');
        const at = event.RequestType === 'Create' ? this.clock.seconds : this.clock.seconds + rollbackDelay;
        this.schedule(at, async () => {
          this.note(`CloudFormation rolls back: ${rollbackEvent.RequestType} ${rollbackEvent.PhysicalResourceId}`);
          await this.send(rollbackEvent, (o) => rollback.push(o), track);
        });
      });
    }
    await this.runTimeline();
    if (!outcome) throw new Error('the operation never finished');
    return { outcome, rollback, orphans, trace: this.log.slice(firstLine) };
  }

  /**
   * A stack create of resources without dependencies: every Create at once. The first failure
   * cancels the Creates still waiting (their waiters go on, unheard); the rollback then deletes
   * every resource at once.
   */
  async createStack(events: readonly CreateEvent[], options: { rollbackDelaySeconds?: number } = {}): Promise<StackCreateResult> {
    const firstLine = this.log.length;
    const outcomes: Array<OperationOutcome | undefined> = events.map(() => undefined);
    const operations: Operation[] = [];
    const orphans: OperationOutcome[] = [];
    const rollback: OperationOutcome[] = [];
    let failed = false;
    const onFailure = () => {
      if (failed) return;
      failed = true;
      for (const [i, operation] of operations.entries()) {
        if (outcomes[i]) continue;
        this.note(`CloudFormation cancels the Create of ${operation.event.LogicalResourceId}`);
        outcomes[i] = this.cancel(operation, inventedIdOf(operation.event));
        operation.listeners = [(o) => orphans.push(o)];
      }
      this.schedule(this.clock.seconds + (options.rollbackDelaySeconds ?? 10), async () => {
        this.note('CloudFormation rolls back the stack: every resource is deleted');
        await Promise.all(events.map((event, i) => this.send(deleteEventOf(event, outcomes[i]!.physicalResourceId), (o) => rollback.push(o))));
      });
    };
    for (const [i, event] of events.entries()) {
      operations.push(await this.send(event, (o) => {
        if (outcomes[i]) return void orphans.push(o);
        outcomes[i] = o;
        if (o.status === 'FAILED') onFailure();
      }));
    }
    await this.runTimeline();
    if (outcomes.some((o) => o === undefined)) throw new Error('a Create never finished');
    return { outcomes: outcomes as OperationOutcome[], rollback, orphans, trace: this.log.slice(firstLine) };
  }

  /** What CloudFormation records for an operation it cancels now. */
  cancel(operation: Operation, inventedId: string): OperationOutcome {
    const { event } = operation;
    const create = event.RequestType === 'Create';
    const physicalResourceId = create ? inventedId : (event as UpdateEvent).PhysicalResourceId;
    const reason = create ? CREATION_CANCELLED : UPDATE_CANCELLED;
    if (operation.timeout) operation.timeout.cancelled = true;
    this.note(`CloudFormation cancels the ${event.RequestType} of ${event.LogicalResourceId}: ${reason}`);
    this.cloudformation.set(event.StackId, event.LogicalResourceId, event.ResourceType, FAILED[event.RequestType], physicalResourceId, reason);
    return {
      requestType: event.RequestType,
      status: 'FAILED',
      physicalResourceId,
      reason,
      handlerCalled: operation.handlerCalled,
      polls: operation.polls,
      startedAt: operation.startedAt,
      finishedAt: this.clock.seconds,
    };
  }

  /** The rollback of a failed Create (Delete) or Update (cleanup Delete of a new physical id, or Update back). */
  private async rollBack(
    event: OnEventRequest, outcome: OperationOutcome, rollback: OperationOutcome[], track: { removeAfterDelete?: boolean },
  ): Promise<void> {
    if (event.RequestType === 'Delete') return;
    if (event.RequestType === 'Create') {
      this.note(`CloudFormation rolls back: Delete ${outcome.physicalResourceId}`);
      await this.send(deleteEventOf(event, outcome.physicalResourceId), (o) => rollback.push(o), track);
      return;
    }
    if (outcome.physicalResourceId !== event.PhysicalResourceId) {
      // The old resource is current again; the new one goes in the cleanup.
      this.cloudformation.set(event.StackId, event.LogicalResourceId, event.ResourceType, 'UPDATE_COMPLETE', event.PhysicalResourceId);
      this.note(`CloudFormation rolls back: cleanup Delete ${outcome.physicalResourceId}`);
      await this.send(deleteEventOf(event, outcome.physicalResourceId), (o) => rollback.push(o), { untracked: true });
      return;
    }
    this.note('CloudFormation rolls back: Update to the old properties');
    await this.send(rollbackEventOf(event), (o) => rollback.push(o));
  }

  /**
   * CloudFormation sends the event to the ServiceToken (the framework's onEvent), records the
   * resource IN_PROGRESS, and waits for the response up to the ServiceTimeout.
   */
  async send(
    event: OnEventRequest, listener: (outcome: OperationOutcome) => void, track: { untracked?: boolean; removeAfterDelete?: boolean } = {},
  ): Promise<Operation> {
    const operation: Operation = { id: this.operations.size, event, startedAt: this.clock.seconds, handlerCalled: false, polls: 0, listeners: [] };
    this.operations.set(operation.id, operation);
    const physicalBefore = event.RequestType === 'Create' ? undefined : event.PhysicalResourceId;
    if (!track.untracked) {
      this.cloudformation.set(event.StackId, event.LogicalResourceId, event.ResourceType, IN_PROGRESS[event.RequestType], physicalBefore);
    }
    let answered = false;
    const timeout = operation.timeout = this.schedule(this.clock.seconds + this.settings.serviceTimeoutSeconds, async () => {
      this.finish(operation, { Status: 'FAILED', Reason: NO_RESPONSE, PhysicalResourceId: physicalBefore ?? inventedIdOf(event) } as CfnResponseBody);
    });
    operation.listeners.push((outcome) => {
      timeout.cancelled = true;
      if (!answered) {
        answered = true;
        if (!track.untracked) {
          if (outcome.status === 'SUCCESS' && event.RequestType === 'Delete' && track.removeAfterDelete) {
            this.cloudformation.remove(event.StackId, event.LogicalResourceId);
          } else {
            const status = (outcome.status === 'SUCCESS' ? COMPLETE : FAILED)[event.RequestType];
            this.cloudformation.set(event.StackId, event.LogicalResourceId, event.ResourceType, status, outcome.physicalResourceId, outcome.reason);
          }
        }
      }
      listener(outcome);
    });
    this.note(`CloudFormation sends ${event.RequestType}${physicalBefore ? ` ${physicalBefore}` : ''} (${event.LogicalResourceId.slice(0, 24)})`);
    await this.invokeFramework(operation);
    return operation;
  }

  private async invokeFramework(operation: Operation): Promise<void> {
    const event = { ...operation.event, ResponseURL: `${this.endpoint!.url}/cfn-response/${operation.id}?X-Amz-Signature=0` };
    const result = await this.lambda!.invoke('framework-onEvent', event);
    if (result.functionError) this.note(`framework onEvent failed: ${result.functionError.errorMessage}`);
  }

  private finish(operation: Operation, body: CfnResponseBody, response?: ReceivedResponse): void {
    const outcome: OperationOutcome = {
      requestType: operation.event.RequestType,
      status: body.Status,
      physicalResourceId: body.PhysicalResourceId,
      data: body.Data as unknown as CompilationJobAttributes | undefined,
      reason: body.Status === 'FAILED' ? body.Reason.split('\n')[0] : undefined,
      response,
      handlerCalled: operation.handlerCalled,
      polls: operation.polls,
      startedAt: operation.startedAt,
      finishedAt: this.clock.seconds,
    };
    this.note(`${operation.event.RequestType} -> ${outcome.status} ${outcome.physicalResourceId}${outcome.reason ? `: ${outcome.reason}` : ''}`);
    for (const listener of [...operation.listeners]) listener(outcome);
  }

  // -------------------------------------------------------------------------------------------
  // What AWS hosts: the endpoint, Lambda, the waiter

  private async open(): Promise<void> {
    const fake = this.options.fake;
    this.endpoint = await startEndpoint({
      sagemaker: fake ? (operation, input) => fake.call('sagemaker', operation, input) : undefined,
      s3: fake ? (operation, input) => fake.call('s3', operation, input) : undefined,
      cloudformation: (action, input) => this.cloudformation.handle(action, input),
      stepFunctions: this.stepFunctions ? (operation, input) => this.stepFunctionsCall(operation, input) : undefined,
      greengrass: this.options.greengrass ? (method, path, query, body) => this.options.greengrass!.handle(method, path, query, body) : undefined,
      response: (path, raw, headers) => this.received(path, raw, Number(headers['content-length'])),
      now: () => this.clock.ms,
    });
    const services = this.options.endpoint ?? this.endpoint.url;
    this.lambda = new LambdaService({
      environment: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TZ: 'UTC',
        NODE_PATH: `${require.resolve('@aws-sdk/client-s3').split('/node_modules/')[0]}/node_modules`,
        AWS_ENDPOINT_URL_SAGEMAKER: services,
        AWS_ENDPOINT_URL_S3: services,
        AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: this.options.logsEndpoint ?? services,
        AWS_ENDPOINT_URL_CLOUDFORMATION: this.endpoint.url,
        AWS_ENDPOINT_URL_SFN: this.endpoint.url,
        AWS_ENDPOINT_URL_GREENGRASSV2: this.endpoint.url,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_SESSION_TOKEN: 'testing',
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        // Lambda runs the handler on Node.js 24; this machine's older Node would make the SDK warn.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...this.options.environment,
      },
      responseServerPort: this.endpoint.port,
      coldStarts: this.options.coldStarts,
      bundle: this.options.bundle,
      now: () => this.clock.ms,
      // The framework's own calls go through the model gate too, as Lambda and Step Functions validate them.
      outbound: async (call, request) => (call === 'invokeFunction'
        ? served('lambda', 'Invoke', request, () => this.invokeUser(request as { FunctionName: string; Payload: string }))
        : served('stepfunctions', 'StartExecution', request, () => this.startExecution(request as { input: string }))),
    });
  }

  /** The handler's Step Functions calls (awsJson1_0), to the stand-in. */
  private async stepFunctionsCall(operation: string, input: Record<string, unknown>): Promise<object> {
    const sfn = this.stepFunctions!;
    const calls: Record<string, (i: Record<string, unknown>) => Promise<object>> = {
      StartExecution: (i) => sfn.startExecution(i),
      StopExecution: (i) => sfn.stopExecution(i),
      ListExecutions: (i) => sfn.listExecutions(i),
      DescribeExecution: (i) => sfn.describeExecution(i),
    };
    const call = calls[operation];
    if (!call) throw Object.assign(new Error(`the stand-in does not implement ${operation}`), { name: 'UnknownOperationException' });
    try {
      const output = await call(input);
      this.note(`  states.${operation}(${String(input.name ?? input.executionArn ?? '').split(':').pop()}) -> ok`);
      return output;
    } catch (error) {
      this.note(`  states.${operation}(${String(input.name ?? input.executionArn ?? '').split(':').pop()}) -> ${(error as Error).name}`);
      throw error;
    }
  }

  /** A PUT to a response URL: the first answer of an operation is CloudFormation's; later ones are recorded. */
  private received(path: string, raw: string, contentLength: number): void {
    const operation = this.operations.get(Number(path.split('/')[2]));
    const body = JSON.parse(raw) as CfnResponseBody;
    const response: ReceivedResponse = { raw, body, contentLength, at: this.clock.seconds };
    this.responses.push(response);
    if (operation) this.finish(operation, body, response);
  }

  /** Lambda Invoke of a handler function, on behalf of the framework. */
  private async invokeUser(request: { FunctionName: string; Payload: string }): Promise<unknown> {
    const name = functionNamed(request.FunctionName);
    const payload = JSON.parse(request.Payload) as { ResponseURL: string };
    const operation = this.operations.get(Number(new URL(payload.ResponseURL).pathname.split('/')[2]));
    if (operation && name === 'OnEvent') operation.handlerCalled = true;
    if (operation && name === 'IsComplete') operation.polls += 1;
    const result = await this.lambda!.invoke(name, payload);
    this.handlerLogs.push(...result.logs.map((line) => line.message));
    return invokeResponse(result);
  }

  /** Step Functions' StartExecution of the waiter: the isComplete task with its Retry, then its Catch. */
  private async startExecution(request: { input: string }): Promise<{ executionArn: string; startDate: Date }> {
    if (this.startExecutionFails) {
      this.note('states.StartExecution -> ThrottlingException');
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const input = JSON.parse(request.input) as unknown;
    this.executions += 1;
    const { intervalSeconds, maxAttempts, backoffRate } = this.settings;
    let retries = 0;
    const attempt = async (): Promise<void> => {
      const result = await this.lambda!.invoke('framework-isComplete', input);
      if (!result.functionError) return; // the task succeeded: the framework answered CloudFormation
      retries += 1;
      if (retries <= maxAttempts) {
        this.schedule(this.clock.seconds + intervalSeconds * backoffRate ** (retries - 1), attempt);
        return;
      }
      this.note('waiter: retries exhausted, Catch -> framework onTimeout');
      await this.lambda!.invoke('framework-onTimeout', { Error: result.functionError.errorType, Cause: JSON.stringify(result.functionError) });
    };
    this.schedule(this.clock.seconds, attempt);
    return { executionArn: `${FUNCTION_ARNS['framework-isComplete']}:execution:${this.executions}`, startDate: new Date(this.clock.ms) };
  }

  // -------------------------------------------------------------------------------------------
  // Virtual time

  schedule(at: number, run: () => Promise<void>): Step {
    const step: Step = { at, seq: this.seq++, run, cancelled: false };
    this.queue.push(step);
    return step;
  }

  /**
   * Runs the scheduled steps in time order until none is left, interleaved with the timers of the
   * Step Functions runs (a run's timer due at or before a step runs first); then the runs' timers
   * until no run is left (a run ends within its 12 hours), or only what is due after `until` is left.
   */
  async runTimeline(until = Infinity): Promise<void> {
    const sfn = this.stepFunctions;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      while (this.queue.length > 0 && this.queue[0].cancelled) this.queue.shift();
      const timer = sfn?.nextTimerAt();
      const step = this.queue[0];
      if (Math.min(timer ?? Infinity, step?.at ?? Infinity) > until) {
        // Stop here: what is due later waits for the next call (a later operation of the test).
        if (until > this.clock.seconds) {
          this.clock.advanceTo(until);
          await sfn?.advanceTo(until);
        }
        return;
      }
      if (timer !== undefined && (step === undefined || timer <= step.at)) {
        if (timer > this.clock.seconds) this.clock.advanceTo(timer);
        await sfn!.advanceTo(Math.max(timer, this.clock.seconds));
        continue;
      }
      if (!step) return;
      this.queue.shift();
      if (step.at > this.clock.seconds) this.clock.advanceTo(step.at);
      await step.run();
    }
  }
}

/** The resource type every event carries. */
export const RESOURCE = RESOURCE_TYPE;
