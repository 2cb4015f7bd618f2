/**
 * CloudFormation's side of a custom resource, modelled from its documentation:
 * - what it records of each resource (DescribeStackResource: status, physical id, and
 *   LastUpdatedTimestamp, "the time the status was updated"):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDetail.html
 * - the response it waits for at the ResponseURL, for at most the resource's ServiceTimeout:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html
 * - a WaitCondition with a CreationPolicy: it waits for `Count` SUCCESS signals for at most `Timeout`,
 *   counted from when it starts creating; a FAILURE signal, or the timeout, fails it (CREATE_FAILED),
 *   which fails the stack operation and rolls it back; it cannot be updated (a new logical id is a new
 *   resource), and deleting it does nothing:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-waitcondition.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-creationpolicy.html
 * - SignalResource ("each signal requires a different unique ID"; a resource that no longer waits
 *   refuses the signal with a ValidationError):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_SignalResource.html
 * The operations (Create, Update, Delete, rollback, cancellation) are in ./driver.ts. Every request
 * of the awsQuery API ({@link CloudFormationModel.handle}) goes through the model gate
 * (../fault/model-gate.ts): a 65-character UniqueId is refused as CloudFormation refuses it.
 */
import type { ServiceError } from './aws-endpoint';
import { loadApiModel } from '../fault/api-model';
import { ModelValidationError, served } from '../fault/model-gate';

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export interface ResourceRecord {
  readonly status: ResourceStatus;
  readonly physicalResourceId?: string;
  readonly reason?: string;
  /** Epoch ms of the last status change. */
  readonly updatedAt: number;
}

/** The body cfn-response PUTs to the ResponseURL. */
export interface CfnResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, string>;
}

export interface ReceivedResponse {
  readonly raw: string;
  readonly body: CfnResponseBody;
  readonly contentLength: number;
  /** Virtual second it arrived. */
  readonly at: number;
}

function cfnError(name: string, message: string): ServiceError {
  return { name, message, $metadata: { httpStatusCode: 400 } };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const WAIT_CONDITION_TYPE = 'AWS::CloudFormation::WaitCondition';

/** How a WaitCondition's wait ended. */
export interface WaitOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  /** Virtual second. */
  readonly at: number;
}

interface Waiting {
  readonly count: number;
  readonly signals: Set<string>;
  readonly onEnd: (outcome: WaitOutcome) => void;
}

