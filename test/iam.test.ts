import { createHash } from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CompilationJob, CompilationJobProps, CompilationTarget, DataInputConfig, Framework, ModelInput, TargetDevice } from '../src';
import { newStack, onlyJobSpec } from './util';
import { RESOURCE_TYPE } from '../src/private/contract';

const PARTITION = { Ref: 'AWS::Partition' };
const arn = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', PARTITION, ...parts]] });
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
/** The job's own ARNs are written as one Fn::Sub (src/private/compact.ts): the same string at deploy time. */
const subArn = (rest: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}${rest}` });
const objectsOf = (bucket: string, key: string) => ({ 'Fn::Sub': `\${${bucket}.Arn}${key}` });

/**
 * The statements of the role whose logical id starts with `rolePrefix`: those of the managed
 * policies of the stack it lists (`ManagedPolicyArns`), of its own inline policies (`Policies`)
 * and of every policy resource attached to it.
 */
function statementsOf(stack: Stack, rolePrefix: string): any[] {
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith(rolePrefix));
  const managed = roles.flatMap(([, r]) => (r.Properties.ManagedPolicyArns ?? []).map((ref: any) => resources[ref.Ref].Properties.PolicyDocument));
  const inline = roles.flatMap(([, r]) => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument));
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref?.startsWith(rolePrefix)))
    .map((p) => p.Properties.PolicyDocument);
  return [...managed, ...inline, ...attached].flatMap((d) => d.Statement);
}

/** The policy resources attached to the role whose logical id starts with `rolePrefix`. */
function policyResourcesOf(stack: Stack, rolePrefix: string): string[] {
  const template = Template.fromStack(stack);
  return ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) => Object.entries(template.findResources(type))
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => r.Ref?.startsWith(rolePrefix)))
    .map(([id]) => id));
}

function logicalIdOf(stack: Stack, type: string, prefix: string): string {
  const ids = Object.keys(Template.fromStack(stack).findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** A job that reads `models/m.tar.gz` from an input bucket (KMS-encrypted) and writes to an output bucket. */
function jobStack(extra: (stack: Stack) => Partial<CompilationJobProps> = () => ({})) {
  const stack = newStack();
  const input = new s3.Bucket(stack, 'Input', { encryption: s3.BucketEncryption.KMS });
  const output = new s3.Bucket(stack, 'Output');
  new CompilationJob(stack, 'Job', {
    model: ModelInput.fromBucket(input, 'models/m.tar.gz'),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
    target: CompilationTarget.device(TargetDevice.ML_C5),
    outputBucket: output,
    ...extra(stack),
  });
  return {
    stack,
    input: logicalIdOf(stack, 'AWS::S3::Bucket', 'Input'),
    inputKey: logicalIdOf(stack, 'AWS::KMS::Key', 'InputKey'),
    output: logicalIdOf(stack, 'AWS::S3::Bucket', 'Output'),
  };
}

const LOG_GROUP = arn(':logs:us-east-1:123456789012:log-group:/aws/sagemaker/CompilationJobs');
/** What every job's role needs alike: for a default role, the stack's one managed policy. */
const sharedBasics = [
  { Action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'], Effect: 'Allow', Resource: LOG_GROUP },
  {
    Action: 'cloudwatch:PutMetricData',
    Effect: 'Allow',
    Resource: '*',
    Condition: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
  },
];
const logStreams = (prefix: string) => ({
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: subArn(`:logs:us-east-1:123456789012:log-group:/aws/sagemaker/CompilationJobs:log-stream:${prefix}-*`),
});
/** A default role's statements: the managed policy's, then its own log streams. */
const basics = (prefix: string) => [...sharedBasics, logStreams(prefix)];
const readInput = (input: string, inputKey: string) => [
  { Action: 'kms:Decrypt', Effect: 'Allow', Resource: getAtt(inputKey) },
  { Action: 's3:GetObject', Effect: 'Allow', Resource: objectsOf(input, '/models/m.tar.gz') },
];
const writeOutput = (output: string) => ({
  Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
  Effect: 'Allow',
  Resource: objectsOf(output, '/compiled/*'),
});

describe('execution role', () => {
  test('default: trusted by SageMaker only, the stack\'s one managed policy, exactly these statements', () => {
    const { stack, input, inputKey, output } = jobStack();
    const template = Template.fromStack(stack);
    const role = template.findResources('AWS::IAM::Role', { Properties: { Description: 'Execution role of a SageMaker Neo compilation job' } });
    const [roleProps] = Object.values(role).map((r) => r.Properties);
    expect(roleProps.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } },
    ]);
    expect(roleProps.ManagedPolicyArns).toEqual([{ Ref: logicalIdOf(stack, 'AWS::IAM::ManagedPolicy', 'SageMakerNeoCompilationJobBasics') }]);
    expect(statementsOf(stack, 'JobRole')).toEqual([...basics(`teststack-${stackHash('TestStack')}-job`), ...readInput(input, inputKey), writeOutput(output)]);
  });

  test('default: one resource, its statements in its own inline policy; the job waits for it', () => {
    const { stack } = jobStack((scope) => ({
      encryptionKey: new kms.Key(scope, 'OutKey'),
      vpc: new ec2.Vpc(scope, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
    }));
    const roleId = logicalIdOf(stack, 'AWS::IAM::Role', 'JobRole');
    // Every grant (basics, bucket, both KMS keys, VPC) went into the role, none into a policy resource.
    expect(policyResourcesOf(stack, 'JobRole')).toEqual([]);
    const role = Template.fromStack(stack).toJSON().Resources[roleId];
    expect(role.Properties.Policies).toEqual([{ PolicyName: 'CompilationJob', PolicyDocument: { Statement: expect.any(Array), Version: '2012-10-17' } }]);
    // its log streams (1), input object and its key (2), output (1), output key (1), VPC (1)
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toHaveLength(6);
    // The job waits for the role through the GetAtt of its ARN in the Spec (no DependsOn needed),
    // and the role for the managed policy it lists.
    const [job] = Object.values(Template.fromStack(stack).findResources(RESOURCE_TYPE));
    expect(JSON.stringify(job.Properties.Spec)).toContain(JSON.stringify(getAtt(roleId)));
    expect(job.DependsOn).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: expect.stringMatching(/^SageMakerNeoCompilationJobBasics/) }]);
  });

  test('default roles: one managed policy for the whole stack, with the shared statements only', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Models', 'models');
    for (const id of ['A', 'B', 'C']) {
      new CompilationJob(stack, id, {
        model: ModelInput.fromBucket(bucket, `${id}.tar.gz`),
        framework: Framework.ONNX,
        dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
        target: CompilationTarget.device(TargetDevice.ML_C5),
      });
    }
    const template = Template.fromStack(stack);
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const [[policyId, policy]] = Object.entries(policies);
    expect(policy.Properties.PolicyDocument.Statement).toEqual(sharedBasics);
    // Attached by each role itself (an in-place update of a role), not by the policy's `Roles`.
    expect(policy.Properties.Roles).toBeUndefined();
    for (const id of ['A', 'B', 'C']) {
      const role = template.toJSON().Resources[logicalIdOf(stack, 'AWS::IAM::Role', `${id}Role`)];
      expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: policyId }]);
      // Each role keeps its own log streams and input object.
      const own = role.Properties.Policies[0].PolicyDocument.Statement;
      expect(own).toContainEqual(logStreams(`teststack-${stackHash('TestStack')}-${id.toLowerCase()}`));
      expect(JSON.stringify(own)).toContain(`${id}.tar.gz`);
      expect(JSON.stringify(own)).not.toMatch(/CreateLogGroup|PutMetricData/);
    }
  });

  test('KMS: encrypting the output adds a data key and decrypt (multipart) on that key only', () => {
    const { stack, input, inputKey, output } = jobStack((scope) => ({ encryptionKey: new kms.Key(scope, 'OutKey') }));
    const outKey = logicalIdOf(stack, 'AWS::KMS::Key', 'OutKey');
    expect(statementsOf(stack, 'JobRole')).toEqual([
      ...basics(`teststack-${stackHash('TestStack')}-job`),
      ...readInput(input, inputKey),
      writeOutput(output),
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: getAtt(outKey) },
    ]);
  });

  test('VPC: the network interface actions SageMaker needs, and nothing else more', () => {
    const { stack } = jobStack((scope) => ({
      vpc: new ec2.Vpc(scope, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
    }));
    const statements = statementsOf(stack, 'JobRole');
    expect(statements).toContainEqual({
      Action: [
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission',
        'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
        'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions',
        'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
      ],
      Effect: 'Allow',
      Resource: '*',
    });
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('ec2:'))).toHaveLength(1);
    // ...and a security group of its own, open outbound only
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'SageMaker Neo compilation job',
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }],
    });
    expect(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup', { Properties: { SecurityGroupIngress: {} } })).toEqual({});
  });

  const ownRoleProps = (stack: Stack) => ({
    model: ModelInput.fromBucket(new s3.Bucket(stack, 'Input'), 'm.tar.gz'),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
    target: CompilationTarget.device(TargetDevice.ML_C5),
  });

  test('own mutable role: gets the statements the job needs', () => {
    const stack = newStack();
    const own = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const job = new CompilationJob(stack, 'Job', { ...ownRoleProps(stack), role: own });
    expect(job.role).toBe(own);
    const input = logicalIdOf(stack, 'AWS::S3::Bucket', 'Input');
    const output = logicalIdOf(stack, 'AWS::S3::Bucket', 'SageMakerNeoCompiledModels');
    // All of it in the role's own policy, as before the stack's managed policy existed.
    expect(statementsOf(stack, 'MyRole')).toEqual([
      ...basics(`teststack-${stackHash('TestStack')}-job`),
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objectsOf(input, '/m.tar.gz') },
      writeOutput(output),
    ]);
    expect(Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack, 'AWS::IAM::Role', 'MyRole')].Properties.ManagedPolicyArns).toBeUndefined();
    expect(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    // A role of the user may have a policy resource of its own: the job waits for it.
    const [resource] = Object.values(Template.fromStack(stack).findResources(RESOURCE_TYPE));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^MyRoleDefaultPolicy/)]));
    // ...in its default policy, as for any role of the app; its own properties are left alone.
    expect(policyResourcesOf(stack, 'MyRole')).toEqual([expect.stringMatching(/^MyRoleDefaultPolicy/)]);
    expect(Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack, 'AWS::IAM::Role', 'MyRole')].Properties.Policies).toBeUndefined();
  });

  test('imported immutable role: nothing is added, no role is created', () => {
    const stack = newStack();
    const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/neo', { mutable: false });
    new CompilationJob(stack, 'Job', { ...ownRoleProps(stack), role: imported });
    const template = Template.fromStack(stack);
    expect(template.findResources('AWS::IAM::Role', { Properties: { Description: 'Execution role of a SageMaker Neo compilation job' } })).toEqual({});
    const attachedRoles = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.Roles);
    expect(attachedRoles).not.toContain('neo');
    // The handler may still pass it to SageMaker (and only there).
    expect(statementsOf(stack, 'SageMakerNeoCompilationJobProviderHandlerRole')).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: 'arn:aws:iam::123456789012:role/neo',
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
  });
});

describe('handler role', () => {
  const passRoleOf = (stack: Stack) => statementsOf(stack, 'SageMakerNeoCompilationJobProviderHandlerRole')
    .filter((s) => JSON.stringify(s.Action).includes('iam:'));
  const ROLE_PATH = `/sagemaker-neo/us-east-1/teststack-${stackHash('TestStack')}/`;
  const DEFAULT_ROLES = arn(`:iam::123456789012:role${ROLE_PATH}*`);
  const PASS_ONLY_TO_SAGEMAKER = { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } };
  const jobs = (stack: Stack, count: number, extra: Partial<CompilationJobProps> = {}) => {
    const bucket = s3.Bucket.fromBucketName(stack, `Input${count}`, 'models');
    for (let i = 0; i < count; i++) {
      new CompilationJob(stack, `Job${count}x${i}`, {
        model: ModelInput.fromBucket(bucket, 'm.tar.gz'),
        framework: Framework.ONNX,
        dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
        target: CompilationTarget.device(TargetDevice.ML_C5),
        ...extra,
      });
    }
  };

  test('PassRole: the stack\'s default roles by their role path, only to SageMaker', () => {
    const stack = newStack();
    jobs(stack, 2);
    new iam.Role(stack, 'Unrelated', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });

    expect(passRoleOf(stack)).toEqual([{ Action: 'iam:PassRole', Effect: 'Allow', Resource: DEFAULT_ROLES, Condition: PASS_ONLY_TO_SAGEMAKER }]);
    // Every default role is in that path; no other role of the stack is.
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const inPath = Object.keys(roles).filter((id) => roles[id].Properties.Path === ROLE_PATH);
    expect(inPath.sort()).toEqual([logicalIdOf(stack, 'AWS::IAM::Role', 'Job2x0Role'), logicalIdOf(stack, 'AWS::IAM::Role', 'Job2x1Role')].sort());
  });

  test('PassRole: the same size for 1 job and for 100 jobs with default roles', () => {
    const one = newStack();
    jobs(one, 1);
    const hundred = newStack();
    jobs(hundred, 100);
    expect(passRoleOf(hundred)).toEqual(passRoleOf(one));
    // ...and no policy of the handler spills over into managed policies.
    expect(policyResourcesOf(hundred, 'SageMakerNeoCompilationJobProviderHandlerRole')).toHaveLength(1);
  });

  test('PassRole: a role of the user is listed by its ARN, next to the default roles', () => {
    const stack = newStack();
    jobs(stack, 2);
    const own = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/neo', { mutable: false });
    jobs(stack, 3, { role: own });
    jobs(stack, 1, { role: imported });
    expect(passRoleOf(stack)).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: [DEFAULT_ROLES, getAtt(logicalIdOf(stack, 'AWS::IAM::Role', 'MyRole')), 'arn:aws:iam::123456789012:role/neo'],
      Condition: PASS_ONLY_TO_SAGEMAKER,
    }]);
    // A user's role keeps its own path.
    expect(Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack, 'AWS::IAM::Role', 'MyRole')].Properties.Path).toBeUndefined();
  });

  test('PassRole: no wildcard where every job has a role of the user', () => {
    const stack = newStack();
    const own = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    jobs(stack, 2, { role: own });
    expect(passRoleOf(stack)).toEqual([{
      Action: 'iam:PassRole', Effect: 'Allow', Resource: getAtt(logicalIdOf(stack, 'AWS::IAM::Role', 'MyRole')), Condition: PASS_ONLY_TO_SAGEMAKER,
    }]);
  });

  test('PassRole: a default role of another stack is listed by its ARN, not covered by this stack\'s path', () => {
    const app = new App();
    const env = { account: '123456789012', region: 'us-east-1' };
    const other = new Stack(app, 'Other', { env });
    const stack = new Stack(app, 'TestStack', { env });
    const otherJob = new CompilationJob(other, 'Job', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1'), target: CompilationTarget.device(TargetDevice.ML_C5) });
    new CompilationJob(stack, 'Job', {
      model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1'),
      target: CompilationTarget.device(TargetDevice.ML_C5),
      role: otherJob.role,
      outputBucket: s3.Bucket.fromBucketName(stack, 'Out', 'compiled-models'), // no reference back to this stack
    });
    const [statement] = passRoleOf(stack);
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
    expect(JSON.stringify(statement.Resource)).toContain('Fn::ImportValue');
  });

  test('SageMaker actions only on the stack\'s compilation jobs; no managed policy on any provider role', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1'), target: CompilationTarget.device(TargetDevice.ML_C5) });
    const sagemaker = statementsOf(stack, 'SageMakerNeoCompilationJobProviderHandlerRole')
      .filter((s) => JSON.stringify(s.Action).includes('sagemaker:'));
    expect(sagemaker).toEqual([{
      Action: [
        'sagemaker:CreateCompilationJob', 'sagemaker:DescribeCompilationJob', 'sagemaker:StopCompilationJob',
        'sagemaker:DeleteCompilationJob', 'sagemaker:AddTags', 'sagemaker:DeleteTags',
      ],
      Effect: 'Allow',
      Resource: arn(`:sagemaker:us-east-1:123456789012:compilation-job/teststack-${stackHash('TestStack')}-*`),
    }, {
      // Listing takes no resource; the handler acts only on names within the statement above.
      Action: 'sagemaker:ListCompilationJobs',
      Effect: 'Allow',
      Resource: '*',
    }]);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    for (const [id, role] of Object.entries(roles)) {
      if (id.startsWith('ARole')) continue; // the job's default role, which has the stack's job policy
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('CloudWatch Logs: GetLogEvents on the log streams of the stack\'s jobs in /aws/sagemaker/CompilationJobs, nothing else', () => {
    const stack = newStack();
    new CompilationJob(stack, 'A', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1'), target: CompilationTarget.device(TargetDevice.ML_C5) });
    // Every statement that lets the handler read logs (its functions' own log group is written only).
    const readsLogs = (action: string) => /^logs:(Get|Filter|StartQuery|Describe|Tail|StartLiveTail|\*)/.test(action);
    const logs = statementsOf(stack, 'SageMakerNeoCompilationJobProviderHandlerRole').filter((s) => [s.Action].flat().some(readsLogs));
    const prefix = `teststack-${stackHash('TestStack')}-`;
    expect(logs).toEqual([{
      Action: 'logs:GetLogEvents',
      Effect: 'Allow',
      Resource: arn(`:logs:us-east-1:123456789012:log-group:/aws/sagemaker/CompilationJobs:log-stream:${prefix}*`),
    }]);
    // IAM matches `*` against any characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    const pattern = (logs[0].Resource['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'aws')).join('');
    const allows = (resource: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*')}$`).test(resource);
    const stream = (group: string, name: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${group}:log-stream:${name}`;
    const jobName = `${onlyJobSpec(stack).jobNamePrefix}-0123456789abcdef`;
    expect(allows(stream('/aws/sagemaker/CompilationJobs', jobName))).toBe(true);
    expect(allows(stream('/aws/sagemaker/TrainingJobs', jobName))).toBe(false);
    expect(allows(stream('/aws/lambda/SomeFunction', jobName))).toBe(false);
    expect(allows(stream('/aws/sagemaker/CompilationJobs', `otherstack-${stackHash('otherstack')}-Resnet-0123456789abcdef`))).toBe(false);
    expect(allows('arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/CompilationJobs')).toBe(false);
  });

  test.each([
    ['a name that starts another', 'ml', 'ml-dev'],
    ['the same first 20 characters', 'vision-models-production-eu', 'vision-models-production-us'],
    ['names that differ only in separators', 'ml-dev', 'mldev'],
    ['a name built to look like another stack\'s prefix', 'ml', `ml-${stackHash('ml')}-evil`],
  ])('isolation (%s): no stack\'s job scope covers the other stack\'s job names', (_, nameA, nameB) => {
    const scopeOf = (name: string) => {
      const stack = new Stack(new App(), name, { env: { account: '123456789012', region: 'us-east-1' } });
      const job = new CompilationJob(stack, 'Resnet', { model: ModelInput.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1'), target: CompilationTarget.device(TargetDevice.ML_C5) });
      const resource = JSON.stringify(statementsOf(stack, 'SageMakerNeoCompilationJobProviderHandlerRole')
        .find((s) => JSON.stringify(s.Action).includes('CreateCompilationJob'))!.Resource);
      const pattern = /compilation-job\/([^"]+)\*/.exec(resource)![1];
      expect(job.node.id).toBe('Resnet');
      // A job name of this stack: `<job name prefix>-<16 hex>` (the prefix is in the resource's Spec).
      return { pattern, jobName: `${onlyJobSpec(stack).jobNamePrefix}-0123456789abcdef` };
    };
    const a = scopeOf(nameA);
    const b = scopeOf(nameB);
    expect(a.jobName.startsWith(a.pattern)).toBe(true);
    expect(b.jobName.startsWith(b.pattern)).toBe(true);
    expect(b.jobName.startsWith(a.pattern)).toBe(false);
    expect(a.jobName.startsWith(b.pattern)).toBe(false);
  });
  test.each([
    ['a name that starts another', 'ml', 'us-east-1', 'ml-dev', 'us-east-1'],
    ['the same first 20 characters', 'vision-models-production-eu', 'us-east-1', 'vision-models-production-us', 'us-east-1'],
    ['names that differ only in separators', 'ml-dev', 'us-east-1', 'mldev', 'us-east-1'],
    ['the same stack name in another region (role ARNs name no region)', 'ml', 'us-east-1', 'ml', 'eu-west-1'],
  ])('isolation (%s): no stack\'s PassRole covers the other stack\'s default roles', (_, nameA, regionA, nameB, regionB) => {
    const rolesOf = (name: string, region: string) => {
      const stack = new Stack(new App(), name, { env: { account: '123456789012', region } });
      new CompilationJob(stack, 'Resnet', { model: ModelInput.fromModelPackage(`arn:aws:sagemaker:${region}:123456789012:model-package/m/1`), target: CompilationTarget.device(TargetDevice.ML_C5) });
      const [passRole] = statementsOf(stack, 'SageMakerNeoCompilationJobProviderHandlerRole').filter((s) => s.Action === 'iam:PassRole');
      // arn:<partition>:iam::123456789012:role<path>* -> the role part, `<path>` then any name
      const pattern = /:iam::123456789012:(role\/[^*]+)\*$/.exec(passRole.Resource['Fn::Join'][1][2])![1];
      const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Description: 'Execution role of a SageMaker Neo compilation job' } }));
      // CloudFormation names the role `<stack>-<logical id>-<random>`; any name will do here.
      return { pattern, roleResource: `role${role.Properties.Path}${name}-ResnetRole-ABCDEFGHIJKL` };
    };
    const a = rolesOf(nameA, regionA);
    const b = rolesOf(nameB, regionB);
    expect(a.roleResource.startsWith(a.pattern)).toBe(true);
    expect(b.roleResource.startsWith(b.pattern)).toBe(true);
    expect(b.roleResource.startsWith(a.pattern)).toBe(false);
    expect(a.roleResource.startsWith(b.pattern)).toBe(false);
  });
});

/** The hash that ends a stack's part of its job names (src/private/naming.ts). */
function stackHash(stackName: string): string {
  return createHash('sha256').update(stackName).digest('hex').slice(0, 8);
}

describe('a pinned object version', () => {
  test('the handler may read versions of exactly that object; the job role reads only the staged copy', () => {
    const { stack, input, output } = jobStack((s) => ({
      model: ModelInput.fromBucket(s3.Bucket.fromBucketName(s, 'Versioned', 'versioned-models'), 'models/m.tar.gz', { objectVersion: 'v7' }),
    }));
    void input;
    const handler = statementsOf(stack, 'SageMakerNeoCompilationJobProvider');
    expect(handler).toContainEqual({
      Action: 's3:GetObjectVersion',
      Effect: 'Allow',
      Resource: subArn(':s3:::versioned-models/models/m.tar.gz'),
    });
    const staged = (a: string | string[]) => handler.some((st) => JSON.stringify(st.Action) === JSON.stringify(a) &&
      JSON.stringify(st.Resource).includes('/model-inputs/') && JSON.stringify(st.Resource).includes('/v7.tar.gz'));
    expect(staged(['s3:PutObject', 's3:AbortMultipartUpload'])).toBe(true);
    expect(staged('s3:GetObject')).toBe(true);

    const job = statementsOf(stack, 'JobRole');
    expect(JSON.stringify(job)).not.toContain('versioned-models');
    expect(job).toContainEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: { 'Fn::Sub': expect.stringMatching(new RegExp(`^\\$\\{${output}\\.Arn\\}/model-inputs/[0-9a-f]{16}/v7\\.tar\\.gz$`)) },
    });
  });
});
