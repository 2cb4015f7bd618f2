/**
 * The long path (a `timeout` above 59 minutes) as CloudFormation deploys it: three resources in
 * dependency order (src/private/long-run-result.ts):
 * 1. the start resource (Custom::SageMakerNeoCompilationJob, with `WaitCondition` = the logical id of 2);
 * 2. the WaitCondition (CreationPolicy: 1 signal within timeout + 300 s, at most 12 h), created once
 *    1 completed; its logical id is a hash of the Spec, so a changed Spec makes a new one;
 * 3. the result resource (Custom::SageMakerNeoCompilationResult), created or updated once 2 is signalled.
 * Any failure (or a cancellation) rolls back in reverse order: 3, then 2 (deleting a WaitCondition
 * does nothing), then 1 (Delete after a Create; Update back after an Update, then the cleanup
 * Delete of a new physical id). A successful update ends with the cleanup: the old physical ids
 * are deleted, and the old WaitCondition
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
 * The custom resources go through the driver (the real Provider framework); the WaitCondition is
 * the CloudFormation model's.
 */
import { createHash } from 'crypto';
import { durationSeconds } from './cloudformation';
import { deleteEventOf, Driver, OperationOutcome, rollbackEventOf } from './driver';
import type { CreateEvent, OnEventRequest, UpdateEvent } from '../../lambda/compilation-job/cloudformation';
import type { CompilationJobSpec, CompilationResultSpec, LongRunAttributes } from '../../src/private/contract';
import { RESOURCE_TYPE, RESULT_RESOURCE_TYPE, waitConditionTimeoutSeconds } from '../../src/private/contract';

export const LONG_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/NeoStack/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7';
export const LONG_SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-CompilationJobProviderframeworkonEvent-AbC123';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:NeoStackLongRunStateMachine';

/** One CompilationJob on the long path: its Spec (with `longRun`) and its construct's logical id. */
export interface LongJob {
  readonly spec: CompilationJobSpec;
  /** The start resource's logical id; the result's is `<id>Result`, the WaitCondition's `<id>Compiled<hash>`. */
  readonly logicalId: string;
  readonly stackId?: string;
}

/** What the stack holds of one long-path job after a successful operation. */
export interface LongState {
  readonly job: LongJob;
  readonly start: { readonly physicalId: string; readonly data: LongRunAttributes; readonly event: OnEventRequest };
  readonly waitCondition: string;
  readonly result: { readonly physicalId: string; readonly event: OnEventRequest };
}

/** What a stack delete needs of a job: its start resource, and its WaitCondition and result if they exist. */
export interface PartialState {
  readonly job: LongJob;
  readonly start: { readonly physicalId: string; readonly event: OnEventRequest };
  readonly waitCondition?: string;
  readonly result?: { readonly physicalId: string; readonly event: OnEventRequest };
}

/** Every operation of one stack operation, in the order CloudFormation finished them. */
export interface LongOperation {
  readonly status: 'SUCCESS' | 'FAILED';
  /** The first failure's reason (a resource's, or a WaitCondition's). */
  readonly reason?: string;
  /** Which resource failed first: 'start' | 'waitCondition' | 'result'. */
  readonly failedResource?: 'start' | 'waitCondition' | 'result';
  /** The stack after the operation (undefined when it failed: see `rollback`). */
  readonly states: LongState[];
  readonly outcomes: Array<{ readonly resource: string; readonly outcome: OperationOutcome }>;
  /** The WaitConditions' ends. */
  readonly waits: Array<{ readonly logicalId: string; readonly status: 'SUCCESS' | 'FAILED'; readonly reason?: string; readonly at: number }>;
  readonly rollback: Array<{ readonly resource: string; readonly outcome: OperationOutcome }>;
  readonly cleanup: Array<{ readonly resource: string; readonly outcome: OperationOutcome }>;
  readonly finishedAt: number;
  readonly trace: string[];
  /** The start resources' events, by logical id. */
  readonly startEvents: ReadonlyMap<string, OnEventRequest>;
}

