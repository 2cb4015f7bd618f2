import { Token } from 'aws-cdk-lib';
import { ContextCheck, isCloudDevice, JobContext } from './private/job-context';
import { API_LIMITS, wholeMatch } from './private/limits';

/** CPU compiler options. */
export interface CpuCompilerOptions {
  /**
   * CPU micro-architecture, for example 'skylake-avx512'.
   * @default - Neo's default for the target
   */
  readonly mcpu?: string;
  /**
   * CPU flags, each starting with '+' or '-', for example ['+neon', '+vfpv4'].
   * @default - none
   */
  readonly mattr?: string[];
}

/** NVIDIA GPU compiler options (required with `TargetAccelerator.NVIDIA`). */
export interface NvidiaCompilerOptions {
  /** The GPU architecture, for example 'sm_72'. */
  readonly gpuCode: string;
  /** The TensorRT version, x.y.z, for example '6.0.1'. */
  readonly trtVersion: string;
  /** The CUDA version, x.y, for example '10.1'. */
  readonly cudaVersion: string;
}

/** Android compiler options. */
export interface AndroidCompilerOptions {
  /** The Android API level, 21 to 29. */
  readonly apiLevel: number;
  /**
   * CPU flags, e.g. ['+neon'] for 32-bit ARM with NEON.
   * @default - none
   */
  readonly mattr?: string[];
}

/** Core ML compiler options. */
export interface CoreMlCompilerOptions {
  /** Name of the classification labels file inside the input `.tar.gz` (one label per line). */
  readonly classLabels: string;
}

/** Precision of models compiled for Elastic Inference. */
export enum PrecisionMode {
  FP16 = 'FP16',
  FP32 = 'FP32',
}

/** Elastic Inference (ml_eia2) compiler options. */
export interface ElasticInferenceCompilerOptions {
  /**
   * Precision of the compiled model.
   * @default PrecisionMode.FP32
   */
  readonly precisionMode?: PrecisionMode;
  /**
   * Signature of a SavedModel, when it is not TensorFlow's default. At most one of
   * `signatureDefKey` and `outputNames`.
   * @default - TensorFlow's default signature def key
   */
  readonly signatureDefKey?: string;
  /**
   * Output tensor names of a FrozenGraph model.
   * @default - none
   */
  readonly outputNames?: string[];
}

/** Data type of a PyTorch model's input on ml_* targets (`dtype`). */
export enum InputDataType {
  FLOAT32 = 'float32',
  FLOAT = 'float',
  INT64 = 'int64',
  LONG = 'long',
}

const INFERENTIA_DEVICES = ['ml_inf1', 'ml_inf2', 'ml_trn1'];

/**
 * Target-specific compiler settings (`OutputConfig.CompilerOptions`): required for NVIDIA
 * accelerators, recommended for CPU targets, optional elsewhere. Each factory encodes its family
 * exactly as SageMaker expects; the job checks it against its target at synth time.
 */
export class CompilerOptions {
  /**
   * CPU options (`mcpu`, `mattr`).
   * @example CompilerOptions.cpu({ mcpu: 'skylake-avx512' })
   */
  public static cpu(options: CpuCompilerOptions): CompilerOptions {
    return new CompilerOptions({ mcpu: options.mcpu, mattr: options.mattr }, () => mattrProblems(options.mattr));
  }

  /**
   * ARM 32-bit with NEON (`{"mattr": ["+neon"]}`).
   */
  public static armNeon(): CompilerOptions {
    return new CompilerOptions({ mattr: ['+neon'] });
  }

  /**
   * NVIDIA GPU options (`gpu-code`, `trt-ver`, `cuda-ver`).
   * @example CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0.1', cudaVersion: '10.1' })
   */
  public static nvidia(options: NvidiaCompilerOptions): CompilerOptions {
    return new CompilerOptions(
      { 'gpu-code': options.gpuCode, 'trt-ver': options.trtVersion, 'cuda-ver': options.cudaVersion },
      () => [
        ...versionProblem('nvidia trtVersion', options.trtVersion, /^\d+\.\d+\.\d+$/, 'x.y.z'),
        ...versionProblem('nvidia cudaVersion', options.cudaVersion, /^\d+\.\d+$/, 'x.y'),
        ...(Token.isUnresolved(options.gpuCode) || /^sm_\d+$/.test(options.gpuCode) ? [] : [`nvidia gpuCode must look like 'sm_72' (got '${options.gpuCode}')`]),
      ]);
  }

  /**
   * Android options (`ANDROID_PLATFORM`, `mattr`); only with `TargetOs.ANDROID`.
   * @example CompilerOptions.android({ apiLevel: 29 })
   */
  public static android(options: AndroidCompilerOptions): CompilerOptions {
    return new CompilerOptions({ ANDROID_PLATFORM: options.apiLevel, mattr: options.mattr }, (context) => [
      ...(context.os === undefined || context.os === 'ANDROID' ? [] : ['android options need a platform target with TargetOs.ANDROID']),
      ...(Token.isUnresolved(options.apiLevel) || (Number.isInteger(options.apiLevel) && options.apiLevel >= 21 && options.apiLevel <= 29)
        ? [] : [`android apiLevel must be an integer from 21 to 29 (got ${options.apiLevel})`]),
      ...mattrProblems(options.mattr),
    ]);
  }

