import { ApiValue } from './api-value';

/** A device or cloud instance family Neo compiles for (`OutputConfig.TargetDevice`). */
export class TargetDevice extends ApiValue {
  public static readonly LAMBDA = new TargetDevice('lambda');
  public static readonly ML_M4 = new TargetDevice('ml_m4');
  public static readonly ML_M5 = new TargetDevice('ml_m5');
  public static readonly ML_M6G = new TargetDevice('ml_m6g');
  public static readonly ML_C4 = new TargetDevice('ml_c4');
  public static readonly ML_C5 = new TargetDevice('ml_c5');
  public static readonly ML_C6G = new TargetDevice('ml_c6g');
  public static readonly ML_P2 = new TargetDevice('ml_p2');
  public static readonly ML_P3 = new TargetDevice('ml_p3');
  public static readonly ML_G4DN = new TargetDevice('ml_g4dn');
  public static readonly ML_INF1 = new TargetDevice('ml_inf1');
  public static readonly ML_INF2 = new TargetDevice('ml_inf2');
  public static readonly ML_TRN1 = new TargetDevice('ml_trn1');
  public static readonly ML_EIA2 = new TargetDevice('ml_eia2');
  public static readonly JETSON_TX1 = new TargetDevice('jetson_tx1');
  public static readonly JETSON_TX2 = new TargetDevice('jetson_tx2');
  public static readonly JETSON_NANO = new TargetDevice('jetson_nano');
  public static readonly JETSON_XAVIER = new TargetDevice('jetson_xavier');
  public static readonly RASP3B = new TargetDevice('rasp3b');
  public static readonly RASP4B = new TargetDevice('rasp4b');
  public static readonly IMX8QM = new TargetDevice('imx8qm');
  public static readonly DEEPLENS = new TargetDevice('deeplens');
  public static readonly RK3399 = new TargetDevice('rk3399');
  public static readonly RK3288 = new TargetDevice('rk3288');
  public static readonly AISAGE = new TargetDevice('aisage');
  public static readonly SBE_C = new TargetDevice('sbe_c');
  public static readonly QCS605 = new TargetDevice('qcs605');
  public static readonly QCS603 = new TargetDevice('qcs603');
  public static readonly SITARA_AM57X = new TargetDevice('sitara_am57x');
  public static readonly AMBA_CV2 = new TargetDevice('amba_cv2');
  public static readonly AMBA_CV22 = new TargetDevice('amba_cv22');
  public static readonly AMBA_CV25 = new TargetDevice('amba_cv25');
  public static readonly X86_WIN32 = new TargetDevice('x86_win32');
  public static readonly X86_WIN64 = new TargetDevice('x86_win64');
  public static readonly COREML = new TargetDevice('coreml');
  public static readonly JACINTO_TDA4VM = new TargetDevice('jacinto_tda4vm');
  public static readonly IMX8MPLUS = new TargetDevice('imx8mplus');

  /**
   * A device this library has no constant for yet.
   * @param name the API value, for example 'ml_c5'
   */
  public static of(name: string): TargetDevice {
    return new TargetDevice(name);
  }

  private constructor(name: string) {
    super(name, 'TargetDevice', '^[a-z][a-z0-9_]*$');
  }

  /** Whether this is a SageMaker cloud instance family (these get a Neo inference image). */
  public get isCloudInstance(): boolean {
    return this.name.startsWith('ml_');
  }
}

/** Operating system of a target platform (`TargetPlatform.Os`). */
export class TargetOs extends ApiValue {
  public static readonly LINUX = new TargetOs('LINUX');
  /** Set the API level with the `ANDROID_PLATFORM` compiler option. */
  public static readonly ANDROID = new TargetOs('ANDROID');

  /** An operating system this library has no constant for yet. */
  public static of(name: string): TargetOs {
    return new TargetOs(name);
  }

  private constructor(name: string) {
    super(name, 'TargetOs', '^[A-Z][A-Z0-9_]*$');
  }
}

/** CPU architecture of a target platform (`TargetPlatform.Arch`). */
export class TargetArch extends ApiValue {
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

  /** An architecture this library has no constant for yet. */
  public static of(name: string): TargetArch {
    return new TargetArch(name);
  }

  private constructor(name: string) {
    super(name, 'TargetArch', '^[A-Z][A-Z0-9_]*$');
  }
}

/** Accelerator of a target platform (`TargetPlatform.Accelerator`). */
export class TargetAccelerator extends ApiValue {
  public static readonly INTEL_GRAPHICS = new TargetAccelerator('INTEL_GRAPHICS');
  public static readonly MALI = new TargetAccelerator('MALI');
  /** Needs the `gpu-code`, `trt-ver` and `cuda-ver` compiler options. */
  public static readonly NVIDIA = new TargetAccelerator('NVIDIA');
  public static readonly NNA = new TargetAccelerator('NNA');

  /** An accelerator this library has no constant for yet. */
  public static of(name: string): TargetAccelerator {
    return new TargetAccelerator(name);
  }

  private constructor(name: string) {
    super(name, 'TargetAccelerator', '^[A-Z][A-Z0-9_]*$');
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
   * @example CompilationTarget.device(TargetDevice.ML_C5)
   */
  public static device(device: TargetDevice): CompilationTarget {
    return new CompilationTarget(device, undefined);
  }

  /**
   * A platform, for edge devices that have no TargetDevice.
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