export interface LongDeployOptions {
  /** Roll back on failure. @default true */
  readonly rollback?: boolean;
  /** The user cancels the stack operation this many seconds after it started (an Update), or another resource fails (a Create). */
  readonly cancelAfterSeconds?: number;
  /** Seconds CloudFormation takes to start the rollback. @default 10 */
  readonly rollbackDelaySeconds?: number;
  /** Return at this virtual second, with runs (and steps) due later still pending. @default when nothing is left */
  readonly returnAt?: number;
  /**
   * Seconds CloudFormation takes to begin creating a job's WaitCondition once its start resource
   * completed (it schedules the next resource; seconds to minutes). Until then the WaitCondition
   * does not exist: DescribeStackResource and SignalResource answer ValidationError.
   * @default DEFAULT_WAIT_CONDITION_BEGIN_SECONDS for every job
   */
  readonly waitConditionBeginSeconds?: number | ((job: LongJob, index: number) => number);
}

/** How long CloudFormation takes to begin a WaitCondition when a scenario does not say. */
export const DEFAULT_WAIT_CONDITION_BEGIN_SECONDS = 3;

export function waitConditionIdOf(job: LongJob): string {
  return `${job.logicalId}Compiled${createHash('sha256').update(JSON.stringify(JSON.stringify(job.spec))).digest('hex').slice(0, 8)}`;
}

/** The WaitCondition's CreationPolicy Timeout, as long-run-result.ts writes it. */
export function waitConditionTimeoutOf(spec: CompilationJobSpec): string {
  return `PT${waitConditionTimeoutSeconds(spec.timeoutSeconds)}S`;
}

function common(job: LongJob, requestId: string) {
  return {
    ServiceToken: LONG_SERVICE_TOKEN,
    ResponseURL: 'https://example.invalid/response',
    StackId: job.stackId ?? LONG_STACK_ID,
    RequestId: requestId,
  };
}

function startProperties(job: LongJob) {
  return { ServiceToken: LONG_SERVICE_TOKEN, Spec: JSON.stringify(job.spec), WaitCondition: waitConditionIdOf(job) };
}

function resultProperties(job: LongJob, data: LongRunAttributes) {
  const result: CompilationResultSpec = {
    compilationJobName: data.CompilationJobName,
    executionArn: data.ExecutionArn,
    deadline: data.Deadline,
    timeoutSeconds: job.spec.timeoutSeconds,
    waitCondition: waitConditionIdOf(job),
  };
  return { ServiceToken: LONG_SERVICE_TOKEN, Result: JSON.stringify(result) };
}

type Resource = 'start' | 'waitCondition' | 'result';

/** Drives the long path's stack operations on a driver. */
export class LongPath {
  private requests = 0;

  constructor(private readonly driver: Driver) {}

  /** A stack create (or the update that adds the jobs): every job's three resources, the jobs in parallel. */
  async create(jobs: readonly LongJob[], options: LongDeployOptions = {}): Promise<LongOperation> {
    return this.operate(jobs.map((job) => ({ job })), options);
  }

  /** A stack update of jobs deployed before to new specs (same logical ids). */
  async update(
    changes: ReadonlyArray<{ readonly from: LongState; readonly spec: CompilationJobSpec }>, options: LongDeployOptions = {},
  ): Promise<LongOperation> {
    return this.operate(changes.map(({ from, spec }) => ({ job: { ...from.job, spec }, from })), options);
  }

