import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ts from 'typescript';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { CompilationJob, CompilationTarget, EdgeModelComponent, TargetDevice } from '../src';

/** The installed aws-cdk-lib (the dev pin, or the newest under `npx projen test:newest-cdk`). */
const CDK_LIB = path.dirname(require.resolve('aws-cdk-lib/package.json'));
const CDK_LIB_VERSION: string = JSON.parse(fs.readFileSync(path.join(CDK_LIB, 'package.json'), 'utf8')).version;
const ROOT = path.join(__dirname, '..');

/**
 * Every use of an API marked `@deprecated` in src/, as TypeScript reports it (its "is deprecated"
 * suggestions), with aws-cdk-lib and constructs resolved to the installed copies.
 */
function deprecatedUses(): string[] {
  const files = (fs.readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(ROOT, 'src', file));
  const constructs = path.dirname(require.resolve('constructs/package.json', { paths: [CDK_LIB] }));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    baseUrl: ROOT,
    paths: { 'aws-cdk-lib': [CDK_LIB], 'aws-cdk-lib/*': [`${CDK_LIB}/*`], 'constructs': [constructs] },
  };
  const service = ts.createLanguageService({
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => fs.existsSync(file) ? ts.ScriptSnapshot.fromString(fs.readFileSync(file, 'utf8')) : undefined,
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
  });
  // A program that does not compile against this aws-cdk-lib would hide deprecations behind errors.
  const errors = service.getProgram()!.getSemanticDiagnostics();
  expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
  return files.flatMap((file) => service.getSuggestionDiagnostics(file)
    .filter((d) => d.reportsDeprecated)
    .map((d) => `${path.relative(ROOT, file)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1} ` +
      ts.flattenDiagnosticMessageText(d.messageText, ' ')));
}

describe(`no deprecated aws-cdk-lib API (aws-cdk-lib ${CDK_LIB_VERSION})`, () => {
  test('src/ calls none, as TypeScript sees it against the installed aws-cdk-lib', () => {
    expect(deprecatedUses()).toEqual([]);
  });

  describe('a synth with JSII_DEPRECATED=fail passes', () => {
    const saved = process.env.JSII_DEPRECATED;
    beforeAll(() => { process.env.JSII_DEPRECATED = 'fail'; });
    afterAll(() => { process.env.JSII_DEPRECATED = saved; });

    const synth = (build: (stack: Stack) => void) => {
      const app = new App();
      build(new Stack(app, 'Stack', { env: { account: '123456789012', region: 'us-east-1' } }));
      return app.synth();
    };

    test('the mode is on: a deprecated property throws DeprecationError', () => {
      // AppProps#policyValidationBeta1 is deprecated on every supported aws-cdk-lib (for Validations).
      expect(() => new App({ ...{ policyValidationBeta1: [] } })).toThrow(expect.objectContaining({ name: 'DeprecationError' }));
    });

    test('a one-hour job', () => {
      expect(() => synth((stack) => new CompilationJob(stack, 'Job', {
        ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5),
      }))).not.toThrow();
    });

    test('a long-path job (timeout above 59 minutes)', () => {
      expect(() => synth((stack) => new CompilationJob(stack, 'Job', {
        ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.ML_C5), timeout: Duration.hours(3),
      }))).not.toThrow();
    });

    test('an EdgeModelComponent', () => {
      expect(() => synth((stack) => new EdgeModelComponent(stack, 'Component', {
        compilationJob: new CompilationJob(stack, 'Job', { ...tinyOnnxModel(), target: CompilationTarget.device(TargetDevice.RASP4B) }),
        platform: { os: 'linux', architecture: 'arm' }, // rasp4b: the devices' OS must be given
        componentName: 'com.example.TinyOnnx',
        deviceRole: new iam.Role(stack, 'DeviceRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') }),
      }))).not.toThrow();
    });
  });
});
