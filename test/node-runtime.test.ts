import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { CompilationJob, CompilationTarget, TargetDevice } from '../src';
import { MIN_NODE_MAJOR, newestNodeRuntime } from '../src/private/node-runtime';

/** The installed aws-cdk-lib (the dev pin, or the newest under `npx projen test:newest-cdk`). */
const CDK_LIB = path.dirname(require.resolve('aws-cdk-lib/package.json'));
const CDK_LIB_VERSION: string = JSON.parse(fs.readFileSync(path.join(CDK_LIB, 'package.json'), 'utf8')).version;

/**
 * The newest `NODEJS_<n>_X` the installed aws-cdk-lib declares without `@deprecated`, read from its
 * type declarations: the answer is derived independently of the code under test.
 */
function newestDeclaredNodeRuntime(): string {
  const declarations = fs.readFileSync(path.join(CDK_LIB, 'aws-lambda', 'lib', 'runtime.d.ts'), 'utf8');
  const majors = [...declarations.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*static readonly NODEJS_(\d+)_X: Runtime;/g)]
    .filter(([, doc]) => !doc.includes('@deprecated'))
    .map(([, , major]) => Number(major));
  expect(majors.length).toBeGreaterThan(0);
  return `nodejs${Math.max(...majors)}.x`;
}

function jobStack(): Stack {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
  new CompilationJob(stack, 'Job', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5) });
  return stack;
}

describe('the handler runtime follows the installed aws-cdk-lib', () => {
  test(`is the newest Node.js runtime it declares (aws-cdk-lib ${CDK_LIB_VERSION})`, () => {
    expect(newestNodeRuntime().name).toBe(newestDeclaredNodeRuntime());
  });

  test('the OnEvent and IsComplete functions use it', () => {
    const functions = Template.fromStack(jobStack()).findResources('AWS::Lambda::Function');
    const ours = Object.values(functions).filter((f) => /^index\.(onEvent|isComplete)$/.test(f.Properties.Handler));
    expect(ours.map((f) => f.Properties.Runtime)).toEqual([newestDeclaredNodeRuntime(), newestDeclaredNodeRuntime()]);
  });

  test('cdk-nag AwsSolutions-L1 (latest runtime) reports none of them', () => {
    const stack = jobStack();
    const l1 = new AwsSolutionsChecks(stack).validateScope(stack).violations.filter((v) => v.ruleName === 'AwsSolutions-L1');
    expect(l1).toEqual([]);
  });

  test('refuses an aws-cdk-lib whose newest Node.js runtime is below the bundle\'s target', () => {
    const known = Object.getOwnPropertyNames(lambda.Runtime).filter((key) => /^NODEJS_\d+_X$/.test(key));
    const hidden = known.filter((key) => Number(key.split('_')[1]) >= MIN_NODE_MAJOR);
    const saved = hidden.map((key) => Object.getOwnPropertyDescriptor(lambda.Runtime, key)!);
    try {
      hidden.forEach((key) => delete (lambda.Runtime as any)[key]);
      const below = Math.max(...known.filter((key) => !hidden.includes(key)).map((key) => Number(key.split('_')[1])));
      expect(() => newestNodeRuntime()).toThrow(
        `needs a Lambda Node.js runtime of ${MIN_NODE_MAJOR} or later; the installed aws-cdk-lib knows nodejs${below}.x`);
    } finally {
      hidden.forEach((key, i) => Object.defineProperty(lambda.Runtime, key, saved[i]));
    }
    expect(newestNodeRuntime().name).toBe(newestDeclaredNodeRuntime());
  });
});

describe('the bundle runs on every runtime it may be given', () => {
  test('the floor is the bundle\'s esbuild target', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8'));
    const command: string = tasks.tasks.bundle.steps[0].exec;
    expect(command).toContain(`--target=node${MIN_NODE_MAJOR} `);
  });

  test('what it loads at run time is Node\'s own or the SDK v3 clients every Node.js runtime from 18 on includes', () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html: the Node.js runtimes
    // (nodejs18.x and later) include the AWS SDK for JavaScript v3.
    expect(MIN_NODE_MAJOR).toBeGreaterThanOrEqual(18);
    const bundle = fs.readFileSync(path.join(__dirname, '..', 'assets', 'compilation-job', 'index.js'), 'utf8');
    const loaded = new Set([...bundle.matchAll(/\b(?:require|import)\("([^"]+)"\)/g)].map(([, name]) => name));
    const fromRuntime = [...loaded].filter((name) => !builtinModules.includes(name.replace(/^node:/, ''))).sort();
    expect(fromRuntime).toEqual(['@aws-sdk/client-cloudformation', '@aws-sdk/client-cloudwatch-logs', '@aws-sdk/client-s3', '@aws-sdk/client-sfn']);
  });
});
