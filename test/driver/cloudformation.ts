/**
 * CloudFormation's side of a custom resource, modelled from its documentation:
 * - what it records of each resource (DescribeStackResource: status, physical id, and
 *   LastUpdatedTimestamp, "the time the status was updated"):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDetail.html
 * - the response it waits for at the ResponseURL, for at most the resource's ServiceTimeout:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html
 * The operations (Create, Update, Delete, rollback, cancellation) are in ./driver.ts.
 */
import type { ServiceError } from './aws-endpoint';

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

export class CloudFormationModel {
  private readonly resources = new Map<string, ResourceRecord & { readonly type: string }>();
  /** Stacks that exist, by id. */
  private readonly stacks = new Set<string>();
  /** DescribeStackResource calls (virtual second, result). */
  readonly calls: Array<{ at: number; operation: string; result: string; status?: string; logicalId?: string }> = [];
  /** Calls of DescribeStackResource still to be answered with Throttling. */
  throttleNext = 0;

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

  /** The awsQuery API: DescribeStackResource only (the one call the handler makes). */
  async handle(action: string, input: Record<string, string>): Promise<string> {
    const at = this.seconds();
    const before = this.calls.length;
    try {
      return await this.answer(action, input, at);
    } finally {
      const call = this.calls[before];
      if (call) Object.assign(call, { logicalId: input.LogicalResourceId });
      if (call) this.note(`  cloudformation.${action}(${input.LogicalResourceId?.slice(0, 24)}) -> ${call.result}${call.status ? ` ${call.status}` : ''}`);
    }
  }

  private async answer(action: string, input: Record<string, string>, at: number): Promise<string> {
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
    const record = this.resources.get(`${stackId}|${input.LogicalResourceId}`);
    if (!record) {
      this.calls.push({ at, operation: action, result: 'ValidationError' });
      throw cfnError('ValidationError', this.stacks.has(stackId)
        ? `Resource ${input.LogicalResourceId} does not exist for stack ${stackId}`
        : `Stack with id ${stackId} does not exist`);
    }
    this.calls.push({ at, operation: action, result: 'ok', status: record.status });
    const name = /stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
    return '<DescribeStackResourceResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackResourceResult><StackResourceDetail>' +
      `<StackName>${xml(name)}</StackName><StackId>${xml(stackId)}</StackId><LogicalResourceId>${xml(input.LogicalResourceId)}</LogicalResourceId>` +
      (record.physicalResourceId ? `<PhysicalResourceId>${xml(record.physicalResourceId)}</PhysicalResourceId>` : '') +
      `<ResourceType>${xml(record.type)}</ResourceType><LastUpdatedTimestamp>${new Date(record.updatedAt).toISOString()}</LastUpdatedTimestamp>` +
      `<ResourceStatus>${record.status}</ResourceStatus>${record.reason ? `<ResourceStatusReason>${xml(record.reason)}</ResourceStatusReason>` : ''}` +
      '<Metadata>{}</Metadata></StackResourceDetail></DescribeStackResourceResult><ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></DescribeStackResourceResponse>';
  }
}
