import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { renderIntrinsics } from '../docs/example/print-requests';
import { CompilationJob, CompilationTarget, EdgeModelComponent, TargetDevice } from '../src';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { RESOURCE_TYPE } from '../src/private/contract';
import { COMPONENT_VERSION_RESOURCE_TYPE, ComponentVersionSpec } from '../src/private/edge/component-contract';
import { MIN_NODE_MAJOR } from '../src/private/node-runtime';

function component(stack: Stack, id: string, name: string, version?: string): EdgeModelComponent {
  const job = new CompilationJob(stack, `${id}Job`, { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.JETSON_NANO) });
  return new EdgeModelComponent(stack, id, { compilationJob: job, componentName: name, componentVersion: version });
}

function specs(stack: Stack): Record<string, ComponentVersionSpec> {
  const resources = Template.fromStack(stack).findResources(COMPONENT_VERSION_RESOURCE_TYPE);
  return Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, JSON.parse(renderIntrinsics(r.Properties.Spec))]));
}

/** The handler role's statements that name Greengrass actions. */
function greengrassStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('SageMakerNeoComponentVersionProviderHandlerRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('greengrass:')));
}

describe('component versions', () => {
  test('without componentVersion the handler chooses; a stated one is passed on', () => {
    const stack = newStack();
    component(stack, 'Chosen', 'com.example.Chosen');
    component(stack, 'Stated', 'com.example.Stated', '2.1.0');
    const byName = Object.fromEntries(Object.values(specs(stack)).map((s) => [s.componentName, s]));
    expect(byName['com.example.Chosen'].componentVersion).toBeUndefined();
    expect(byName['com.example.Stated'].componentVersion).toBe('2.1.0');
    expect(byName['com.example.Chosen'].componentArn).toBe('arn:${Ref:AWS::Partition}:greengrass:us-east-1:123456789012:components:com.example.Chosen');
    // the handler sets the version: the recipe carries none
    expect(Object.keys(byName['com.example.Stated'].recipe)).not.toContain('ComponentVersion');
  });

  test('the version, ARN and name are attributes of the resource (tokens until deployed)', () => {
    const stack = newStack();
    const c = component(stack, 'Model', 'com.example.Model');
    const [id] = Object.keys(specs(stack));
    expect(stack.resolve(c.componentVersion)).toEqual({ 'Fn::GetAtt': [id, 'ComponentVersion'] });
    expect(stack.resolve(c.componentArn)).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(stack.resolve(c.componentName)).toEqual({ 'Fn::GetAtt': [id, 'ComponentName'] });
  });

  test('one provider per stack, whatever the number of components', () => {
    const stack = newStack();
    component(stack, 'A', 'com.example.A');
    component(stack, 'B', 'com.example.B');
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Description: 'Chooses the version of a Greengrass component of a compiled model' },
    });
    expect(Object.keys(functions)).toHaveLength(1);
  });

  test('the handler may act on the versions of its components only, and never delete one', () => {
    const stack = newStack();
    component(stack, 'A', 'com.example.A');
    component(stack, 'B', 'com.example.B');
    const statements = greengrassStatements(stack);
    const arn = (name: string) => `arn:\${Ref:AWS::Partition}:greengrass:us-east-1:123456789012:components:${name}`;
    expect(statements.map((s) => ({ Action: s.Action, Resource: s.Resource.map(renderIntrinsics) }))).toEqual(['A', 'B'].map((n) => ({
      Action: ['greengrass:ListComponentVersions', 'greengrass:GetComponent', 'greengrass:DescribeComponent', 'greengrass:CreateComponentVersion'],
      Resource: [arn(`com.example.${n}`), `${arn(`com.example.${n}`)}:versions:*`],
    })));
  });

  test('the handler may read the artifact (CreateComponentVersion checks it can be accessed)', () => {
    const stack = newStack();
    component(stack, 'A', 'com.example.A');
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('SageMakerNeoComponentVersionProviderHandlerRole'));
    const reads = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => s.Action === 's3:GetObject');
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0].Resource)).toContain('ModelArtifactsObjectKey');
  });

  test('a mixed fleet: the handler may read each model\'s artifact, and the spec carries one manifest per job', () => {
    const stack = newStack();
    const jobs = ([['Xavier', TargetDevice.JETSON_XAVIER], ['Pi', TargetDevice.RASP3B]] as const).map(([id, device]) =>
      new CompilationJob(stack, id, { ...tinyOnnxModel(), target: CompilationTarget.device(device) }));
    new EdgeModelComponent(stack, 'Fleet', { models: jobs.map((compilationJob) => ({ compilationJob })), componentName: 'com.example.Fleet' });
    const reads = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('SageMakerNeoComponentVersionProviderHandlerRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => s.Action === 's3:GetObject');
    // One Fn::Sub per object (src/private/compact.ts): `${<bucket>.Arn}/${<job>.ModelArtifactsObjectKey}`.
    const readJobs = reads.flatMap((s: any) => [s.Resource].flat()).map((r: any) => /\/\$\{(\w+)\.ModelArtifactsObjectKey\}$/.exec(r['Fn::Sub'])![1]);
    const jobResources = Object.keys(Template.fromStack(stack).findResources(RESOURCE_TYPE));
    const jobIds = jobs.map((job) => jobResources.find((id) => id.startsWith(job.node.id))!);
    expect([...readJobs].sort()).toEqual([...jobIds].sort());
    const [spec] = Object.values(specs(stack));
    expect((spec.recipe.Manifests as any[]).map((m) => m.Artifacts[0].Uri)).toEqual(jobIds.map((id) => `\${GetAtt:${id}.ModelArtifactsS3Uri}`));
  });

  test('cdk-nag: no unacknowledged finding with two components', () => {
    const stack = newStack();
    component(stack, 'A', 'com.example.A');
    component(stack, 'B', 'com.example.B', '1.0.0');
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

describe('the handler bundle', () => {
  test('targets the floor of the Lambda runtimes and loads only Node\'s modules and SDK v3 clients the runtime includes', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8'));
    const step: string = tasks.tasks.bundle.steps.map((s: { exec?: string }) => s.exec ?? '').find((e: string) => e.includes('lambda/component-version/'));
    expect(step).toContain(`--target=node${MIN_NODE_MAJOR} `);
    // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html: Node.js runtimes include the AWS SDK for JavaScript v3.
    const bundle = fs.readFileSync(path.join(__dirname, '..', 'assets', 'component-version', 'index.js'), 'utf8');
    const loaded = [...new Set([...bundle.matchAll(/\b(?:require|import)\("([^"]+)"\)/g)].map(([, name]) => name))];
    expect(loaded.filter((name) => !builtinModules.includes(name.replace(/^node:/, ''))).sort())
      .toEqual(['@aws-sdk/client-greengrassv2']);
  });
});
