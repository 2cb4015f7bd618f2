/**
 * The same intent through the SageMaker Python SDK (`Model.compile`, 2.x) and through this
 * library gives the same CreateCompilationJob request, or differs for a reason the README states.
 *
 * Each row is a fact read from the SDK's own unit tests (aws/sagemaker-python-sdk, branch
 * master-v2): the arguments a test passes to `compile` and what the SDK then sends (its
 * `_compilation_job_config`: `Framework` upper-cased, `FrameworkVersion` only for some
 * framework/target pairs and cut to major.minor, `DataInputConfig` and `CompilerOptions` as JSON,
 * `MaxRuntimeInSeconds` 900 by default). No SDK code is copied.
 * NEO = tests/unit/sagemaker/model/test_neo.py, MXNET = tests/unit/test_mxnet.py.
 *
 * Fields compared: InputConfig.Framework, FrameworkVersion and DataInputConfig (as JSON values),
 * OutputConfig.TargetDevice/TargetPlatform/CompilerOptions (as JSON), StoppingCondition. The output
 * location differs by design (each of our jobs writes under `<outputPrefix><job name>/`), and so do
 * the role and the job name; they are not compared.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { newStack, onlyJobSpec } from './util';
import {
  CompilationJob, CompilationTarget, CompilerOptions, DataInputConfig, Framework, ModelInput,
  TargetAccelerator, TargetArch, TargetDevice, TargetOs,
} from '../src';

/** What the user asks for, in the SDK's words (`target_instance_family` or `target_platform_*`). */
interface Intent {
  readonly target: string | { readonly os: string; readonly arch: string; readonly accelerator?: string };
  readonly framework: string;
  readonly frameworkVersion?: string;
  readonly inputShape: Record<string, number[]>;
  readonly compilerOptions?: Record<string, unknown>;
}

/** What the SDK sends for it (the fields compared). */
interface SdkRequest {
  readonly Framework: string;
  readonly FrameworkVersion?: string;
  readonly TargetDevice?: string;
  readonly TargetPlatform?: { readonly Os: string; readonly Arch: string; readonly Accelerator?: string };
  readonly CompilerOptions?: Record<string, unknown>;
}

interface Case {
  readonly source: string;
  readonly intent: Intent;
  readonly sdkSends: SdkRequest;
  /** Where we differ on purpose, and the README's reason. */
  readonly differs?: { readonly we: 'refuse at synth' | 'send and warn'; readonly reason: string };
}

const SHAPE = { data: [1, 3, 1024, 1024] };
const AMBA_REFUSES = 'Neo refuses a framework version for amba_cv2 ("Unsupported framework version field for target"); '
  + 'the SDK drops it silently, we stop at synth and say to remove it';
const MXNET_ON_C4 = 'the SDK leaves out an MXNet version on ml_c4; the API takes one and Neo names ml_c4 among the targets '
  + 'that take a version, so we send what was asked and warn that Neo may refuse it';
const NVIDIA_OPTIONS = { 'gpu-code': 'sm_72', 'trt-ver': '6.0.1', 'cuda-ver': '10.1' };
const ANDROID_OPTIONS = { ANDROID_PLATFORM: 25, mattr: ['+neon'] };

/** A case on a target device: the SDK sends the device, the upper-cased framework and `sentVersion`. */
function onDevice(source: string, device: string, framework: string, version?: string, sentVersion = version): Case {
  return {
    source,
    intent: { target: device, framework, frameworkVersion: version, inputShape: SHAPE },
    sdkSends: { Framework: framework.toUpperCase(), FrameworkVersion: sentVersion, TargetDevice: device },
  };
}

