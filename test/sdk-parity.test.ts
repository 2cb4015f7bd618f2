/**
 * The SageMaker Python SDK 2.x (aws/sagemaker-python-sdk, branch master-v2) and this library build
 * the same CreateCompilationJob request for the same intent. Each row is a fact about the SDK's
 * request, with the test it comes from: either the request that test asserts, or the request the
 * SDK's compile path (src/sagemaker/model.py, Model._compilation_job_config) builds from that
 * test's arguments. Where our request differs, the row names the documented reason (README,
 * "Coming from the SageMaker Python SDK").
 */
import { CompilationJob, CompilationJobProps, CompilationTarget, CompilerOptions, DataInputConfig, Framework, TargetAccelerator, TargetArch, TargetDevice, TargetOs } from '../src';
import { BASE, errorOf } from './job-props';
import { newStack, onlyJobSpec } from './util';

/** The request fields both sides fill from the user's intent (JSON strings parsed). */
interface Comparable {
  readonly Framework?: string;
  readonly FrameworkVersion?: string;
  readonly DataInputConfig?: unknown;
  readonly TargetDevice?: string;
  readonly TargetPlatform?: object;
  readonly CompilerOptions?: unknown;
  readonly MaxRuntimeInSeconds?: number;
}

interface SdkCase {
  /** Where the fact comes from. */
  readonly source: string;
  /** The SDK call's arguments, as our props. */
  readonly props: Partial<CompilationJobProps>;
  /** The SDK's request. A field it leaves out is undefined here. */
  readonly sdk: Comparable;
  /** Where ours differs: why (as the README says), and what we do instead. */
  readonly differs?: { readonly because: string; readonly ours: Comparable | { readonly synthError: string } };
}

const TEST_NEO = 'tests/unit/sagemaker/model/test_neo.py';
/** test_neo.py compiles `{"data": [1, 3, 1024, 1024]}` for 15 minutes (compile_max_run's default) throughout. */
const NEO_SHAPE = { data: [1, 3, 1024, 1024] };
const sdkCall = (target: string, framework: string, frameworkVersion?: string): Partial<CompilationJobProps> => ({
  target: CompilationTarget.device(TargetDevice.of(target)),
  framework: Framework.of(framework), // the SDK's lower-case names
  frameworkVersion,
  dataInputConfig: DataInputConfig.fromShapes(NEO_SHAPE),
});
const sdkRequest = (target: string, framework: string, frameworkVersion?: string): Comparable => ({
  Framework: framework, FrameworkVersion: frameworkVersion, TargetDevice: target, DataInputConfig: NEO_SHAPE, MaxRuntimeInSeconds: 900,
});

