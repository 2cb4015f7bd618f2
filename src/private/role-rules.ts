import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * SageMaker runs the job as the execution role, so the role's trust policy must let the SageMaker
 * service principal assume it ("Grant SageMaker permission to assume the role",
 * https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-pass-role).
 * Without it CreateCompilationJob fails at deploy ("Could not assume role"), after the handler's
 * IAM-propagation retries.
 */
const SAGEMAKER = 'sagemaker.amazonaws.com';

/** What is wrong, or unknowable, with the job's role. */
export interface RoleFindings {
  readonly errors: string[];
  readonly imported: boolean;
}

export function roleFindings(role: iam.IRole | undefined): RoleFindings {
  if (role === undefined) return { errors: [], imported: false };
  // Role.fromRoleArn and friends: no trust policy to read.
  if (!(role instanceof iam.Role)) return { errors: [], imported: true };
  const document = role.assumeRolePolicy;
  if (document === undefined) return { errors: [], imported: false };
  const statements: TrustStatement[] = Stack.of(role).resolve(document.toJSON())?.Statement ?? [];
  const services = statements.filter(allowsAssumeRole).flatMap((s) => list(s.Principal?.Service));
  if (services.some((service) => typeof service !== 'string' || Token.isUnresolved(service) || service === SAGEMAKER)) {
    return { errors: [], imported: false };
  }
  const trusted = statements.filter(allowsAssumeRole).map((s) => JSON.stringify(s.Principal)).join(', ') || 'no one';
  return {
    errors: [`SageMaker cannot assume this role: its trust policy allows sts:AssumeRole to ${trusted}, not to ${SAGEMAKER}. ` +
      `Create it with assumedBy: new iam.ServicePrincipal('${SAGEMAKER}') (or add that principal), or leave role unset for a least-privilege role`],
    imported: false,
  };
}

interface TrustStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Principal?: { Service?: unknown };
  readonly Condition?: unknown;
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function allowsAssumeRole(statement: TrustStatement): boolean {
  return statement.Effect === 'Allow' && list(statement.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*');
}