  /** A stack delete: result, WaitCondition, start, each job in parallel (what exists of them). */
  async delete(states: ReadonlyArray<PartialState>): Promise<LongOperation> {
    const firstLine = this.driver.log.length;
    const d = this.driver;
    const outcomes: LongOperation['outcomes'][number][] = [];
    for (const state of states) {
      const stackId = state.job.stackId ?? LONG_STACK_ID;
      const deleteStart = () => d.schedule(d.clock.seconds, async () => {
        if (state.waitCondition) this.deleteWaitCondition(stackId, state.waitCondition);
        await d.send(deleteEventOf(state.start.event, state.start.physicalId, this.requestId()), (s) => outcomes.push({ resource: 'start', outcome: s }));
      });
      if (!state.result) {
        deleteStart();
        continue;
      }
      const result = state.result;
      d.schedule(d.clock.seconds, async () => {
        await d.send(deleteEventOf(result.event, result.physicalId, this.requestId()), (o) => {
          outcomes.push({ resource: 'result', outcome: o });
          deleteStart();
        });
      });
    }
    await d.runTimeline();
    const failed = outcomes.find((o) => o.outcome.status === 'FAILED');
    return {
      status: failed ? 'FAILED' : 'SUCCESS',
      reason: failed?.outcome.reason,
      states: [],
      outcomes,
      waits: [],
      rollback: [],
      cleanup: [],
      startEvents: new Map(),
      finishedAt: d.clock.seconds,
      trace: d.log.slice(firstLine),
    };
  }

  /** What a failed Create left when it was not rolled back: the start resource (and the WaitCondition). */
  leftBy(op: LongOperation, job: LongJob): PartialState {
    const start = op.outcomes.find((o) => o.resource === 'start' && o.outcome.status === 'SUCCESS');
    if (!start || !op.startEvents.has(job.logicalId)) throw new Error('the start resource was not created');
    const event = op.startEvents.get(job.logicalId)!;
    return { job, start: { physicalId: start.outcome.physicalResourceId, event }, waitCondition: waitConditionIdOf(job) };
  }

  private requestId(): string {
    this.requests += 1;
    return `long-request-${String(this.requests).padStart(4, '0')}`;
  }

  private deleteWaitCondition(stackId: string, logicalId: string): void {
    // Deleting a WaitCondition does nothing but remove it.
    this.driver.cloudformation.remove(stackId, logicalId);
    this.driver.note(`WaitCondition ${logicalId} deleted`);
  }