/** `PT<n>S` (the form CreationPolicy's Timeout takes in the synthesized template) in seconds. */
export function durationSeconds(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  if (!m) throw new Error(`not an ISO 8601 duration: ${iso}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export class CloudFormationModel {
  /** WaitConditions CREATE_IN_PROGRESS, by `<stack>|<logical id>`. */
  private readonly waiting = new Map<string, Waiting>();
  /** Every SignalResource call (virtual second, logical id, status, unique id, result). */
  readonly signals: Array<{ at: number; logicalId: string; status: string; uniqueId: string; result: string }> = [];

  private readonly resources = new Map<string, ResourceRecord & { readonly type: string }>();
  /** Stacks that exist, by id. */
  private readonly stacks = new Set<string>();
  /** DescribeStackResource calls (virtual second, result). */
  readonly calls: Array<{ at: number; operation: string; result: string; status?: string; logicalId?: string }> = [];
  /** Calls of DescribeStackResource still to be answered with Throttling. */
  throttleNext = 0;
  /** Calls of SignalResource still to be answered with Throttling (before anything else is checked). */
  throttleSignals = 0;

  constructor(private readonly now: () => number, private readonly seconds: () => number, private readonly note: (text: string) => void = () => {}) {}

  set(stackId: string, logicalId: string, type: string, status: ResourceStatus, physicalResourceId?: string, reason?: string): void {
    this.stacks.add(stackId);
    this.resources.set(`${stackId}|${logicalId}`, { status, physicalResourceId, reason, type, updatedAt: this.now() });
  }

  /** The stack no longer has the resource (a rolled-back stack update had added it). */
  remove(stackId: string, logicalId: string): void {
    this.resources.delete(`${stackId}|${logicalId}`);
  }

  get(stackId: string, logicalId: string): ResourceRecord | undefined {
    return this.resources.get(`${stackId}|${logicalId}`);
  }

  /**
   * A WaitCondition starts creating: it waits for `count` SUCCESS signals. The caller (the driver)
   * ends it with `timeOut` at its CreationPolicy's Timeout, or `cancel` when the stack operation is cancelled.
   */
  startWaiting(stackId: string, logicalId: string, count: number, onEnd: (outcome: WaitOutcome) => void): void {
    this.set(stackId, logicalId, WAIT_CONDITION_TYPE, 'CREATE_IN_PROGRESS');
    this.waiting.set(`${stackId}|${logicalId}`, { count, signals: new Set(), onEnd });
    this.note(`WaitCondition ${logicalId} waits for ${count} signal(s)`);
  }

  isWaiting(stackId: string, logicalId: string): boolean {
    return this.waiting.has(`${stackId}|${logicalId}`);
  }

  /** The CreationPolicy's Timeout passed without enough signals. */
  timeOut(stackId: string, logicalId: string): void {
    const waiting = this.waiting.get(`${stackId}|${logicalId}`);
    if (!waiting) return;
    this.endWait(stackId, logicalId, 'FAILED', `Failed to receive ${waiting.count} resource signal(s) within the specified duration`);
  }

  /** The stack operation was cancelled (or another resource failed) while the WaitCondition waited. */
  cancelWait(stackId: string, logicalId: string): boolean {
    if (!this.waiting.has(`${stackId}|${logicalId}`)) return false;
    this.endWait(stackId, logicalId, 'FAILED', 'Resource creation cancelled');
    return true;
  }

  /** SignalResource. */
  signal(input: { StackName: string; LogicalResourceId: string; UniqueId: string; Status: string }): void {
    const key = `${input.StackName}|${input.LogicalResourceId}`;
    const waiting = this.waiting.get(key);
    const record = this.resources.get(key);
    const log = (result: string) => {
      this.signals.push({ at: this.seconds(), logicalId: input.LogicalResourceId, status: input.Status, uniqueId: input.UniqueId, result });
      this.note(`  cloudformation.SignalResource(${input.LogicalResourceId.slice(0, 32)}, ${input.Status}) -> ${result}`);
    };
    if (this.throttleSignals > 0) {
      this.throttleSignals -= 1;
      log('Throttling');
      throw cfnError('Throttling', 'Rate exceeded');
    }
    // The request's own constraints (a UniqueId of at most 64 characters...) are checked before this, by the model gate.
    if (!waiting) {
      log('ValidationError');
      throw cfnError('ValidationError', record
        ? `Resource ${input.LogicalResourceId} is in ${record.status} state and can not be signaled`
        : `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
    }
    log('ok');
    if (input.Status === 'FAILURE') {
      this.endWait(input.StackName, input.LogicalResourceId, 'FAILED', `Received FAILURE signal with UniqueId ${input.UniqueId}`);
      return;
    }
    waiting.signals.add(input.UniqueId); // the same unique id counts once
    if (waiting.signals.size >= waiting.count) this.endWait(input.StackName, input.LogicalResourceId, 'SUCCESS');
  }

  private endWait(stackId: string, logicalId: string, status: 'SUCCESS' | 'FAILED', reason?: string): void {
    const key = `${stackId}|${logicalId}`;
    const waiting = this.waiting.get(key)!;
    this.waiting.delete(key);
    const name = /stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
    // A WaitCondition's physical id is its own ARN-like name.
    this.set(stackId, logicalId, WAIT_CONDITION_TYPE, status === 'SUCCESS' ? 'CREATE_COMPLETE' : 'CREATE_FAILED', `${name}-${logicalId}`, reason);
    this.note(`WaitCondition ${logicalId} -> ${status === 'SUCCESS' ? 'CREATE_COMPLETE' : `CREATE_FAILED: ${reason}`}`);
    waiting.onEnd({ status, reason, at: this.seconds() });
  }

  /**
   * DescribeStackResource's answer: the resource's record, or CloudFormation's ValidationError for
   * a resource the stack does not have (not begun yet, or deleted) or a stack id it does not know.
   */
  describe(input: { StackName: string; LogicalResourceId: string }): ResourceRecord & { readonly type: string } {
    const record = this.resources.get(`${input.StackName}|${input.LogicalResourceId}`);
    if (record) return record;
    throw cfnError('ValidationError', this.stacks.has(input.StackName)
      ? `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`
      : `Stack with id ${input.StackName} does not exist`);
  }

  /**
   * The awsQuery API: DescribeStackResource (the handler's one call) and SignalResource (a run's),
   * through the model gate: the form read as the operation's input shape, the request refused as
   * CloudFormation refuses an invalid one (ValidationError), the answer checked against the output shape.
   */
  async handle(action: string, form: Record<string, string>): Promise<string> {
    const at = this.seconds();
    const model = loadApiModel('cloudformation');
    if (model && !model.hasOperation(action)) {
      this.calls.push({ at, operation: action, result: 'unsupported' });
      throw cfnError('InvalidAction', `Could not find operation ${action} for version 2010-05-15`);
    }
    const { Action: _action, Version: _version, ...rest } = form;
    const input = model ? model.fromQuery(action, form) : rest;
    const before = this.calls.length;
    try {
      const output = await served('cloudformation', action, input, () => this.answer(action, input as Record<string, string>, at));
      return queryXml(action, output);
    } catch (error) {
      if (error instanceof ModelValidationError) {
        // Refused at the door: recorded as the model records its own refusals.
        if (action === 'DescribeStackResource') this.calls.push({ at, operation: action, result: error.name });
        if (action === 'SignalResource') {
          const [logicalId, status, uniqueId] = [input.LogicalResourceId, input.Status, input.UniqueId].map(String);
          this.signals.push({ at, logicalId, status, uniqueId, result: error.name });
          this.note(`  cloudformation.SignalResource(${String(input.LogicalResourceId).slice(0, 32)}, ${String(input.Status)}) -> ${error.name} (API model)`);
        }
      }
      throw error;
    } finally {
      const call = this.calls[before];
      if (call) Object.assign(call, { logicalId: input.LogicalResourceId });
      if (call) this.note(`  cloudformation.${action}(${String(input.LogicalResourceId).slice(0, 24)}) -> ${call.result}${call.status ? ` ${call.status}` : ''}`);
    }
  }

  private answer(action: string, input: Record<string, string>, at: number): object {
    if (action === 'SignalResource') {
      this.signal(input as unknown as SignalInput);
      return {};
    }
    if (action !== 'DescribeStackResource') {
      this.calls.push({ at, operation: action, result: 'unsupported' });
      throw cfnError('InvalidAction', `the model does not implement ${action}`);
    }
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      this.calls.push({ at, operation: action, result: 'Throttling' });
      throw cfnError('Throttling', 'Rate exceeded');
    }
    const stackId = input.StackName;
    let record: ResourceRecord & { readonly type: string };
    try {
      record = this.describe(input as { StackName: string; LogicalResourceId: string });
    } catch (error) {
      this.calls.push({ at, operation: action, result: (error as ServiceError).name });
      throw error;
    }
    this.calls.push({ at, operation: action, result: 'ok', status: record.status });
    return {
      StackResourceDetail: {
        StackName: /stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId,
        StackId: stackId,
        LogicalResourceId: input.LogicalResourceId,
        PhysicalResourceId: record.physicalResourceId,
        ResourceType: record.type,
        LastUpdatedTimestamp: new Date(record.updatedAt),
        ResourceStatus: record.status,
        ResourceStatusReason: record.reason,
        Metadata: '{}',
      },
    };
  }
}

type SignalInput = { StackName: string; LogicalResourceId: string; UniqueId: string; Status: string };

/** An awsQuery answer: `<ActionResponse><ActionResult>members</ActionResult><ResponseMetadata>`; lists as `<member>`. */
function queryXml(action: string, output: object): string {
  const body = (value: unknown): string => {
    if (Array.isArray(value)) return value.map((item) => `<member>${body(item)}</member>`).join('');
    if (value instanceof Date) return value.toISOString();
    if (value !== null && typeof value === 'object') {
      return Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `<${k}>${body(v)}</${k}>`).join('');
    }
    return xml(String(value));
  };
  const result = Object.keys(output).length > 0 ? `<${action}Result>${body(output)}</${action}Result>` : '';
  return `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">${result}` +
    `<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></${action}Response>`;
}