const CASES: SdkCase[] = [
  // The request each parametrized case asserts (FrameworkVersion).
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
  ] as const).map(([target, framework, version, sent]): SdkCase => ({
    source: `${TEST_NEO}::test_compile_validates_framework_version[${target}-${framework}-${version}-${sent}]`,
    props: sdkCall(target, framework, version),
    sdk: sdkRequest(target, framework.toUpperCase(), sent),
  })),
  {
    source: `${TEST_NEO}::test_compile_validates_framework_version[amba_cv2-pytorch-1.6.1-None]`,
    props: sdkCall('amba_cv2', 'pytorch', '1.6.1'),
    sdk: sdkRequest('amba_cv2', 'PYTORCH', undefined),
    differs: {
      because: 'a version Neo refuses fails at synth, where the SDK drops it silently',
      ours: { synthError: 'frameworkVersion: Neo takes no framework version for amba_cv2' },
    },
  },
  // The compile path applied to each test's arguments.
  { source: `${TEST_NEO}::test_compile_model_for_inferentia`, props: sdkCall('ml_inf1', 'tensorflow', '1.15.0'), sdk: sdkRequest('ml_inf1', 'TENSORFLOW', '1.15') },
  { source: `${TEST_NEO}::test_compile_model_for_edge_device`, props: sdkCall('deeplens', 'tensorflow'), sdk: sdkRequest('deeplens', 'TENSORFLOW') },
  { source: `${TEST_NEO}::test_compile_model_for_cloud`, props: sdkCall('ml_c4', 'tensorflow'), sdk: sdkRequest('ml_c4', 'TENSORFLOW') },
  { source: `${TEST_NEO}::test_compile_with_framework_version_15`, props: sdkCall('ml_c4', 'pytorch', '1.5'), sdk: sdkRequest('ml_c4', 'PYTORCH', '1.5') },
  { source: `${TEST_NEO}::test_compile_with_framework_version_16`, props: sdkCall('ml_c4', 'pytorch', '1.6'), sdk: sdkRequest('ml_c4', 'PYTORCH', '1.6') },
  { source: `${TEST_NEO}::test_compile_with_pytorch_neo_in_ml_inf`, props: sdkCall('ml_inf1', 'pytorch', '1.6'), sdk: sdkRequest('ml_inf1', 'PYTORCH', '1.6') },
  { source: `${TEST_NEO}::test_compile_with_tensorflow_neo_in_ml_inf`, props: sdkCall('ml_inf1', 'tensorflow', '1.15'), sdk: sdkRequest('ml_inf1', 'TENSORFLOW', '1.15') },
  {
    source: `${TEST_NEO}::test_compile_model_linux_arm64_nvidia`,
    props: {
      ...sdkCall('unused', 'tensorflow'),
      target: CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64, accelerator: TargetAccelerator.NVIDIA }),
      compilerOptions: CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0.1', cudaVersion: '10.1' }),
    },
    sdk: {
      Framework: 'TENSORFLOW',
      DataInputConfig: NEO_SHAPE,
      MaxRuntimeInSeconds: 900,
      TargetDevice: undefined,
      TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
      CompilerOptions: { 'gpu-code': 'sm_72', 'trt-ver': '6.0.1', 'cuda-ver': '10.1' },
    },
  },
  {
    source: `${TEST_NEO}::test_compile_model_android_armv7`,
    props: {
      ...sdkCall('unused', 'tensorflow'),
      target: CompilationTarget.platform({ os: TargetOs.ANDROID, arch: TargetArch.ARM_EABI }),
      compilerOptions: CompilerOptions.android({ apiLevel: 25, mattr: ['+neon'] }),
    },
    sdk: {
      Framework: 'TENSORFLOW',
      DataInputConfig: NEO_SHAPE,
      MaxRuntimeInSeconds: 900,
      TargetDevice: undefined,
      TargetPlatform: { Os: 'ANDROID', Arch: 'ARM_EABI' },
      CompilerOptions: { ANDROID_PLATFORM: 25, mattr: ['+neon'] },
    },
  },
  {
    // The request this test asserts: MXNet on ml_c4, no FrameworkVersion (the SDK sends MXNet versions for ml_inf1 only).
    source: 'tests/unit/test_mxnet.py::test_mxnet_neo',
    props: { ...sdkCall('ml_c4', 'mxnet', '1.8'), dataInputConfig: DataInputConfig.fromShapes({ data: [100, 1, 28, 28] }) },
    sdk: { Framework: 'MXNET', FrameworkVersion: undefined, TargetDevice: 'ml_c4', DataInputConfig: { data: [100, 1, 28, 28] }, MaxRuntimeInSeconds: 900 },
    differs: {
      because: 'a version the SDK drops where Neo may take it is sent, with a synth warning that says what to do',
      ours: { Framework: 'MXNET', FrameworkVersion: '1.8', TargetDevice: 'ml_c4', DataInputConfig: { data: [100, 1, 28, 28] }, MaxRuntimeInSeconds: 900 },
    },
  },
];

/** Our request's comparable fields, as the SDK's fact names them. */
function oursFor(props: Partial<CompilationJobProps>, fields: string[]): Record<string, unknown> {
  const stack = newStack();
  new CompilationJob(stack, 'Job', { ...BASE, ...props });
  const { InputConfig, OutputConfig, StoppingCondition } = onlyJobSpec(stack).request;
  const parsed = (text?: string) => (text === undefined ? undefined : JSON.parse(text));
  const ours: Record<string, unknown> = {
    Framework: InputConfig?.Framework,
    FrameworkVersion: InputConfig?.FrameworkVersion,
    DataInputConfig: parsed(InputConfig?.DataInputConfig),
    TargetDevice: OutputConfig.TargetDevice,
    TargetPlatform: OutputConfig.TargetPlatform,
    CompilerOptions: parsed(OutputConfig.CompilerOptions),
    MaxRuntimeInSeconds: StoppingCondition.MaxRuntimeInSeconds,
  };
  return Object.fromEntries(fields.map((field) => [field, ours[field]]));
}

describe('the same intent gives the SDK\'s request', () => {
  test.each(CASES.filter((c) => c.differs === undefined).map((c) => [c.source, c] as const))('%s', (_, { props, sdk }) => {
    expect(oursFor(props, Object.keys(sdk))).toEqual(sdk);
  });
});

describe('... or differs for a documented reason', () => {
  test.each(CASES.filter((c) => c.differs !== undefined).map((c) => [c.source, c.differs!.because, c] as const))('%s: %s', (_, __, { props, differs }) => {
    const ours = differs!.ours;
    if ('synthError' in ours) expect(errorOf(props)).toContain(ours.synthError);
    else expect(oursFor(props, Object.keys(ours))).toEqual(ours);
  });
});
