import { Token } from 'aws-cdk-lib';
import { compilerOptionProblems } from './private/compiler-option-rules';
import { JobContext } from './private/job-context';
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
  /** 16-bit floating point: smaller and faster, slightly less accurate. */
  FP16 = 'FP16',
  /** 32-bit floating point (the default). */
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
  /** 32-bit floating point (Neo's default). */
  FLOAT32 = 'float32',
  /** Same as FLOAT32. */
  FLOAT = 'float',
  /** 64-bit integer. */
  INT64 = 'int64',
  /** Same as INT64. */
  LONG = 'long',
}

/**
 * Target-specific compiler settings (`OutputConfig.CompilerOptions`): required for NVIDIA
 * accelerators, recommended for CPU targets, optional elsewhere. Each factory encodes its family
 * exactly as SageMaker expects. Every option, typed or from JSON, is checked at synth time against
 * the job's target and framework by the same rules.
 */
export class CompilerOptions {
  /**
   * CPU options (`mcpu`, `mattr`).
   * @param options the CPU micro-architecture and flags
   * @example CompilerOptions.cpu({ mcpu: 'skylake-avx512' })
   */
  public static cpu(options: CpuCompilerOptions): CompilerOptions {
    return new CompilerOptions({ mcpu: options.mcpu, mattr: options.mattr });
  }

  /**
   * ARM 32-bit with NEON (`{"mattr": ["+neon"]}`).
   */
  public static armNeon(): CompilerOptions {
    return new CompilerOptions({ mattr: ['+neon'] });
  }

  /**
   * NVIDIA GPU options (`gpu-code`, `trt-ver`, `cuda-ver`).
   * @param options the GPU architecture, TensorRT and CUDA versions
   * @example CompilerOptions.nvidia({ gpuCode: 'sm_72', trtVersion: '6.0.1', cudaVersion: '10.1' })
   */
  public static nvidia(options: NvidiaCompilerOptions): CompilerOptions {
    return new CompilerOptions({ 'gpu-code': options.gpuCode, 'trt-ver': options.trtVersion, 'cuda-ver': options.cudaVersion });
  }

  /**
   * Android options (`ANDROID_PLATFORM`, `mattr`); only with `TargetOs.ANDROID`.
   * @param options the API level and CPU flags
   * @example CompilerOptions.android({ apiLevel: 29 })
   */
  public static android(options: AndroidCompilerOptions): CompilerOptions {
    return new CompilerOptions({ ANDROID_PLATFORM: options.apiLevel, mattr: options.mattr });
  }

  /**
   * Inferentia and Trainium options: the Neuron compiler's command-line flags, sent as one JSON
   * string. Only with ml_inf1, ml_inf2 and ml_trn1.
   * @param flags the Neuron compiler's flags
   * @example CompilerOptions.inferentia('--verbose 1 --num-neuroncores 2 -O2')
   */
  public static inferentia(flags: string): CompilerOptions {
    return new CompilerOptions(flags);
  }

  /**
   * Core ML options (`class_labels`); only with `TargetDevice.COREML`.
   * @param options the classification labels file
   * @example CompilerOptions.coreml({ classLabels: 'imagenet_labels_1000.txt' })
   */
  public static coreml(options: CoreMlCompilerOptions): CompilerOptions {
    return new CompilerOptions({ class_labels: options.classLabels });
  }

  /**
   * Elastic Inference options (`precision_mode`, `signature_def_key` or `output_names`); only with ml_eia2.
   * @deprecated Amazon Elastic Inference ended on 2024-04-15
   * (https://docs.aws.amazon.com/cli/latest/reference/elastic-inference/index.html), and with it the
   * ml_eia2 target these options are for: compile for ml_inf2 or a GPU instance family instead.
   * @param options the precision and the model's signature or output names
   * @example CompilerOptions.elasticInference({ precisionMode: PrecisionMode.FP16, outputNames: ['output:0'] })
   */
  public static elasticInference(options: ElasticInferenceCompilerOptions): CompilerOptions {
    return new CompilerOptions({
      precision_mode: options.precisionMode,
      signature_def_key: options.signatureDefKey,
      output_names: options.outputNames,
    });
  }

  /**
   * The data type of a PyTorch model's input (`dtype`), for ml_* targets other than Inferentia.
   * @param dtype the input's data type
   * @example CompilerOptions.inputDataType(InputDataType.INT64)
   */
  public static inputDataType(dtype: InputDataType): CompilerOptions {
    return new CompilerOptions({ dtype });
  }

  /**
   * The JSON text exactly as SageMaker takes it. Keys this library does not know pass through;
   * the keys it knows are checked as strictly as the typed factories check them.
   * @param json the options as one line of JSON
   * @example CompilerOptions.fromJson('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}')
   */
  public static fromJson(json: string): CompilerOptions {
    return new CompilerOptions(parseJson(json), json);
  }

  /** The JSON text sent to SageMaker. */
  public readonly json: string;

  /**
   * @param value the options (undefined when the text is not JSON)
   * @param text the JSON text, when the user wrote it
   */
  private constructor(private readonly value: unknown, text?: string) {
    this.json = text ?? JSON.stringify(value);
  }

  /**
   * The problems of these options for a job, each naming the rule.
   * @internal
   */
  public _problems(context: JobContext): string[] {
    const problems: string[] = [];
    const textKnown = !Token.isUnresolved(this.json);
    const { min, max, pattern } = API_LIMITS.compilerOptions;
    if (textKnown && (this.json.length < min || this.json.length > max)) {
      problems.push(`must be ${min} to ${max} characters of JSON (got ${this.json.length})`);
    }
    if (textKnown && !wholeMatch(pattern).test(this.json)) problems.push('must be on one line (SageMaker rejects line breaks)');
    if (this.value === undefined) return textKnown ? [...problems, `must be valid JSON (got ${this.json})`] : problems;
    return [...problems, ...compilerOptionProblems(this.value, context)];
  }
}

/** The parsed JSON, or undefined when it is not JSON (or a token, checked at deploy time). */
function parseJson(json: string): unknown {
  if (Token.isUnresolved(json)) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
