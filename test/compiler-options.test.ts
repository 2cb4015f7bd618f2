/**
 * CompilerOptions: one rule table (src/private/compiler-option-rules.ts) checks the typed
 * factories and `fromJson` alike. Each rule of the reference is tested through the JSON escape
 * hatch, and through the typed factory where one can express the mistake.
 */
import { CfnParameter } from 'aws-cdk-lib';
import { CompilationJobProps, CompilerOptions, DataInputConfig, Framework, InputDataType, PrecisionMode, TargetAccelerator, TargetArch, TargetDevice, TargetOs } from '../src';
import { accepts, device, platform, PropsOverride, rejectsEach } from './job-props';

const json = (text: string) => CompilerOptions.fromJson(text);
const NVIDIA = platform(TargetOs.LINUX, TargetArch.ARM64, TargetAccelerator.NVIDIA);
const ANDROID = platform(TargetOs.ANDROID, TargetArch.ARM64);
const PYTORCH: Partial<CompilationJobProps> = { framework: Framework.PYTORCH };
const EIA: Partial<CompilationJobProps> = { framework: Framework.TENSORFLOW, target: device(TargetDevice.ML_EIA2) };
const COREML: Partial<CompilationJobProps> = { framework: Framework.TENSORFLOW, target: device(TargetDevice.COREML) };

describe('the JSON text', () => {
  rejectsEach([
    ['at least 3 characters', { compilerOptions: json('{}') }, 'compilerOptions: must be 3 to 1024 characters of JSON (got 2)'],
    ['at most 1024 characters', { compilerOptions: CompilerOptions.cpu({ mcpu: 'x'.repeat(1100) }) }, 'compilerOptions: must be 3 to 1024 characters of JSON (got 1111)'],
    ['valid JSON', { compilerOptions: json("{'mcpu': 'skylake-avx512'}") }, "compilerOptions: must be valid JSON (got {'mcpu': 'skylake-avx512'})"],
    ['on one line', { compilerOptions: json('{\n  "mcpu": "skylake-avx512"\n}') }, 'compilerOptions: must be on one line (SageMaker rejects line breaks)'],
    ['a JSON object, except for Neuron flags', { compilerOptions: json('["+neon"]') }, 'compilerOptions: must be a JSON object of options (got ["+neon"])'],
  ]);
});

