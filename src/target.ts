import { checkApiValue, LOWER_CASE_VALUE, UPPER_CASE_VALUE } from './private/api-value';

/** A device or cloud instance family Neo compiles for (`OutputConfig.TargetDevice`). */
export class TargetDevice {
  /** AWS Lambda functions. */
  public static readonly LAMBDA = new TargetDevice('lambda');
  /** SageMaker ml.m4 instances (Intel Xeon, general purpose). */
  public static readonly ML_M4 = new TargetDevice('ml_m4');
  /** SageMaker ml.m5 instances (Intel Xeon Platinum, general purpose). */
  public static readonly ML_M5 = new TargetDevice('ml_m5');
  /** SageMaker ml.m6g instances (AWS Graviton2, general purpose). */
  public static readonly ML_M6G = new TargetDevice('ml_m6g');
  /** SageMaker ml.c4 instances (Intel Xeon, compute optimized). */
  public static readonly ML_C4 = new TargetDevice('ml_c4');
  /** SageMaker ml.c5 instances (Intel Xeon Platinum, compute optimized). */
  public static readonly ML_C5 = new TargetDevice('ml_c5');
  /** SageMaker ml.c6g instances (AWS Graviton2, compute optimized). */
  public static readonly ML_C6G = new TargetDevice('ml_c6g');
  /** SageMaker ml.p2 instances (NVIDIA K80 GPUs). */
  public static readonly ML_P2 = new TargetDevice('ml_p2');
  /** SageMaker ml.p3 instances (NVIDIA V100 GPUs). */
  public static readonly ML_P3 = new TargetDevice('ml_p3');
  /** SageMaker ml.g4dn instances (NVIDIA T4 GPUs). */
  public static readonly ML_G4DN = new TargetDevice('ml_g4dn');
  /** SageMaker ml.inf1 instances (AWS Inferentia); compiler options are Neuron flags. */
  public static readonly ML_INF1 = new TargetDevice('ml_inf1');
  /** SageMaker ml.inf2 instances (AWS Inferentia2); documented for US East (Ohio) only. */
  public static readonly ML_INF2 = new TargetDevice('ml_inf2');
  /** SageMaker ml.trn1 instances (AWS Trainium); documented for US East (N. Virginia) only. */
  public static readonly ML_TRN1 = new TargetDevice('ml_trn1');
  /**
   * Amazon Elastic Inference accelerators (eia2) attached to a SageMaker instance.
   * @deprecated Amazon Elastic Inference ended on 2024-04-15 ("Amazon Elastic Inference is no longer
   * available", https://docs.aws.amazon.com/cli/latest/reference/elastic-inference/index.html): compile
   * for ml_inf2 (AWS Inferentia2) or a GPU instance family (ml_g4dn, ml_p3) instead.
   */
  public static readonly ML_EIA2 = new TargetDevice('ml_eia2');
  /** NVIDIA Jetson TX1. */
  public static readonly JETSON_TX1 = new TargetDevice('jetson_tx1');
  /** NVIDIA Jetson TX2. */
  public static readonly JETSON_TX2 = new TargetDevice('jetson_tx2');
  /** NVIDIA Jetson Nano. */
  public static readonly JETSON_NANO = new TargetDevice('jetson_nano');
  /** NVIDIA Jetson AGX Xavier. */
  public static readonly JETSON_XAVIER = new TargetDevice('jetson_xavier');
  /** Raspberry Pi 3 Model B. */
  public static readonly RASP3B = new TargetDevice('rasp3b');
  /** Raspberry Pi 4 Model B. */
  public static readonly RASP4B = new TargetDevice('rasp4b');
  /** NXP i.MX 8QuadMax. */
  public static readonly IMX8QM = new TargetDevice('imx8qm');
  /**
   * AWS DeepLens camera.
   * @deprecated AWS DeepLens reached its end of life on 2024-01-31
   * (https://docs.aws.amazon.com/deeplens/latest/dg/what-is-deeplens.html): compile for the
   * device's replacement, e.g. a Jetson or a TargetPlatform.
   */
  public static readonly DEEPLENS = new TargetDevice('deeplens');
  /** Rockchip RK3399 (ARM64 with Mali GPU). */
  public static readonly RK3399 = new TargetDevice('rk3399');
  /** Rockchip RK3288 (32-bit ARM with Mali GPU). */
  public static readonly RK3288 = new TargetDevice('rk3288');
  /** aiSage edge AI device. */
  public static readonly AISAGE = new TargetDevice('aisage');
  /** AWS Snowball Edge, compute optimized. */
  public static readonly SBE_C = new TargetDevice('sbe_c');
  /** Qualcomm QCS605 vision SoC. */
  public static readonly QCS605 = new TargetDevice('qcs605');
  /** Qualcomm QCS603 vision SoC. */
  public static readonly QCS603 = new TargetDevice('qcs603');
  /** Texas Instruments Sitara AM57x. */
  public static readonly SITARA_AM57X = new TargetDevice('sitara_am57x');
  /** Ambarella CV2 computer-vision SoC. */
  public static readonly AMBA_CV2 = new TargetDevice('amba_cv2');
  /** Ambarella CV22 computer-vision SoC. */
  public static readonly AMBA_CV22 = new TargetDevice('amba_cv22');
  /** Ambarella CV25 computer-vision SoC. */
  public static readonly AMBA_CV25 = new TargetDevice('amba_cv25');
  /** Windows on 32-bit x86. */
  public static readonly X86_WIN32 = new TargetDevice('x86_win32');
  /** Windows on 64-bit x86. */
  public static readonly X86_WIN64 = new TargetDevice('x86_win64');
  /** Apple Core ML (iOS and macOS), for TensorFlow and PyTorch models only. */
  public static readonly COREML = new TargetDevice('coreml');
  /** Texas Instruments Jacinto TDA4VM. */
  public static readonly JACINTO_TDA4VM = new TargetDevice('jacinto_tda4vm');
  /** NXP i.MX 8M Plus. */
  public static readonly IMX8MPLUS = new TargetDevice('imx8mplus');

