/** CPU compiler options. */
export interface CpuCompilerOptions {
  /**
   * CPU micro-architecture, for example 'skylake-avx512'.
   * @default - Neo's default for the target
   */
  readonly mcpu?: string;
  /**
   * CPU flags, for example ['+neon', '+vfpv4'].
   * @default - none
   */
  readonly mattr?: string[];
}

/**
 * Target-specific compiler settings (`OutputConfig.CompilerOptions`). Required for NVIDIA
 * accelerators, recommended for CPU targets, optional elsewhere.
 */
export abstract class CompilerOptions {
  /**
   * CPU options (`mcpu`, `mattr`).
   * @example CompilerOptions.cpu({ mcpu: 'skylake-avx512' })
   */
  public static cpu(options: CpuCompilerOptions): CompilerOptions {
    return new CompilerOptionsJson(JSON.stringify({ mcpu: options.mcpu, mattr: options.mattr }));
  }

  /**
   * The JSON text exactly as SageMaker takes it.
   * @example CompilerOptions.fromJson('{"gpu-code": "sm_72", "trt-ver": "6.0.1", "cuda-ver": "10.1"}')
   */
  public static fromJson(json: string): CompilerOptions {
    return new CompilerOptionsJson(json);
  }

  /** The JSON text sent to SageMaker. */
  public abstract readonly json: string;
}

class CompilerOptionsJson extends CompilerOptions {
  constructor(public readonly json: string) {
    super();
  }
}
