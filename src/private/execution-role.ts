import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { COMPILATION_JOB_LOG_GROUP } from './contract';
import { acknowledgeWildcardResources } from './nag';
import { stackJobNamePrefix } from './naming';

/**
 * The default execution role: trusted by SageMaker only, with no managed policy. Every statement
 * granted to it goes into its own inline policy (the role's `Policies`) instead of a separate
 * `AWS::IAM::Policy`, so a job's role costs one CloudFormation resource: a stack has room for 500.
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

/**
 * What every compilation job needs whatever its model: its logs (`<jobNamePrefix>-*` covers
 * exactly this construct's jobs) and its metrics. The two wildcards are acknowledged for cdk-nag
 * one by one, so any other wildcard on the role is still reported.
 */
export function grantJobBasics(scope: Construct, role: iam.IRole, jobNamePrefix: string): void {
  const logGroupArn = Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: COMPILATION_JOB_LOG_GROUP,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const logStreams = `${logGroupArn}:log-stream:${jobNamePrefix}-*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'],
    resources: [logGroupArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logStreams],
  }));
  // PutMetricData takes no resource; the namespace condition is as tight as IAM allows.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
  }));
  acknowledgeWildcardResources(role, [logStreams, '*'],
    'The job\'s log streams are named after the job, whose name ends in a hash computed at deploy time; ' +
    'cloudwatch:PutMetricData (limited to SageMaker namespaces by condition) and, in a VPC, the EC2 ' +
    'network-interface actions SageMaker uses take no resource.');
}
