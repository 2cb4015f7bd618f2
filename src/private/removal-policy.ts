import { RemovalPolicy } from 'aws-cdk-lib';
import { JobRemovalPolicy } from './contract';

/** How a RemovalPolicy applies to a job: what the handler does with the record, what CloudFormation does with the resource. */
export interface JobRemoval {
  /** On a Delete, the handler stops a running job, then deletes its record or keeps it. */
  readonly record: JobRemovalPolicy;
  /** The custom resource's own policy: whether CloudFormation sends the Delete at all. */
  readonly resource: RemovalPolicy;
  /** Why the policy cannot apply to a job: the construct rejects it at synth time. */
  readonly rejected?: string;
}

/**
 * Every RemovalPolicy, mapped explicitly. DESTROY and RETAIN reach the handler, which always
 * stops a running job. RETAIN_ON_UPDATE_OR_DELETE is CloudFormation's RetainExceptOnCreate:
 * CloudFormation itself keeps the resource on update and delete, and only the rollback of the
 * operation that created it reaches the handler, which then deletes the record as well.
 */
const JOB_REMOVALS: Record<RemovalPolicy, JobRemoval> = {
  [RemovalPolicy.DESTROY]: { record: 'destroy', resource: RemovalPolicy.DESTROY },
  [RemovalPolicy.RETAIN]: { record: 'retain', resource: RemovalPolicy.DESTROY },
  [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]: { record: 'destroy', resource: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE },
  [RemovalPolicy.SNAPSHOT]: {
    record: 'destroy',
    resource: RemovalPolicy.DESTROY,
    rejected: 'SNAPSHOT does not apply: a compilation job has no data to snapshot (use DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE)',
  },
};

/** How `policy` applies to a job. */
export function jobRemovalOf(policy: RemovalPolicy = RemovalPolicy.DESTROY): JobRemoval {
  return JOB_REMOVALS[policy];
}
