/**
 * Drives the real handler (onEvent / isComplete) the way the CDK Provider framework and
 * CloudFormation do, on the fake's virtual clock.
 *
 * What it reproduces of aws-cdk-lib's provider framework (custom-resources/lib/provider-framework):
 * - onEvent runs once. If it throws, the resource is FAILED with the handler's message; a Create
 *   that failed before it had a physical id gets the framework's CREATE_FAILED marker.
 * - The framework answers a Delete of that marker itself (SUCCESS) without calling onEvent
 *   (`safeHandler` in cfn-response.js); {@link OperationOptions.markerDeletesReachHandler} turns
 *   that off to test the handler's own contract for such a Delete.
 * - A Delete whose onEvent returns another physical id is FAILED, as the framework refuses it.
 * - The waiter (a Step Functions task with Retry IntervalSeconds = 5, MaxAttempts =
 *   3590 / 5 = 718, BackoffRate 1) calls isComplete with `{ ...event, ...onEventResult }` at
 *   once, then every 5 s: IsComplete true -> SUCCESS with Data; a throw -> FAILED with the
 *   message; the 719th "not yet" -> FAILED 'Operation timed out' (the framework's onTimeout).
 * - Everything the handler receives has made a JSON round trip, as through Lambda.
 *
 * And of CloudFormation: a failed Create rolls back (10 s later by default) with a Delete of the
 * physical id the resource got; a failed Update that returned a new physical id rolls back by deleting that new
 * resource (the old one stays current), an in-place one by an Update back to the old properties.
 * A Create cancelled while it waits (another resource failed) gets an invented physical id and an
 * immediate Delete, while the Provider's waiter, which nothing stops, goes on polling.
 * {@link createStack} creates many resources at once: the first failure cancels the Creates still
 * waiting, and the rollback deletes every resource.
 *
 * CloudFormation's record of each resource (what DescribeStackResource answers, kept in the
 * fake) follows the event CloudFormation listens to: CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS /
 * DELETE_IN_PROGRESS while it waits, then CREATE_COMPLETE / UPDATE_COMPLETE / DELETE_COMPLETE or
 * CREATE_FAILED / UPDATE_FAILED / DELETE_FAILED; a cancelled Create is CREATE_FAILED ("Resource
 * creation cancelled") until its Delete starts. After a failed replacing Update the resource is
 * UPDATE_COMPLETE again (its old physical id) while the new one is deleted in the cleanup. Waiters
 * nobody listens to (duplicate delivery, cancelled Create) change nothing there. A resource that a
 * rolled-back stack update had added is gone from the stack after its Delete
 * ({@link DeployOptions.addedByStackUpdate}: DescribeStackResource then answers ValidationError).
 */
import type { ResourceStatus } from '@aws-sdk/client-cloudformation';
import type { FakeSageMaker, VirtualClock } from './fake-sagemaker';
import type {
  CreateEvent,
  DeleteEvent,
  IsCompleteRequest,
  IsCompleteResponse,
  OnEventRequest,
  OnEventResponse,
  UpdateEvent,
} from '../../lambda/compilation-job/events';
import { isComplete } from '../../lambda/compilation-job/is-complete';
import { onEvent } from '../../lambda/compilation-job/on-event';
import type { CompilationJobAttributes } from '../../src/private/contract';

export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
/** The Provider's queryInterval and totalTimeout (src/private/provider.ts). */
export const POLL_SECONDS = 5;
export const WAITER_TOTAL_TIMEOUT_SECONDS = 3590;
/** The waiter task's MaxAttempts: retries after the first call. */
export const WAITER_MAX_RETRIES = WAITER_TOTAL_TIMEOUT_SECONDS / POLL_SECONDS;
export const OPERATION_TIMED_OUT = 'Operation timed out';
/** CloudFormation's status reason for a resource whose create it gave up on. */
export const CREATION_CANCELLED = 'Resource creation cancelled';

export type RequestType = OnEventRequest['RequestType'];

