import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { COMPILATION_JOB_LOG_GROUP, JOB_NAME_SCOPE_ENV, MAX_JOB_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS } from './contract';
import { executionRolesArn, isExecutionRoleOf } from './execution-role';
import { createHandlerProvider } from './handler-provider';
import { LongRunStateMachine } from './long-run';
import { acknowledgeWildcardResources } from './nag';
import { stackJobNamePrefix } from './naming';

/** The SageMaker Python SDK's poll interval; SageMaker emits no event for compilation jobs. */
export const POLL_INTERVAL = Duration.seconds(POLL_INTERVAL_SECONDS);
/** CloudFormation's own wait for the resource: its 3600 s cap. */
export const SERVICE_TIMEOUT = Duration.seconds(3600);
/** The longest one isComplete poll may run (the isComplete function's timeout). */
export const IS_COMPLETE_TIMEOUT = Duration.seconds(40);
/**
 * The Provider's waiter, the ceiling for every job of the stack. Deadlines in this order:
 * the handler's (a job's `timeout`, at most MAX_JOB_TIMEOUT_SECONDS from the operation's start,
 * noticed within a poll), then the waiter's (its retries alone take this long), then
 * CloudFormation's: waiter + one poll in flight < SERVICE_TIMEOUT. So a deployment that runs out
 * of time fails with the handler's message, which names the job and why, never with a bare
 * "Operation timed out" or CloudFormation's own timeout.
 */
export const PROVIDER_TOTAL_TIMEOUT = Duration.seconds(MAX_JOB_TIMEOUT_SECONDS + 2 * POLL_INTERVAL_SECONDS);


/** SageMaker actions the handler calls, all on compilation-job resources. */
const HANDLER_ACTIONS = [
  'sagemaker:CreateCompilationJob',
  'sagemaker:DescribeCompilationJob',
  'sagemaker:StopCompilationJob',
  'sagemaker:DeleteCompilationJob',
  'sagemaker:AddTags',
  'sagemaker:DeleteTags',
];

/**
 * The custom resource provider of a stack's compilation jobs: one per stack, shared by all of
 * them, so N jobs cost one set of Lambda functions and one waiter state machine.
 */