describe('each documented key: its targets, its framework, its values', () => {
  rejectsEach([
    // DTYPE
    ['dtype values: float32, float, int64, long', { ...PYTORCH, compilerOptions: json('{"dtype": "float16"}') }, 'compilerOptions: "dtype" must be one of "float32", "float", "int64", "long" (got "float16")'],
    ['dtype is for PyTorch (typed)', { compilerOptions: CompilerOptions.inputDataType(InputDataType.INT64) }, 'compilerOptions: "dtype" is for PYTORCH models only (framework is ONNX)'],
    ['dtype is for PyTorch (JSON)', { compilerOptions: json('{"dtype": "int64"}') }, 'compilerOptions: "dtype" is for PYTORCH models only (framework is ONNX)'],
    ['dtype is not for edge targets', { ...PYTORCH, target: device(TargetDevice.JETSON_NANO), compilerOptions: json('{"dtype": "float"}') }, 'compilerOptions: "dtype" is for ml_* targets other than ml_inf* (target is jetson_nano)'],
    // CPU and ARM
    ['mcpu is a CPU name', { compilerOptions: json('{"mcpu": 7}') }, 'compilerOptions: "mcpu" must be a CPU micro-architecture'],
    ['mattr flags start with + or - (typed)', { compilerOptions: CompilerOptions.cpu({ mattr: ['neon'] }) }, 'compilerOptions: "mattr" must be a list of CPU flags that start with \'+\' or \'-\''],
    ['mattr flags start with + or - (JSON)', { compilerOptions: json('{"mattr": ["+neon", "vfpv4"]}') }, '(got ["+neon","vfpv4"])'],
    ['mattr is a list', { compilerOptions: json('{"mattr": "+neon"}') }, 'compilerOptions: "mattr" must be a list of CPU flags'],
    ['mattr is not for Core ML', { ...COREML, compilerOptions: json('{"mattr": ["+neon"]}') }, 'compilerOptions: "mattr" is for CPU, ARM and Android targets (not coreml or ml_eia2) (target is coreml)'],
    // NVIDIA
    ['an NVIDIA accelerator needs all three keys', { target: NVIDIA, compilerOptions: json('{"gpu-code": "sm_72"}') }, 'compilerOptions: an NVIDIA accelerator needs gpu-code, trt-ver, cuda-ver; missing trt-ver, cuda-ver'],
    ['an NVIDIA accelerator with mcpu alone (the reference\'s m5.2xlarge example, read as a CPU example)', { target: platform(TargetOs.LINUX, TargetArch.X86_64, TargetAccelerator.NVIDIA), compilerOptions: json('{"mcpu": "skylake-avx512"}') }, 'compilerOptions: an NVIDIA accelerator needs gpu-code, trt-ver, cuda-ver; missing gpu-code, trt-ver, cuda-ver'],
    ['gpu-code is sm_NN (typed)', { target: NVIDIA, compilerOptions: CompilerOptions.nvidia({ gpuCode: '72', trtVersion: '6.0.1', cudaVersion: '10.1' }) }, 'compilerOptions: "gpu-code" must be a GPU architecture like \'sm_72\' (got "72")'],
    ['trt-ver is x.y.z (typed)', { target: NVIDIA, compilerOptions: CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0', cudaVersion: '10.1' }) }, 'compilerOptions: "trt-ver" must be a TensorRT version in x.y.z format like \'6.0.1\' (got "6.0")'],
    ['trt-ver is x.y.z (JSON)', { target: NVIDIA, compilerOptions: json('{"gpu-code": "sm_72", "trt-ver": "6", "cuda-ver": "10.1"}') }, 'compilerOptions: "trt-ver" must be a TensorRT version in x.y.z format'],
    ['cuda-ver is x.y (JSON)', { target: NVIDIA, compilerOptions: json('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1.2"}') }, 'compilerOptions: "cuda-ver" must be a CUDA version in x.y format like \'10.1\' (got "10.1.2")'],
    ['NVIDIA keys need an NVIDIA GPU', { target: device(TargetDevice.RASP4B), compilerOptions: json('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}') }, 'compilerOptions: "gpu-code" is for NVIDIA GPU targets'],
    // ANDROID
    ['ANDROID_PLATFORM from 21 (typed)', { target: ANDROID, compilerOptions: CompilerOptions.android({ apiLevel: 20 }) }, 'compilerOptions: "ANDROID_PLATFORM" must be an Android API level, an integer from 21 to 29 (got 20)'],
    ['ANDROID_PLATFORM to 29 (JSON)', { target: ANDROID, compilerOptions: json('{"ANDROID_PLATFORM": 30}') }, '"ANDROID_PLATFORM" must be an Android API level, an integer from 21 to 29 (got 30)'],
    ['ANDROID_PLATFORM is a number', { target: ANDROID, compilerOptions: json('{"ANDROID_PLATFORM": "28"}') }, '(got "28")'],
    ['ANDROID_PLATFORM needs TargetOs.ANDROID (typed)', { target: platform(TargetOs.LINUX, TargetArch.ARM64), compilerOptions: CompilerOptions.android({ apiLevel: 28 }) }, 'compilerOptions: "ANDROID_PLATFORM" is for platform targets with TargetOs.ANDROID (target is a LINUX/ARM64 platform)'],
    ['ANDROID_PLATFORM needs TargetOs.ANDROID (JSON)', { compilerOptions: json('{"ANDROID_PLATFORM": 28}') }, '"ANDROID_PLATFORM" is for platform targets with TargetOs.ANDROID (target is ml_c5)'],
    // INFERENTIA
    ['Neuron flags need ml_inf1, ml_inf2 or ml_trn1 (typed)', { compilerOptions: CompilerOptions.inferentia('--num-neuroncores 2') }, 'compilerOptions: a JSON string (Neuron compiler flags) is for ml_inf1, ml_inf2, ml_trn1 only (target is ml_c5)'],
    ['Neuron flags need ml_inf1, ml_inf2 or ml_trn1 (JSON)', { compilerOptions: json('"--num-neuroncores 2"') }, 'a JSON string (Neuron compiler flags) is for ml_inf1, ml_inf2, ml_trn1 only'],
    ['ml_inf* takes one JSON string only', { target: device(TargetDevice.ML_INF1), compilerOptions: json('{"mcpu": "skylake-avx512"}') }, 'compilerOptions: ml_inf1 takes the Neuron compiler\'s flags as one JSON string'],
    ['Neuron flags as bare text are not JSON', { target: device(TargetDevice.ML_INF2), compilerOptions: json('--verbose 1 -O2') }, 'compilerOptions: must be valid JSON (got --verbose 1 -O2)'],
    // CoreML
    ['class_labels needs TargetDevice.COREML (typed)', { compilerOptions: CompilerOptions.coreml({ classLabels: 'labels.txt' }) }, 'compilerOptions: "class_labels" is for TargetDevice.COREML (target is ml_c5)'],
    ['class_labels is a file name', { ...COREML, compilerOptions: json('{"class_labels": ""}') }, 'compilerOptions: "class_labels" must be the name of the labels file inside the model archive (got "")'],
    // EIA
    ['precision_mode is FP16 or FP32', { ...EIA, compilerOptions: json('{"precision_mode": "INT8"}') }, 'compilerOptions: "precision_mode" must be one of "FP16", "FP32" (got "INT8")'],
    ['Elastic Inference keys need ml_eia2 (typed)', { compilerOptions: CompilerOptions.elasticInference({ precisionMode: PrecisionMode.FP16 }) }, 'compilerOptions: "precision_mode" is for TargetDevice.ML_EIA2 (Elastic Inference) (target is ml_c5)'],
    ['signature_def_key or output_names, not both (typed)', { ...EIA, compilerOptions: CompilerOptions.elasticInference({ signatureDefKey: 'serving', outputNames: ['out:0'] }) }, 'compilerOptions: take at most one of "signature_def_key" and "output_names"'],
    ['signature_def_key or output_names, not both (JSON)', { ...EIA, compilerOptions: json('{"signature_def_key": "serving", "output_names": ["out:0"]}') }, 'compilerOptions: take at most one of "signature_def_key" and "output_names"'],
    ['output_names is a list of names', { ...EIA, compilerOptions: json('{"output_names": "out:0"}') }, 'compilerOptions: "output_names" must be a list of output tensor names (got "out:0")'],
  ]);
});

describe('accepted', () => {
  test.each<[string, PropsOverride]>([
    ['unknown keys pass through', { compilerOptions: json('{"mcpu": "skylake-avx512", "future_flag": {"x": 1}}') }],
    ['mcpu with the NVIDIA keys on an x86 NVIDIA platform', { target: platform(TargetOs.LINUX, TargetArch.X86_64, TargetAccelerator.NVIDIA), compilerOptions: json('{"mcpu": "skylake-avx512", "gpu-code": "sm_75", "trt-ver": "7.1.3", "cuda-ver": "10.2"}') }],
    ['the reference\'s Raspberry Pi 3 example', { target: platform(TargetOs.LINUX, TargetArch.ARM_EABIHF), compilerOptions: json('{"mattr": ["+neon"]}') }],
    ['the reference\'s Jetson TX2 example', { target: NVIDIA, compilerOptions: json('{"gpu-code": "sm_62", "trt-ver": "6.0.1", "cuda-ver": "10.0"}') }],
    ['the reference\'s RK3399 example (no options)', { target: platform(TargetOs.LINUX, TargetArch.ARM64, TargetAccelerator.MALI) }],
    ['the reference\'s ARMv7 phone example', { target: platform(TargetOs.ANDROID, TargetArch.ARM_EABI), compilerOptions: json('{"ANDROID_PLATFORM": 25, "mattr": ["+neon"]}') }],
    ['the reference\'s ARMv8 phone example', { target: ANDROID, compilerOptions: json('{"ANDROID_PLATFORM": 29}') }],
    ['the reference\'s dtype example', { ...PYTORCH, compilerOptions: json('{"dtype" : "float32"}') }],
    ['the reference\'s Elastic Inference SavedModel example', { ...EIA, dataInputConfig: DataInputConfig.fromJson('{"inputs": [1, 224, 224, 3]}'), compilerOptions: json('{"signature_def_key": "serving_custom"}') }],
    ['NVIDIA keys on a Jetson device', { target: device(TargetDevice.JETSON_XAVIER), compilerOptions: json('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}') }],
    ['Neuron flags on ml_trn1', { target: device(TargetDevice.ML_TRN1), compilerOptions: json('"--verbose 1 --num-neuroncores 2 -O2"') }],
    ['the reference\'s Elastic Inference example', { ...EIA, compilerOptions: json('{"precision_mode": "FP32", "output_names": ["output:0"]}') }],
    ['dtype long for PyTorch on ml_g4dn', { ...PYTORCH, target: device(TargetDevice.ML_G4DN), compilerOptions: json('{"dtype": "long"}') }],
    ['an unknown target device: target rules wait for the deploy', (stack) => ({ target: device(TargetDevice.of(new CfnParameter(stack, 'Device').valueAsString)), compilerOptions: json('{"class_labels": "labels.txt"}') })],
  ])('%s', (_, props) => {
    accepts(props);
  });
});

describe('the typed factories encode each family exactly as SageMaker expects', () => {
  test.each<[string, CompilerOptions, string]>([
    ['cpu', CompilerOptions.cpu({ mcpu: 'skylake-avx512', mattr: ['+avx512f'] }), '{"mcpu":"skylake-avx512","mattr":["+avx512f"]}'],
    ['armNeon', CompilerOptions.armNeon(), '{"mattr":["+neon"]}'],
    ['nvidia', CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0.1', cudaVersion: '10.1' }), '{"gpu-code":"sm_72","trt-ver":"6.0.1","cuda-ver":"10.1"}'],
    ['android', CompilerOptions.android({ apiLevel: 25, mattr: ['+neon'] }), '{"ANDROID_PLATFORM":25,"mattr":["+neon"]}'],
    ['inferentia (a JSON string of CLI flags)', CompilerOptions.inferentia('--verbose 1 --num-neuroncores 2 -O2'), '"--verbose 1 --num-neuroncores 2 -O2"'],
    ['coreml', CompilerOptions.coreml({ classLabels: 'imagenet_labels_1000.txt' }), '{"class_labels":"imagenet_labels_1000.txt"}'],
    ['elasticInference', CompilerOptions.elasticInference({ precisionMode: PrecisionMode.FP16, outputNames: ['output:0'] }), '{"precision_mode":"FP16","output_names":["output:0"]}'],
    ['dtype', CompilerOptions.inputDataType(InputDataType.FLOAT32), '{"dtype":"float32"}'],
  ])('%s', (_, options, text) => {
    expect(options.json).toBe(text);
  });
});