/** What CloudFormation learned from one event (or what an orphaned waiter reported to nobody). */
export interface OperationOutcome {
  readonly requestType: RequestType;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly data?: CompilationJobAttributes;
  /** The handler's error message, or the framework's / CloudFormation's reason. */
  readonly reason?: string;
  /** False when the framework answered without calling the handler. */
  readonly handlerCalled: boolean;
  /** isComplete invocations. */
  readonly polls: number;
  /** Virtual seconds. */
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface OperationOptions {
  /** Let a Delete of the CREATE_FAILED marker reach onEvent (the real framework answers it itself). */
  readonly markerDeletesReachHandler?: boolean;
  /**
   * The framework fails right after onEvent returned (e.g. Step Functions' StartExecution is
   * throttled or denied, or the framework Lambda times out): the handler did its work, the
   * Create is FAILED with the CREATE_FAILED marker. Applies to Create events only.
   */
  readonly waiterStartFails?: boolean;
}

export interface DeployOptions extends OperationOptions {
  /** Roll back a failed Create or Update. @default true */
  readonly rollback?: boolean;
  /** Seconds CloudFormation takes to start the rollback after the failure. @default 10 */
  readonly rollbackDelaySeconds?: number;
  /** CloudFormation delivers the same event again this many seconds later (a second waiter runs). */
  readonly duplicateDeliveryAfterSeconds?: number;
  /** CloudFormation cancels a Create still waiting after this many seconds. */
  readonly cancelAfterSeconds?: number;
  /** The physical id CloudFormation invents for a cancelled Create. */
  readonly inventedPhysicalId?: string;
  /**
   * The Create is of a resource a stack update adds: once the rollback has deleted it, the stack
   * no longer has it (DescribeStackResource: ValidationError) instead of listing it DELETE_COMPLETE.
   */
  readonly addedByStackUpdate?: boolean;
}

export interface DeploymentResult {
  /** What CloudFormation recorded for the event. */
  readonly outcome: OperationOutcome;
  /** The operations of the rollback, in order. */
  readonly rollback: OperationOutcome[];
  /** Waiters whose answer nobody listened to (duplicate delivery, cancelled create). */
  readonly orphans: OperationOutcome[];
  /** Driver steps and API calls with virtual times. */
  readonly trace: string[];
}

type Done = (outcome: OperationOutcome) => void;

const WAITING: Record<RequestType, ResourceStatus> = { Create: 'CREATE_IN_PROGRESS', Update: 'UPDATE_IN_PROGRESS', Delete: 'DELETE_IN_PROGRESS' };
const COMPLETE: Record<RequestType, ResourceStatus> = { Create: 'CREATE_COMPLETE', Update: 'UPDATE_COMPLETE', Delete: 'DELETE_COMPLETE' };
const FAILED: Record<RequestType, ResourceStatus> = { Create: 'CREATE_FAILED', Update: 'UPDATE_FAILED', Delete: 'DELETE_FAILED' };

/** Records in the fake's CloudFormation what it now shows for the event's resource. */
function track(fake: FakeSageMaker, event: OnEventRequest, status: ResourceStatus, physicalResourceId?: string, reason?: string): void {
  fake.setResource(event.StackId, event.LogicalResourceId, { status, physicalResourceId, reason, resourceType: event.ResourceType });
}

/** CloudFormation starts waiting for the event's resource. */
function trackStart(fake: FakeSageMaker, event: OnEventRequest): void {
  track(fake, event, WAITING[event.RequestType], physicalIdOf(event));
}

/** CloudFormation received the outcome of the event it waited for. */
function trackOutcome(fake: FakeSageMaker, event: OnEventRequest, outcome: OperationOutcome, removedAfterDelete = false): void {
  if (event.RequestType === 'Delete' && outcome.status === 'SUCCESS' && removedAfterDelete) {
    fake.removeResource(event.StackId, event.LogicalResourceId);
    return;
  }
  const status = (outcome.status === 'SUCCESS' ? COMPLETE : FAILED)[event.RequestType];
  track(fake, event, status, outcome.physicalResourceId, outcome.status === 'FAILED' ? outcome.reason?.slice(0, 1024) : undefined);
}

/** Steps scheduled on virtual time, run in order; the clock jumps to each step's time. */
class Timeline {
  private readonly queue: Array<{ at: number; seq: number; step: () => Promise<void> }> = [];
  private seq = 0;

  constructor(private readonly clock: VirtualClock) {}

  schedule(at: number, step: () => Promise<void>): void {
    this.queue.push({ at, seq: this.seq++, step });
  }