const CASES: Case[] = [
  onDevice('NEO test_compile_model_for_inferentia', 'ml_inf1', 'tensorflow', '1.15.0', '1.15'),
  onDevice('NEO test_compile_model_for_edge_device', 'deeplens', 'tensorflow'),
  {
    source: 'NEO test_compile_model_linux_arm64_nvidia',
    intent: { target: { os: 'LINUX', arch: 'ARM64', accelerator: 'NVIDIA' }, framework: 'tensorflow', inputShape: SHAPE, compilerOptions: NVIDIA_OPTIONS },
    sdkSends: { Framework: 'TENSORFLOW', TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' }, CompilerOptions: NVIDIA_OPTIONS },
  },
  {
    source: 'NEO test_compile_model_android_armv7',
    intent: { target: { os: 'ANDROID', arch: 'ARM_EABI' }, framework: 'tensorflow', inputShape: SHAPE, compilerOptions: ANDROID_OPTIONS },
    sdkSends: { Framework: 'TENSORFLOW', TargetPlatform: { Os: 'ANDROID', Arch: 'ARM_EABI' }, CompilerOptions: ANDROID_OPTIONS },
  },
  onDevice('NEO test_compile_model_for_cloud', 'ml_c4', 'tensorflow'),
  onDevice('NEO test_compile_with_framework_version_15', 'ml_c4', 'pytorch', '1.5'),
  onDevice('NEO test_compile_with_framework_version_16', 'ml_c4', 'pytorch', '1.6'),
  onDevice('NEO test_compile_with_pytorch_neo_in_ml_inf', 'ml_inf1', 'pytorch', '1.6'),
  onDevice('NEO test_compile_with_tensorflow_neo_in_ml_inf', 'ml_inf1', 'tensorflow', '1.15'),
  // NEO test_compile_validates_framework_version, one row per parameter set
  ...([
    ['ml_c4', 'pytorch', '1.6', '1.6'],
    ['rasp3b', 'pytorch', '1.6.1', '1.6'],
    ['ml_c4', 'tensorflow', '1.15.1', '1.15'],
    ['ml_c4', 'tensorflow', '2.15.1', '2.15'],
    ['ml_inf1', 'tensorflow', '2.15.1', '2.15'],
    ['ml_inf2', 'pytorch', '2.0', '2.0'],
    ['ml_inf2', 'pytorch', '2.0.1', '2.0'],
    ['ml_trn1', 'pytorch', '2.0.1', '2.0'],
    ['ml_trn1', 'tensorflow', '2.0.1', '2.0'],
  ] as const).map(([device, framework, version, sent]) =>
    onDevice(`NEO test_compile_validates_framework_version[${device}-${framework}-${version}]`, device, framework, version, sent)),
  {
    ...onDevice('NEO test_compile_validates_framework_version[amba_cv2-pytorch-1.6.1]', 'amba_cv2', 'pytorch', '1.6.1', undefined),
    differs: { we: 'refuse at synth', reason: AMBA_REFUSES },
  },
  {
    source: 'MXNET test_compile_model (mx.compile_model on ml_c4)',
    intent: { target: 'ml_c4', framework: 'mxnet', frameworkVersion: '1.8.0', inputShape: { data: [100, 1, 28, 28] } },
    sdkSends: { Framework: 'MXNET', TargetDevice: 'ml_c4' },
    differs: { we: 'send and warn', reason: MXNET_ON_C4 },
  },
];

function targetOf(target: Intent['target']): CompilationTarget {
  if (typeof target === 'string') return CompilationTarget.device(TargetDevice.of(target));
  return CompilationTarget.platform({
    os: TargetOs.of(target.os),
    arch: TargetArch.of(target.arch),
    accelerator: target.accelerator === undefined ? undefined : TargetAccelerator.of(target.accelerator),
  });
}

/** Our job for the intent, written as a user coming from the SDK would (the SDK's lower-case framework names). */
function synthesize(intent: Intent) {
  const stack = newStack();
  new CompilationJob(stack, 'Job', {
    model: ModelInput.fromBucket(new s3.Bucket(stack, 'Models'), 'model.tar.gz'),
    framework: Framework.of(intent.framework),
    frameworkVersion: intent.frameworkVersion,
    dataInputConfig: DataInputConfig.fromShapes(intent.inputShape),
    target: targetOf(intent.target),
    compilerOptions: intent.compilerOptions && CompilerOptions.fromJson(JSON.stringify(intent.compilerOptions)),
  });
  return stack;
}

describe.each(CASES)('$source', ({ intent, sdkSends, differs }) => {
  if (differs?.we === 'refuse at synth') {
    test(`we refuse it at synth: ${differs.reason}`, () => {
      expect(() => synthesize(intent)).toThrow(/frameworkVersion: .*Remove frameworkVersion/);
    });
    return;
  }

  test(differs ? `the same request, but: ${differs.reason}` : 'the same request', () => {
    const stack = synthesize(intent);
    const { InputConfig, OutputConfig, StoppingCondition } = onlyJobSpec(stack).request;
    const ours: SdkRequest = {
      Framework: InputConfig!.Framework,
      FrameworkVersion: InputConfig!.FrameworkVersion,
      TargetDevice: OutputConfig.TargetDevice,
      TargetPlatform: OutputConfig.TargetPlatform,
      CompilerOptions: OutputConfig.CompilerOptions === undefined ? undefined : JSON.parse(OutputConfig.CompilerOptions),
    };
    const expected = differs?.we === 'send and warn' ? { ...sdkSends, FrameworkVersion: '1.8' } : sdkSends;
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(JSON.parse(InputConfig!.DataInputConfig!)).toEqual(intent.inputShape);
    expect(StoppingCondition.MaxRuntimeInSeconds).toBe(900);

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('may be refused by Neo'));
    expect(warnings).toHaveLength(differs?.we === 'send and warn' ? 1 : 0);
  });
});

test('most cases match the SDK exactly; each difference names its reason', () => {
  const same = CASES.filter((c) => c.differs === undefined);
  expect(same.length).toBe(CASES.length - 2);
  for (const c of CASES.filter((x) => x.differs)) expect(c.differs!.reason).toMatch(/SDK/);
});