  private async operate(items: ReadonlyArray<{ job: LongJob; from?: LongState }>, options: LongDeployOptions): Promise<LongOperation> {
    const d = this.driver;
    const firstLine = d.log.length;
    const startedAt = d.clock.seconds;
    const outcomes: LongOperation['outcomes'][number][] = [];
    const rollback: LongOperation['rollback'][number][] = [];
    const cleanup: LongOperation['cleanup'][number][] = [];
    const waits: LongOperation['waits'][number][] = [];
    const states: Array<LongState | undefined> = items.map(() => undefined);
    let failure: { reason?: string; resource: Resource } | undefined;
    let cancelled = false;

    interface Progress {
      start?: { event: OnEventRequest; outcome?: OperationOutcome; operation?: Awaited<ReturnType<Driver['send']>> };
      waitCondition?: string;
      result?: { event: OnEventRequest; outcome?: OperationOutcome; operation?: Awaited<ReturnType<Driver['send']>> };
    }
    const progress: Progress[] = items.map(() => ({}));

    const fail = (resource: Resource, reason?: string) => {
      if (failure) return;
      failure = { reason, resource };
      // Other resources in progress are cancelled.
      for (const [i, item] of items.entries()) {
        const p = progress[i];
        const stackId = item.job.stackId ?? LONG_STACK_ID;
        if (p.waitCondition) d.cloudformation.cancelWait(stackId, p.waitCondition);
        for (const r of [p.start, p.result]) {
          if (r?.operation && !r.outcome) {
            r.outcome = d.cancel(r.operation, `${r.event.LogicalResourceId}-1XQ7ZK3M9B2WD`);
            r.operation.listeners = [];
          }
        }
      }
      if (options.rollback ?? true) d.schedule(d.clock.seconds + (options.rollbackDelaySeconds ?? 10), async () => rollBack());
    };

    const rollBack = async () => {
      d.note('CloudFormation rolls back the stack operation');
      for (const [i, item] of items.entries()) {
        const p = progress[i];
        const stackId = item.job.stackId ?? LONG_STACK_ID;
        const undoStart = () => d.schedule(d.clock.seconds, async () => {
          if (p.waitCondition) this.deleteWaitCondition(stackId, p.waitCondition);
          if (!p.start?.outcome) return;
          const event = p.start.event;
          if (event.RequestType === 'Create') {
            await d.send(deleteEventOf(event, p.start.outcome.physicalResourceId, this.requestId()), (o) => rollback.push({ resource: 'start', outcome: o }));
            return;
          }
          const update = event as UpdateEvent;
          // The Update back: the old properties; the physical id CloudFormation has (the new one if the Update answered SUCCESS).
          const current = p.start.outcome.status === 'SUCCESS' ? p.start.outcome.physicalResourceId : update.PhysicalResourceId;
          if (p.start.outcome.status === 'FAILED' && p.start.outcome.physicalResourceId !== update.PhysicalResourceId) {
            d.cloudformation.set(stackId, event.LogicalResourceId, RESOURCE_TYPE, 'UPDATE_COMPLETE', update.PhysicalResourceId);
            await d.send(deleteEventOf(event, p.start.outcome.physicalResourceId, this.requestId()), (o) => rollback.push({ resource: 'start', outcome: o }), { untracked: true });
            return;
          }
          await d.send({ ...rollbackEventOf(update), RequestId: this.requestId(), PhysicalResourceId: current }, (o) => {
            rollback.push({ resource: 'start', outcome: o });
            if (o.status === 'SUCCESS' && o.physicalResourceId !== current) {
              d.schedule(d.clock.seconds, async () => {
                await d.send(deleteEventOf(event, current, this.requestId()), (c) => rollback.push({ resource: 'start cleanup', outcome: c }), { untracked: true });
              });
            }
          });
        });
        if (p.result?.outcome) {
          const event = p.result.event;
          const outcome = p.result.outcome;
          if (event.RequestType === 'Create') {
            await d.send(deleteEventOf(event, outcome.physicalResourceId, this.requestId()), (o) => { rollback.push({ resource: 'result', outcome: o }); undoStart(); });
          } else {
            const update = event as UpdateEvent;
            await d.send({ ...rollbackEventOf(update), RequestId: this.requestId(), PhysicalResourceId: outcome.status === 'SUCCESS' ? outcome.physicalResourceId : update.PhysicalResourceId },
              (o) => { rollback.push({ resource: 'result', outcome: o }); undoStart(); });
          }
        } else {
          undoStart();
        }
      }
    };

    const succeeded = () => {
      if (failure || states.some((s) => s === undefined)) return;
      // The cleanup: old physical ids and old WaitConditions.
      for (const [i, item] of items.entries()) {
        const from = item.from;
        const state = states[i]!;
        if (!from) continue;
        const stackId = item.job.stackId ?? LONG_STACK_ID;
        d.schedule(d.clock.seconds, async () => {
          if (from.waitCondition !== state.waitCondition) this.deleteWaitCondition(stackId, from.waitCondition);
          if (from.result.physicalId !== state.result.physicalId) {
            await d.send(deleteEventOf(state.result.event, from.result.physicalId, this.requestId()), (o) => cleanup.push({ resource: 'result', outcome: o }), { untracked: true });
          }
          if (from.start.physicalId !== state.start.physicalId) {
            await d.send(deleteEventOf(state.start.event, from.start.physicalId, this.requestId()), (o) => cleanup.push({ resource: 'start', outcome: o }), { untracked: true });
          }
        });
      }
    };

    for (const [i, { job, from }] of items.entries()) {
      const p = progress[i];
      const stackId = job.stackId ?? LONG_STACK_ID;
      const base = {
        ...common(job, this.requestId()), LogicalResourceId: job.logicalId, ResourceType: RESOURCE_TYPE, ResourceProperties: startProperties(job),
      };
      const startEvent: OnEventRequest = from
        ? { ...base, RequestType: 'Update', PhysicalResourceId: from.start.physicalId, OldResourceProperties: from.start.event.ResourceProperties } as UpdateEvent
        : { ...base, RequestType: 'Create' } as CreateEvent;
      const waitCondition = waitConditionIdOf(job);

      const createResult = (data: LongRunAttributes, startPhysicalId: string) => {
        const rbase = { ...common(job, this.requestId()), LogicalResourceId: `${job.logicalId}Result`, ResourceType: RESULT_RESOURCE_TYPE, ResourceProperties: resultProperties(job, data) };
        const event: OnEventRequest = from
          ? { ...rbase, RequestType: 'Update', PhysicalResourceId: from.result.physicalId, OldResourceProperties: from.result.event.ResourceProperties } as unknown as UpdateEvent
          : { ...rbase, RequestType: 'Create' } as unknown as CreateEvent;
        p.result = { event };
        d.schedule(d.clock.seconds, async () => {
          p.result!.operation = await d.send(event, (o) => {
            if (p.result!.outcome) return;
            p.result!.outcome = o;
            outcomes.push({ resource: 'result', outcome: o });
            if (o.status === 'FAILED') return fail('result', o.reason);
            states[i] = {
              job,
              start: { physicalId: startPhysicalId, data, event: startEvent },
              waitCondition,
              result: { physicalId: o.physicalResourceId, event },
            };
            succeeded();
          });
        });
      };

      p.start = { event: startEvent };
      d.schedule(d.clock.seconds, async () => {
        p.start!.operation = await d.send(startEvent, (o) => {
          if (p.start!.outcome) return;
          p.start!.outcome = o;
          outcomes.push({ resource: 'start', outcome: o });
          if (o.status === 'FAILED') return fail('start', o.reason);
          if (failure) return;
          const data = o.data as unknown as LongRunAttributes;
          if (from && from.waitCondition === waitCondition) return createResult(data, o.physicalResourceId);
          // The WaitCondition depends on the start resource: it begins creating a little later, and its
          // Timeout counts from then (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-creationpolicy.html).
          const begin = options.waitConditionBeginSeconds ?? DEFAULT_WAIT_CONDITION_BEGIN_SECONDS;
          d.schedule(d.clock.seconds + (typeof begin === 'number' ? begin : begin(job, i)), async () => {
            if (failure) return;
            p.waitCondition = waitCondition;
            const timeout = d.schedule(d.clock.seconds + durationSeconds(waitConditionTimeoutOf(job.spec)), async () => {
              d.cloudformation.timeOut(stackId, waitCondition);
            });
            d.cloudformation.startWaiting(stackId, waitCondition, 1, (w) => {
              timeout.cancelled = true;
              waits.push({ logicalId: waitCondition, ...w });
              if (w.status === 'FAILED') {
                if (!failure) fail('waitCondition', w.reason);
                return;
              }
              p.waitCondition = undefined;
              createResult(data, o.physicalResourceId);
            });
          });
        });
      });
    }

    if (options.cancelAfterSeconds !== undefined) {
      d.schedule(startedAt + options.cancelAfterSeconds, async () => {
        if (failure || states.every((s) => s !== undefined)) return;
        cancelled = true;
        d.note('The stack operation is cancelled');
        fail(progress.some((p) => p.waitCondition) ? 'waitCondition' : 'start', 'Resource creation cancelled');
      });
    }

    await d.runTimeline(options.returnAt);
    return {
      status: failure || cancelled ? 'FAILED' : 'SUCCESS',
      reason: failure?.reason,
      failedResource: failure?.resource,
      states: failure ? [] : states as LongState[],
      outcomes,
      waits,
      rollback,
      cleanup,
      finishedAt: d.clock.seconds,
      trace: d.log.slice(firstLine),
      startEvents: new Map(items.map(({ job }, i) => [job.logicalId, progress[i].start!.event])),
    };
  }
}