  async run(): Promise<void> {
    while (this.queue.length > 0) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue.shift()!;
      if (next.at > this.clock.seconds) this.clock.advanceTo(next.at);
      await next.step();
    }
  }
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function physicalIdOf(event: OnEventRequest): string | undefined {
  return event.RequestType === 'Create' ? undefined : event.PhysicalResourceId;
}

function label(event: OnEventRequest, physicalId?: string): string {
  return `${event.RequestType}${physicalId ? ` ${physicalId}` : ''}`;
}

/** The Delete CloudFormation sends for a resource created (or attempted) by `event`. */
export function deleteEventOf(event: OnEventRequest, physicalResourceId: string): DeleteEvent {
  const rest: Partial<UpdateEvent> = { ...event as UpdateEvent };
  delete rest.OldResourceProperties;
  return { ...rest, RequestType: 'Delete', PhysicalResourceId: physicalResourceId } as DeleteEvent;
}

/** Runs one CloudFormation event through the framework: onEvent, then the waiter. */
class Provider {
  constructor(private readonly fake: FakeSageMaker, private readonly timeline: Timeline, private readonly options: OperationOptions) {}

  /** Calls onEvent now and schedules the waiter; `done` gets the outcome. */
  async start(event: OnEventRequest, done: Done): Promise<void> {
    const fake = this.fake;
    const startedAt = fake.clock.seconds;
    let polls = 0;
    let handlerCalled = false;
    const finish = (result: Pick<OperationOutcome, 'status' | 'physicalResourceId' | 'data' | 'reason'>) => {
      fake.note(`${label(event)} -> ${result.status} ${result.physicalResourceId}${result.reason ? `: ${result.reason}` : ''}`);
      done({ requestType: event.RequestType, handlerCalled, polls, startedAt, finishedAt: fake.clock.seconds, ...result });
    };

    if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER && !this.options.markerDeletesReachHandler) {
      fake.note('framework: ignoring DELETE event caused by a failed CREATE event (the handler is not called)');
      return finish({ status: 'SUCCESS', physicalResourceId: CREATE_FAILED_MARKER });
    }

    fake.note(`onEvent(${label(event, physicalIdOf(event))})`);
    let response: OnEventResponse | undefined;
    handlerCalled = true;
    try {
      response = await onEvent(roundTrip(event));
    } catch (error) {
      return finish({ status: 'FAILED', physicalResourceId: physicalIdOf(event) ?? CREATE_FAILED_MARKER, reason: messageOf(error) });
    }
    const physicalResourceId = response?.PhysicalResourceId || (event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId);
    if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
      return finish({
        status: 'FAILED',
        physicalResourceId: event.PhysicalResourceId,
        reason: `DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${physicalResourceId}" during deletion`,
      });
    }
    if (this.options.waiterStartFails && event.RequestType === 'Create') {
      return finish({
        status: 'FAILED',
        physicalResourceId: physicalIdOf(event) ?? CREATE_FAILED_MARKER,
        reason: 'Rate exceeded (states:StartExecution)',
      });
    }

    const waiterInput = { ...event, ...response, PhysicalResourceId: physicalResourceId } as IsCompleteRequest;
    const poll = async (): Promise<void> => {
      polls += 1;
      let result: IsCompleteResponse;
      try {
        result = await isComplete(roundTrip(waiterInput));
      } catch (error) {
        fake.note(`isComplete(${label(event, physicalResourceId)}) #${polls} threw`);
        return finish({ status: 'FAILED', physicalResourceId, reason: messageOf(error) });
      }
      fake.note(`isComplete(${label(event, physicalResourceId)}) #${polls} -> ${result.IsComplete ? 'complete' : 'not yet'}`);
      if (result.IsComplete) return finish({ status: 'SUCCESS', physicalResourceId, data: result.Data });
      if (polls > WAITER_MAX_RETRIES) return finish({ status: 'FAILED', physicalResourceId, reason: OPERATION_TIMED_OUT });
      this.timeline.schedule(fake.clock.seconds + POLL_SECONDS, poll);
    };
    this.timeline.schedule(fake.clock.seconds, poll);
  }
}