  /**
   * Inferentia options: the Neuron compiler's command-line flags, sent as a JSON string.
   * Only with ml_inf1, ml_inf2 and ml_trn1.
   * @example CompilerOptions.inferentia('--verbose 1 --num-neuroncores 2 -O2')
   */
  public static inferentia(flags: string): CompilerOptions {
    return new CompilerOptions(flags, (context) =>
      context.device === undefined || INFERENTIA_DEVICES.includes(context.device)
        ? [] : [`inferentia options need an Inferentia or Trainium target (${INFERENTIA_DEVICES.join(', ')}), not ${describeTarget(context)}`]);
  }

  /**
   * Core ML options (`class_labels`); only with `TargetDevice.COREML`.
   * @example CompilerOptions.coreml({ classLabels: 'imagenet_labels_1000.txt' })
   */
  public static coreml(options: CoreMlCompilerOptions): CompilerOptions {
    return new CompilerOptions({ class_labels: options.classLabels }, (context) =>
      context.device === undefined || context.device === 'coreml' ? [] : [`coreml options need TargetDevice.COREML, not ${describeTarget(context)}`]);
  }

  /**
   * Elastic Inference options (`precision_mode`, `signature_def_key` or `output_names`); only with ml_eia2.
   * @example CompilerOptions.elasticInference({ precisionMode: PrecisionMode.FP16, outputNames: ['output:0'] })
   */
  public static elasticInference(options: ElasticInferenceCompilerOptions): CompilerOptions {
    return new CompilerOptions({
      precision_mode: options.precisionMode,
      signature_def_key: options.signatureDefKey,
      output_names: options.outputNames,
    }, (context) => [
      ...(context.device === undefined || context.device === 'ml_eia2' ? [] : [`elasticInference options need TargetDevice.ML_EIA2, not ${describeTarget(context)}`]),
      ...(options.signatureDefKey !== undefined && options.outputNames !== undefined
        ? ['elasticInference options take at most one of signatureDefKey and outputNames'] : []),
    ]);
  }

  /**
   * The data type of a PyTorch model's input (`dtype`), for ml_* targets other than Inferentia.
   * @example CompilerOptions.inputDataType(InputDataType.INT64)
   */
  public static inputDataType(dtype: InputDataType): CompilerOptions {
    return new CompilerOptions({ dtype }, (context) => {
      const device = context.device ?? '';
      const problems: string[] = [];
      if (context.framework !== undefined && context.framework !== 'PYTORCH') problems.push(`inputDataType is for PYTORCH models only (framework is ${context.framework})`);
      if (context.device !== undefined && (!isCloudDevice(context) || device.startsWith('ml_inf'))) {
        problems.push(`inputDataType is for ml_* targets other than ml_inf* (target is ${describeTarget(context)})`);
      }
      return problems;
    });
  }

  /**
   * The JSON text exactly as SageMaker takes it.
   * @example CompilerOptions.fromJson('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}')
   */
  public static fromJson(json: string): CompilerOptions {
    return new CompilerOptions(json, undefined, true);
  }

  /** The JSON text sent to SageMaker. */
  public readonly json: string;

  private constructor(value: unknown, private readonly familyCheck?: ContextCheck, raw = false) {
    this.json = raw ? value as string : JSON.stringify(value);
  }

  /**
   * The problems of these options for a job, each naming the rule.
   * @internal
   */
  public _problems(context: JobContext): string[] {
    const problems: string[] = [];
    if (!Token.isUnresolved(this.json)) {
      const { min, max } = API_LIMITS.compilerOptions;
      if (this.json.length < min || this.json.length > max) {
        problems.push(`must be ${min} to ${max} characters of JSON (got ${this.json.length})`);
      }
      if (parseJson(this.json) === undefined) problems.push(`must be valid JSON (got ${this.json})`);
      if (!wholeMatch(API_LIMITS.compilerOptions.pattern).test(this.json)) problems.push('must be on one line (SageMaker rejects line breaks)');
      if (context.accelerator === 'NVIDIA') {
        const missing = ['gpu-code', 'trt-ver', 'cuda-ver'].filter((key) => !(key in (asObject(parseJson(this.json)) ?? {})));
        if (missing.length > 0) problems.push(`an NVIDIA accelerator needs ${missing.join(', ')} (use CompilerOptions.nvidia)`);
      }
    }
    return [...problems, ...(this.familyCheck?.(context) ?? [])];
  }
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json) ?? null;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

function mattrProblems(mattr?: string[]): string[] {
  return (mattr ?? []).filter((flag) => !Token.isUnresolved(flag) && !/^[+-][A-Za-z0-9_.-]+$/.test(flag))
    .map((flag) => `mattr flags start with '+' or '-' (got '${flag}')`);
}

function versionProblem(name: string, value: string, pattern: RegExp, format: string): string[] {
  return Token.isUnresolved(value) || pattern.test(value) ? [] : [`${name} must be in ${format} format (got '${value}')`];
}

function describeTarget(context: JobContext): string {
  return context.device ?? `a ${context.os ?? ''} platform`.replace('  ', ' ');
}