export class CompilationJobProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): CompilationJobProvider {
    const stack = Stack.of(scope);
    const id = 'SageMakerNeoCompilationJobProvider';
    return (stack.node.tryFindChild(id) as CompilationJobProvider | undefined) ?? new CompilationJobProvider(stack, id);
  }

  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete functions. */
  public readonly handlerRole: iam.Role;
  /** ARN pattern of the stack's compilation jobs. */
  private readonly sagemakerJobs: string;
  private longRun?: LongRunStateMachine;
  /** The resources of every PassRole statement: the stack's role path (once) and any other role's ARN. */
  private readonly passableRoles: string[] = [];
  private readonly passRoleGrants: Array<{ statement: iam.PolicyStatement; grantee: iam.IGrantable }> = [];
  /** Every default execution role of the stack (all are in its role path). */
  private readonly defaultRoles: string;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    this.defaultRoles = executionRolesArn(scope);
    const { provider, handlerRole } = createHandlerProvider(this, {
      bundle: 'compilation-job',
      roleDescription: 'Creates, polls, stops and deletes the stack\'s SageMaker Neo compilation jobs',
      onEvent: { description: 'Starts, updates and stops SageMaker Neo compilation jobs', timeout: Duration.minutes(2) },
      isComplete: { description: 'Polls SageMaker Neo compilation jobs', timeout: IS_COMPLETE_TIMEOUT },
      queryInterval: POLL_INTERVAL,
      totalTimeout: PROVIDER_TOTAL_TIMEOUT,
      // The names the role may act on: a job outside them (an earlier release named jobs without the
      // stack's hash) is left alone, instead of failing the Delete on AccessDenied.
      environment: { [JOB_NAME_SCOPE_ENV]: `${stackJobNamePrefix(scope)}-` },
    });
    this.handlerRole = handlerRole;
    const sagemakerJobs = this.sagemakerJobs = scope.formatArn({
      service: 'sagemaker',
      resource: 'compilation-job',
      // The separator ends the stack's part: no other stack's prefix can start with this one's.
      resourceName: `${stackJobNamePrefix(scope)}-*`,
    });
    handlerRole.addToPolicy(new iam.PolicyStatement({ actions: HANDLER_ACTIONS, resources: [sagemakerJobs] }));
    // Finds the jobs of a request by name (adoption; cleanup after a cancelled operation). The
    // action takes no resource; the handler acts only on names within the statement above.
    handlerRole.addToPolicy(new iam.PolicyStatement({ actions: ['sagemaker:ListCompilationJobs'], resources: ['*'] }));
    // Before a late create: is CloudFormation still waiting for the resource? (this stack only)
    handlerRole.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackResource'],
      resources: [scope.stackId],
    }));

    // A failed job's reason quotes the end of its log: GetLogEvents on the streams SageMaker names
    // after the stack's jobs, in the compilation jobs' log group, nothing else. GetLogEvents is
    // authorized on the log-stream resource (Service Authorization Reference, CloudWatch Logs:
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
    const jobLogStreams = scope.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${COMPILATION_JOB_LOG_GROUP}:log-stream:${stackJobNamePrefix(scope)}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    handlerRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: [jobLogStreams] }));

    this.serviceToken = provider.serviceToken;
    this.grantPassJobRoles(this.handlerRole);
    acknowledgeWildcardResources(this.handlerRole, [sagemakerJobs, '*', jobLogStreams],
      'Job names end in a hash of the request computed at deploy time; the prefix, unique to this stack and ended by a separator, limits them to this stack ' +
      '(and their log streams, named after them). sagemaker:ListCompilationJobs takes no resource.');
  }

  /** The stack's state machine for jobs whose `timeout` exceeds what a custom resource may wait, created on first use. */
  public longRunStateMachine(): sfn.IStateMachine {
    if (!this.longRun) {
      this.longRun = new LongRunStateMachine(this, 'LongRun', { sagemakerJobs: this.sagemakerJobs, handlerRole: this.handlerRole });
      this.grantPassJobRoles(this.longRun.stateMachine);
    }
    return this.longRun.stateMachine;
  }

  /**
   * Lets the handler (and every principal given {@link grantPassJobRoles}) pass a job's execution
   * role to SageMaker, and to SageMaker only. The stack's default roles are covered by one ARN,
   * their role path, so the statement keeps its size whatever the number of jobs (a list of ARNs
   * outgrows IAM's policy size quotas near 70 jobs); any other role is listed by its ARN.
   */
  public allowPassRole(role: iam.IRole): void {
    const resource = isExecutionRoleOf(Stack.of(this), role) ? this.defaultRoles : role.roleArn;
    if (this.passableRoles.includes(resource)) return;
    this.passableRoles.push(resource);
    for (const { statement, grantee } of this.passRoleGrants) {
      statement.addResources(resource);
      if (resource === this.defaultRoles) this.acknowledgeRolePath(grantee);
    }
  }

  /** Lets `grantee` pass the execution roles of the stack's jobs to SageMaker, and to SageMaker only. */
  public grantPassJobRoles(grantee: iam.IGrantable): void {
    const statement = new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [...this.passableRoles],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    this.passRoleGrants.push({ statement, grantee });
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
    if (this.passableRoles.includes(this.defaultRoles)) this.acknowledgeRolePath(grantee);
  }

  private acknowledgeRolePath(grantee: iam.IGrantable): void {
    const principal = grantee.grantPrincipal;
    if (!Construct.isConstruct(principal)) return; // a principal without a policy of its own has no finding
    acknowledgeWildcardResources(principal, [this.defaultRoles],
      'The stack\'s default execution roles, in a role path unique to the stack (/sagemaker-neo/<region>/<stack>-<hash of the stack name>/): ' +
      'one resource for any number of jobs, where a list of their ARNs would outgrow IAM\'s policy size quotas. Only to SageMaker (iam:PassedToService).');
  }
}