  /**
   * A device this library has no constant for yet.
   * @param name the API value, for example 'ml_c5'
   */
  public static of(name: string): TargetDevice {
    return new TargetDevice(name);
  }

  /** The API value, for example 'ml_c5'. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = checkApiValue('TargetDevice', name, LOWER_CASE_VALUE);
  }

  /** The API value. */
  public toString(): string {
    return this.name;
  }

  /** Whether this is a SageMaker cloud instance family (these get a Neo inference image). */
  public get isCloudInstance(): boolean {
    return this.name.startsWith('ml_');
  }
}

/** Operating system of a target platform (`TargetPlatform.Os`). */
export class TargetOs {
  /** Linux. */
  public static readonly LINUX = new TargetOs('LINUX');
  /** Android. Set the API level with the `ANDROID_PLATFORM` compiler option. */
  public static readonly ANDROID = new TargetOs('ANDROID');

  /**
   * An operating system this library has no constant for yet.
   * @param name the API value, for example 'LINUX'
   */
  public static of(name: string): TargetOs {
    return new TargetOs(name);
  }

  /** The API value, for example 'LINUX'. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = checkApiValue('TargetOs', name, UPPER_CASE_VALUE);
  }

  /** The API value. */
  public toString(): string {
    return this.name;
  }
}

/** CPU architecture of a target platform (`TargetPlatform.Arch`). */
export class TargetArch {
  /** 64-bit x86. */
  public static readonly X86_64 = new TargetArch('X86_64');
  /** 32-bit x86. */
  public static readonly X86 = new TargetArch('X86');
  /** ARMv8 64-bit. */
  public static readonly ARM64 = new TargetArch('ARM64');
  /** ARMv7 32-bit, soft float (Android 32-bit ARM). */
  public static readonly ARM_EABI = new TargetArch('ARM_EABI');
  /** ARMv7 32-bit, hard float. */
  public static readonly ARM_EABIHF = new TargetArch('ARM_EABIHF');

  /**
   * An architecture this library has no constant for yet.
   * @param name the API value, for example 'ARM64'
   */
  public static of(name: string): TargetArch {
    return new TargetArch(name);
  }

  /** The API value, for example 'ARM64'. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = checkApiValue('TargetArch', name, UPPER_CASE_VALUE);
  }

  /** The API value. */
  public toString(): string {
    return this.name;
  }
}

/** Accelerator of a target platform (`TargetPlatform.Accelerator`). */
export class TargetAccelerator {
  /** Intel integrated graphics. */
  public static readonly INTEL_GRAPHICS = new TargetAccelerator('INTEL_GRAPHICS');
  /** Arm Mali GPU. */
  public static readonly MALI = new TargetAccelerator('MALI');
  /** Needs the `gpu-code`, `trt-ver` and `cuda-ver` compiler options. */
  public static readonly NVIDIA = new TargetAccelerator('NVIDIA');
  /** A neural network accelerator (NNA) of the SoC. */
  public static readonly NNA = new TargetAccelerator('NNA');

  /**
   * An accelerator this library has no constant for yet.
   * @param name the API value, for example 'NVIDIA'
   */
  public static of(name: string): TargetAccelerator {
    return new TargetAccelerator(name);
  }

  /** The API value, for example 'NVIDIA'. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = checkApiValue('TargetAccelerator', name, UPPER_CASE_VALUE);
  }

  /** The API value. */
  public toString(): string {
    return this.name;
  }
}

/** A platform described by OS, architecture and accelerator, for devices with no TargetDevice. */
export interface TargetPlatform {
  /** The operating system. */
  readonly os: TargetOs;
  /** The CPU architecture. */
  readonly arch: TargetArch;
  /**
   * The accelerator.
   * @default - none (CPU only)
   */
  readonly accelerator?: TargetAccelerator;
}

/**
 * What to compile for: a named device (`OutputConfig.TargetDevice`) or a platform
 * (`OutputConfig.TargetPlatform`). The two are exclusive by construction.
 */
export class CompilationTarget {
  /**
   * A device or cloud instance family.
   * @param device the device
   * @example CompilationTarget.device(TargetDevice.ML_C5)
   */
  public static device(device: TargetDevice): CompilationTarget {
    return new CompilationTarget(device, undefined);
  }

  /**
   * A platform, for edge devices that have no TargetDevice.
   * @param platform the operating system, architecture and accelerator
   * @example CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.ARM64, accelerator: TargetAccelerator.NVIDIA })
   */
  public static platform(platform: TargetPlatform): CompilationTarget {
    return new CompilationTarget(undefined, platform);
  }

  private constructor(
    /** The device, when the target is a device. */
    public readonly targetDevice: TargetDevice | undefined,
    /** The platform, when the target is a platform. */
    public readonly targetPlatform: TargetPlatform | undefined) {}
}
