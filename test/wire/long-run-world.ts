/**
 * One long-path run's world, in real time: the SageMaker and the CloudFormation its aws-sdk tasks
 * talk to (through ./long-run-front.ts), each answering as the service would at that second.
 *
 * - SageMaker is the scripted fake (../fault/fake-sagemaker.ts: jobs over time, the
 *   concurrent-job quota, throttling bursts, requests checked against botocore's model); its
 *   virtual clock is moved to the real seconds since the run started before each call. A fault
 *   the fake cannot script (a ValidationException on one call) is answered by `sagemakerFault`.
 * - CloudFormation is the driver's model (../driver/cloudformation.ts): the start resource is
 *   CREATE_COMPLETE, and the WaitCondition begins `waitConditionBeginsAfter` seconds after the run
 *   starts; before that a signal is refused with ValidationError and DescribeStackResource does
 *   not know the resource, as CloudFormation answers for a resource it has not begun creating.
 *   The first `signalThrottles` SignalResource calls are answered `Throttling: Rate exceeded`.
 */
import { performance } from 'perf_hooks';
import type { ServiceError } from '../driver/aws-endpoint';
import { CloudFormationModel, WaitOutcome } from '../driver/cloudformation';
import { FakeOptions, FakeSageMaker, ThrottleBurst } from '../fault/fake-sagemaker';

/** The start resource's logical id (the WaitCondition's dependency). */
const START_RESOURCE = 'ResnetStart1A2B3C4D';

export interface WorldOptions {
  /** The run's region: its own Step Functions backend in moto, and its stack's ARN. */
  readonly region: string;
  readonly jobName: string;
  /** The WaitCondition the run signals. */
  readonly waitCondition: string;
  /** The stack's name. @default LongRun-<region> */
  readonly stackName?: string;
  readonly sagemaker?: FakeOptions;
  /** Bursts of consecutive ThrottlingExceptions (counted in the run's calls of the operation). @default none */
  readonly throttleBursts?: readonly ThrottleBurst[];
  /** Seconds after the run starts at which CloudFormation begins creating the WaitCondition. @default 1 */
  readonly waitConditionBeginsAfter?: number;
  /** SignalResource calls answered with Throttling before any is served. @default 0 */
  readonly signalThrottles?: number;
  /** An error to answer a SageMaker call with instead of the fake's answer (seconds since the run started). */
  readonly sagemakerFault?: (operation: string, input: unknown, seconds: number) => ServiceError | undefined;
}

/** One request the run made, as the world answered it. */
export interface WorldCall {
  /** Seconds since the run started. */
  readonly at: number;
  readonly service: 'sagemaker' | 'cloudformation';
  readonly operation: string;
  /** 'ok' or the error code answered. */
  readonly result: string;
  /** The error's message, when it was refused. */
  readonly message?: string;
  /** SageMaker's answer, when it answered (DescribeCompilationJob's status, for a replay). */
  readonly output?: object;
  /** DescribeStackResource's answer: the resource's status. */
  readonly resourceStatus?: string;
}

export class RunWorld {
  readonly fake: FakeSageMaker;
  readonly cloudformation: CloudFormationModel;
  readonly stackId: string;
  readonly calls: WorldCall[] = [];
  /** How the WaitCondition's wait ended, once it has. */
  waitOutcome?: WaitOutcome;
  /** Seconds since the run started at which the WaitCondition began, once it has. */
  waitBeganAt?: number;
  private startedAt?: number;
  private signalThrottles: number;
  private timer?: NodeJS.Timeout;

  constructor(readonly options: WorldOptions) {
    this.fake = new FakeSageMaker(options.sagemaker);
    for (const burst of options.throttleBursts ?? []) this.fake.throttleBurst(burst);
    this.stackId = `arn:aws:cloudformation:${options.region}:123456789012:stack/${options.stackName ?? `LongRun-${options.region}`}/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7`;
    this.cloudformation = new CloudFormationModel(() => Date.now(), () => this.seconds());
    this.cloudformation.set(this.stackId, START_RESOURCE, 'Custom::SageMakerNeoCompilationJob', 'CREATE_COMPLETE', options.jobName);
    this.signalThrottles = options.signalThrottles ?? 0;
  }

  /** Seconds since the run started (0 before). */
  seconds(): number {
    return this.startedAt === undefined ? 0 : (performance.now() - this.startedAt) / 1000;
  }

  /** The run starts now: CloudFormation begins the WaitCondition on its schedule. */
  start(): void {
    this.startedAt = performance.now();
    this.timer = setTimeout(() => {
      this.waitBeganAt = this.seconds();
      this.cloudformation.startWaiting(this.stackId, this.options.waitCondition, 1, (outcome) => { this.waitOutcome = outcome; });
    }, (this.options.waitConditionBeginsAfter ?? 1) * 1000);
  }

  close(): void {
    clearTimeout(this.timer);
  }

  /** Signals CloudFormation accepted (at most one ends the wait). */
  acceptedSignals(): WorldCall[] {
    return this.calls.filter((call) => call.operation === 'SignalResource' && call.result === 'ok');
  }

  /** The run's SageMaker calls of one operation, with their results. */
  sagemakerCalls(operation: string): WorldCall[] {
    return this.calls.filter((call) => call.service === 'sagemaker' && call.operation === operation);
  }

  async sagemaker(operation: string, input: unknown): Promise<object> {
    const at = this.seconds();
    this.fake.clock.advanceTo(Math.max(at, this.fake.clock.seconds));
    try {
      const fault = this.options.sagemakerFault?.(operation, input, at);
      if (fault) throw fault;
      const output = await this.fake.call('sagemaker', operation, input);
      this.calls.push({ at, service: 'sagemaker', operation, result: 'ok', output });
      return output;
    } catch (error) {
      this.calls.push({ at, service: 'sagemaker', operation, result: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  }

  async cloudformationCall(action: string, input: Record<string, string>): Promise<string> {
    const at = this.seconds();
    if (action === 'SignalResource' && this.signalThrottles > 0) {
      this.signalThrottles -= 1;
      this.calls.push({ at, service: 'cloudformation', operation: action, result: 'Throttling', message: 'Rate exceeded' });
      throw serviceError('Throttling', 'Rate exceeded');
    }
    try {
      const xml = await this.cloudformation.handle(action, input);
      const resourceStatus = /<ResourceStatus>([A-Z_]+)<\/ResourceStatus>/.exec(xml)?.[1];
      this.calls.push({ at, service: 'cloudformation', operation: action, result: 'ok', ...(resourceStatus ? { resourceStatus } : {}) });
      return xml;
    } catch (error) {
      this.calls.push({ at, service: 'cloudformation', operation: action, result: (error as ServiceError).name, message: (error as ServiceError).message });
      throw error;
    }
  }
}

/** An error as both protocols answer it: the code, the message, HTTP 400. */
export function serviceError(name: string, message: string): ServiceError {
  return { name, message, $metadata: { httpStatusCode: 400 } };
}