/** The events CloudFormation sends to roll back a failed operation. */
function rollbackEventsOf(event: OnEventRequest, outcome: OperationOutcome): OnEventRequest[] {
  if (event.RequestType === 'Create') return [deleteEventOf(event, outcome.physicalResourceId)];
  if (event.RequestType === 'Update') {
    if (outcome.physicalResourceId !== event.PhysicalResourceId) return [deleteEventOf(event, outcome.physicalResourceId)];
    return [{
      ...event,
      ResourceProperties: event.OldResourceProperties,
      OldResourceProperties: event.ResourceProperties,
    }];
  }
  return [];
}

interface TrackOptions {
  /** Whether CloudFormation's record of the resource follows this event. @default true */
  readonly tracked?: boolean;
  /** A successful Delete removes the resource from its stack. @default false */
  readonly removedAfterDelete?: boolean;
}

/** One event through the framework, to its end (no rollback). */
export async function runOperation(
  fake: FakeSageMaker, event: OnEventRequest, options: OperationOptions = {}, trackOptions: TrackOptions = {},
): Promise<OperationOutcome> {
  const timeline = new Timeline(fake.clock);
  const tracked = trackOptions.tracked ?? true;
  let outcome: OperationOutcome | undefined;
  if (tracked) trackStart(fake, event);
  await new Provider(fake, timeline, options).start(event, (o) => {
    outcome = o;
    if (tracked) trackOutcome(fake, event, o, trackOptions.removedAfterDelete);
  });
  await timeline.run();
  return outcome!;
}

/** What CloudFormation records for a Create it cancels now (CREATE_FAILED), in the fake as well. */
function cancel(fake: FakeSageMaker, event: CreateEvent, invented: string, startedAt: number): OperationOutcome {
  const cancelled: OperationOutcome = {
    requestType: 'Create',
    status: 'FAILED',
    physicalResourceId: invented,
    reason: CREATION_CANCELLED,
    handlerCalled: true,
    polls: 0,
    startedAt,
    finishedAt: fake.clock.seconds,
  };
  trackOutcome(fake, event, cancelled);
  return cancelled;
}

/** CloudFormation gives up on a Create still waiting: CREATE_FAILED, then its Delete (tracked). */
async function cancelCreate(
  fake: FakeSageMaker, provider: Provider, event: CreateEvent, invented: string, startedAt: number,
  removedAfterDelete: boolean, rollback: OperationOutcome[],
): Promise<OperationOutcome> {
  const cancelled = cancel(fake, event, invented, startedAt);
  const deletion = deleteEventOf(event, invented);
  trackStart(fake, deletion);
  await provider.start(deletion, (o) => {
    rollback.push(o);
    trackOutcome(fake, deletion, o, removedAfterDelete);
  });
  return cancelled;
}

/**
 * A stack operation around one event: the event, the waiter(s), duplicate delivery or
 * cancellation, and CloudFormation's rollback when it failed.
 */
export async function deploy(fake: FakeSageMaker, event: OnEventRequest, options: DeployOptions = {}): Promise<DeploymentResult> {
  const firstLine = fake.log.length;
  const timeline = new Timeline(fake.clock);
  const provider = new Provider(fake, timeline, options);
  const startedAt = fake.clock.seconds;
  let outcome: OperationOutcome | undefined;
  const orphans: OperationOutcome[] = [];
  const rollback: OperationOutcome[] = [];

  trackStart(fake, event);
  await provider.start(event, (o) => {
    if (outcome) return void orphans.push(o);
    outcome = o;
    trackOutcome(fake, event, o);
  });
  const duplicateAfter = options.duplicateDeliveryAfterSeconds;
  if (duplicateAfter !== undefined) {
    timeline.schedule(startedAt + duplicateAfter, async () => {
      fake.note(`CloudFormation delivers the ${event.RequestType} again`);
      await provider.start(event, (o) => orphans.push(o));
    });
  }
  const cancelAfter = options.cancelAfterSeconds;
  if (cancelAfter !== undefined) {
    if (event.RequestType !== 'Create') throw new Error('only a Create can be cancelled here');
    timeline.schedule(startedAt + cancelAfter, async () => {
      if (outcome) return; // answered in time
      const invented = options.inventedPhysicalId ?? inventedIdOf(event);
      fake.note(`CloudFormation cancels the Create; physical id ${invented}; rollback starts while the waiter goes on`);
      outcome = await cancelCreate(fake, provider, event, invented, startedAt, options.addedByStackUpdate ?? false, rollback);
    });
  }
  await timeline.run();
  if (!outcome) throw new Error('the operation never finished');

  const cancelled = outcome.reason === CREATION_CANCELLED;
  if (outcome.status === 'FAILED' && !cancelled && (options.rollback ?? true)) {
    fake.advance(options.rollbackDelaySeconds ?? 10);
    for (const rollbackEvent of rollbackEventsOf(event, outcome)) {
      fake.note(`CloudFormation rolls back: ${label(rollbackEvent, physicalIdOf(rollbackEvent))}`);
      // A replacing Update rolls back to the old physical id (UPDATE_COMPLETE) and deletes the new one in the cleanup.
      const cleanup = event.RequestType === 'Update' && rollbackEvent.RequestType === 'Delete';
      if (cleanup) track(fake, event, 'UPDATE_COMPLETE', event.PhysicalResourceId);
      rollback.push(await runOperation(fake, rollbackEvent, options, {
        tracked: !cleanup,
        removedAfterDelete: event.RequestType === 'Create' && (options.addedByStackUpdate ?? false),
      }));
    }
  }
  return { outcome, rollback, orphans, trace: fake.log.slice(firstLine) };
}

