import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { compactString } from './compact';
import { COMPILATION_JOB_LOG_GROUP } from './contract';
import { acknowledgeWildcardResources } from './nag';
import { stackJobNamePrefix } from './naming';

/**
 * The default execution role: trusted by SageMaker only. Every statement granted to it goes into
 * its own inline policy (the role's `Policies`) instead of a separate `AWS::IAM::Policy`, so a
 * job's role costs one CloudFormation resource: a stack has room for 500. What every job of the
 * stack needs alike comes from the stack's one managed policy ({@link jobBasicsPolicy}), written
 * once instead of once per role: the template's 1 MB limits the jobs per stack too. Attached
 * through the role's `ManagedPolicyArns`, so the role (and whatever waits for it) waits for the
 * policy. `ManagedPolicyArns` and `Policies` update a role in place; only a new `Path` or
 * `RoleName` replaces it, and those stay as they were
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html).
 * It always receives statements ({@link grantJobBasics}), so its inline policy is never empty.
 */
class ExecutionRole extends iam.Role {
  private readonly document: iam.PolicyDocument;

  constructor(scope: Construct, id: string) {
    const document = new iam.PolicyDocument();
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Execution role of a SageMaker Neo compilation job',
      path: executionRolePath(Stack.of(scope)),
      // Resolved at synth, so statements added after construction are in it.
      inlinePolicies: { CompilationJob: document },
      managedPolicies: [jobBasicsPolicy(Stack.of(scope))],
    });
    this.document = document;
  }

  /** Adds to the role's own inline policy; anything that waits for the grant waits for the role. */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

export function createExecutionRole(scope: Construct, id: string): iam.Role {
  return new ExecutionRole(scope, id);
}

/**
 * The IAM path of a stack's default execution roles: `/sagemaker-neo/<region>/<stack prefix>/`,
 * with the stack's part of its job names ({@link stackJobNamePrefix}). Role ARNs name no region,
 * and a stack name is unique only within an account and region, so the region is part of it.
 */
export function executionRolePath(stack: Stack): string {
  return `/sagemaker-neo/${stack.region}/${stackJobNamePrefix(stack)}/`;
}

/**
 * Every role in the stack's {@link executionRolePath}: one resource for any number of default
 * roles. No other stack's role matches: the path ends in a separator and differs per stack name
 * and region.
 */
export function executionRolesArn(stack: Stack): string {
  return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${executionRolePath(stack).slice(1)}*` });
}

/** Whether `role` is a default execution role of `stack`, so in that stack's role path. */
export function isExecutionRoleOf(stack: Stack, role: iam.IRole): boolean {
  return role instanceof ExecutionRole && Stack.of(role) === stack;
}

/** The log group SageMaker writes every compilation job's logs to, in `stack`'s account and region. */
function logGroupArn(stack: Stack): string {
  return stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: COMPILATION_JOB_LOG_GROUP,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * What every job of the stack needs alike: create the log group and read its streams, and put
 * metrics. PutMetricData takes no resource; the namespace condition is as tight as IAM allows.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
function jobBasicsStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'],
      resources: [logGroupArn(stack)],
    }),
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
    }),
  ];
}

/**
 * The stack's managed policy with {@link jobBasicsStatements}, created with its first default
 * role and attached to each. A role may have 10 managed policies attached (20 on request); this
 * one counts once per role, whatever the number of jobs.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function jobBasicsPolicy(stack: Stack): iam.ManagedPolicy {
  const id = 'SageMakerNeoCompilationJobBasics';
  const existing = stack.node.tryFindChild(id) as iam.ManagedPolicy | undefined;
  if (existing) return existing;
  const policy = new iam.ManagedPolicy(stack, id, {
    description: 'Logs and metrics of the SageMaker Neo compilation jobs of this stack',
    statements: jobBasicsStatements(stack),
  });
  acknowledgeWildcardResources(policy, ['*'],
    'cloudwatch:PutMetricData takes no resource; a condition limits it to SageMaker namespaces.');
  return policy;
}

/**
 * What every compilation job needs whatever its model: its logs (`<jobNamePrefix>-*` covers
 * exactly this construct's jobs) and its metrics. A default role of the stack has the shared part
 * from {@link jobBasicsPolicy} and gets only its log streams; any other role gets all of it, as
 * statements of its own policy. The wildcards are acknowledged for cdk-nag one by one, so any
 * other wildcard on the role is still reported.
 */
export function grantJobBasics(scope: Construct, role: iam.IRole, jobNamePrefix: string): void {
  const stack = Stack.of(scope);
  const logStreams = compactString(`${logGroupArn(stack)}:log-stream:${jobNamePrefix}-*`);
  const shared = isExecutionRoleOf(stack, role) ? [] : jobBasicsStatements(stack);
  shared.forEach((statement) => role.addToPrincipalPolicy(statement));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logStreams],
  }));
  acknowledgeWildcardResources(role, shared.length > 0 ? [logStreams, '*'] : [logStreams],
    'The job\'s log streams are named after the job, whose name ends in a hash computed at deploy time; ' +
    'cloudwatch:PutMetricData (limited to SageMaker namespaces by condition) and, in a VPC, the EC2 ' +
    'network-interface actions SageMaker uses take no resource.');
}
