import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Where SageMaker writes every compilation job's logs (one stream per job). */
export const COMPILATION_JOB_LOG_GROUP = '/aws/sagemaker/CompilationJobs';

/**
 * The default execution role: trusted by SageMaker only, with no managed policy. The job's
 * S3, KMS and VPC permissions are granted by the construct, each as narrow as it can be.
 */
export function createExecutionRole(scope: Construct, id: string): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Execution role of a SageMaker Neo compilation job',
  });
  grantJobBasics(scope, role);
  return role;
}

/** What every compilation job needs whatever its model: its logs and its metrics. */
export function grantJobBasics(scope: Construct, grantee: iam.IGrantable): void {
  const logGroupArn = Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: COMPILATION_JOB_LOG_GROUP,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'],
    resourceArns: [logGroupArn],
  });
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resourceArns: [`${logGroupArn}:log-stream:*`],
  });
  // PutMetricData takes no resource; the namespace condition is as tight as IAM allows.
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
  }));
}