/** The physical id CloudFormation invents for a cancelled Create (logical id, random suffix). */
function inventedIdOf(event: OnEventRequest): string {
  return `${event.LogicalResourceId.slice(0, 40)}-1XQ7ZK3M9B2WD`;
}

export interface StackCreateOptions extends OperationOptions {
  /** Roll back after the first failure: cancel the waiting Creates, delete every resource. @default true */
  readonly rollback?: boolean;
  /** Seconds CloudFormation takes to start the rollback after the failure. @default 10 */
  readonly rollbackDelaySeconds?: number;
}

export interface StackCreateResult {
  /** What CloudFormation recorded for each Create, in the order of the events. */
  readonly outcomes: OperationOutcome[];
  /** The rollback's Deletes, in the order they finished. */
  readonly rollback: OperationOutcome[];
  /** Waiters whose answer nobody listened to (the cancelled Creates'). */
  readonly orphans: OperationOutcome[];
  /** Driver steps and API calls with virtual times. */
  readonly trace: string[];
}

/**
 * A stack create of several resources without dependencies between them: CloudFormation sends
 * every Create at once. The first failure cancels the Creates still waiting (their waiters go on,
 * unheard), and the rollback then deletes every resource at once.
 */
export async function createStack(fake: FakeSageMaker, events: readonly CreateEvent[], options: StackCreateOptions = {}): Promise<StackCreateResult> {
  const firstLine = fake.log.length;
  const timeline = new Timeline(fake.clock);
  const provider = new Provider(fake, timeline, options);
  const startedAt = fake.clock.seconds;
  const outcomes: Array<OperationOutcome | undefined> = events.map(() => undefined);
  const orphans: OperationOutcome[] = [];
  const rollback: OperationOutcome[] = [];
  let failed = false;

  const rollBack = async () => {
    fake.note('CloudFormation rolls back the stack: every resource is deleted');
    await Promise.all(events.map(async (event, i) => {
      const deletion = deleteEventOf(event, outcomes[i]!.physicalResourceId);
      trackStart(fake, deletion);
      await provider.start(deletion, (o) => {
        rollback.push(o);
        trackOutcome(fake, deletion, o);
      });
    }));
  };
  const onFailure = async () => {
    if (failed || !(options.rollback ?? true)) return;
    failed = true;
    for (const [i, event] of events.entries()) {
      if (outcomes[i]) continue;
      fake.note(`CloudFormation cancels the Create of ${event.LogicalResourceId}`);
      outcomes[i] = cancel(fake, event, inventedIdOf(event), startedAt);
    }
    timeline.schedule(fake.clock.seconds + (options.rollbackDelaySeconds ?? 10), rollBack);
  };

  for (const [i, event] of events.entries()) {
    trackStart(fake, event);
    await provider.start(event, (o) => {
      if (outcomes[i]) return void orphans.push(o);
      outcomes[i] = o;
      trackOutcome(fake, event, o);
      if (o.status === 'FAILED') timeline.schedule(fake.clock.seconds, onFailure);
    });
  }
  await timeline.run();
  if (outcomes.some((o) => o === undefined)) throw new Error('a Create never finished');
  return { outcomes: outcomes as OperationOutcome[], rollback, orphans, trace: fake.log.slice(firstLine) };
}
