import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { renderIntrinsics } from '../docs/example/print-requests';
import {
  CompilationJob, CompilationJobProps, CompilationTarget, EdgeModelComponent, TargetArch, TargetDevice, TargetOs,
} from '../src';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { COMPONENT_VERSION_RESOURCE_TYPE, ComponentVersionSpec } from '../src/private/component-contract';
import { RESOURCE_TYPE } from '../src/private/contract';

const JOB: CompilationJobProps = {
  ...tinyOnnxModel(),
  target: CompilationTarget.device(TargetDevice.RASP4B),
};

/** The spec of the stack's only component version, parsed from the template. */
function specOf(template: Template): ComponentVersionSpec {
  const [component] = Object.values(template.findResources(COMPONENT_VERSION_RESOURCE_TYPE));
  return JSON.parse(renderIntrinsics(component.Properties.Spec));
}

/** The recipe of the stack's only component version (the handler adds ComponentVersion). */
function recipeOf(template: Template): any {
  return specOf(template).recipe;
}

function setup(jobProps: Partial<CompilationJobProps> = {}, componentProps: Partial<ConstructorParameters<typeof EdgeModelComponent>[2]> = {}) {
  const stack = newStack();
  const job = new CompilationJob(stack, 'Job', { ...JOB, ...jobProps });
  const deviceRole = new iam.Role(stack, 'TokenExchangeRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
  new EdgeModelComponent(stack, 'Component', {
    compilationJob: job,
    componentName: 'com.example.TinyOnnx',
    componentVersion: '1.0.0',
    deviceRole,
    ...componentProps,
  });
  const template = Template.fromStack(stack);
  const [jobId] = Object.keys(template.findResources(RESOURCE_TYPE));
  return { stack, template, jobId };
}

describe('EdgeModelComponent', () => {
  test('the recipe ships the compiled .tar.gz unarchived and extracts it on install', () => {
    const { template, jobId } = setup();
    expect(recipeOf(template)).toEqual({
      RecipeFormatVersion: '2020-01-25',
      ComponentName: 'com.example.TinyOnnx',
      ComponentDescription: 'SageMaker Neo model compiled for rasp4b',
      ComponentPublisher: 'cdk-sagemaker-neo',
      Manifests: [{
        Platform: { os: 'linux', architecture: 'arm' },
        Lifecycle: {
          Install: {
            Script: 'rm -rf {work:path}/model && mkdir -p {work:path}/model && tar -xzf {artifacts:path}/*.tar.gz -C {work:path}/model',
            RequiresPrivilege: false,
          },
        },
        Artifacts: [{ Uri: `\${GetAtt:${jobId}.ModelArtifactsS3Uri}`, Unarchive: 'NONE' }],
      }],
    });
  });

  test.each<[string, CompilationTarget, object | undefined]>([
    ['Raspberry Pi 3', CompilationTarget.device(TargetDevice.RASP3B), { os: 'linux', architecture: 'arm' }],
    ['Jetson Nano', CompilationTarget.device(TargetDevice.JETSON_NANO), { os: 'linux', architecture: 'aarch64' }],
    ['Jetson Xavier', CompilationTarget.device(TargetDevice.JETSON_XAVIER), { os: 'linux', architecture: 'aarch64' }],
    ['i.MX 8M Plus', CompilationTarget.device(TargetDevice.IMX8MPLUS), { os: 'linux', architecture: 'aarch64' }],
    ['Windows x64', CompilationTarget.device(TargetDevice.X86_WIN64), { os: 'windows', architecture: 'amd64' }],
    ['a Linux ARM64 platform', CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64 }), { os: 'linux', architecture: 'aarch64' }],
    ['a Linux ARMv7 hard-float platform', CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM_EABIHF }), { os: 'linux', architecture: 'arm' }],
    ['an unknown device (any platform)', CompilationTarget.device(TargetDevice.QCS605), undefined],
    ['Android (not a Greengrass OS: any platform)', CompilationTarget.platform({ os: TargetOs.ANDROID, arch: TargetArch.ARM64 }), undefined],
  ])('platform of %s', (_, target, platform) => {
    const { template } = setup({ target });
    expect(recipeOf(template).Manifests[0].Platform).toEqual(platform);
  });

  test('an explicit platform wins', () => {
    const { template } = setup({}, { platform: { os: 'linux', architecture: 'aarch64' } });
    expect(recipeOf(template).Manifests[0].Platform).toEqual({ os: 'linux', architecture: 'aarch64' });
  });

  test('the device role may read exactly the compiled artifact', () => {
    const { template, jobId } = setup();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TokenExchangeRole') }],
      PolicyDocument: {
        Statement: [{
          Action: 's3:GetObject',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SageMakerNeoCompiledModels'), 'Arn'] }, '/', { 'Fn::GetAtt': [jobId, 'ModelArtifactsObjectKey'] }]] },
        }],
      },
    });
  });

  test('the component waits for the compilation (it references the artifact)', () => {
    const { template, jobId } = setup();
    const [component] = Object.values(template.findResources(COMPONENT_VERSION_RESOURCE_TYPE));
    expect(JSON.stringify(component.Properties.Spec)).toContain(`{"Fn::GetAtt":["${jobId}","ModelArtifactsS3Uri"]}`);
  });

  test.each<[string, object, string]>([
    ['componentVersion is semantic', { componentVersion: '1.0' }, "componentVersion: must be a semantic version major.minor.patch, e.g. '1.0.0' (got '1.0')"],
    ['componentName characters', { componentName: 'com example' }, "componentName: must be 1 to 128 letters, digits, '.', '_' or '-' (got 'com example')"],
  ])('validation: %s', (_, props, message) => {
    expect(() => setup({}, props)).toThrow(message);
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const { stack } = setup();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
