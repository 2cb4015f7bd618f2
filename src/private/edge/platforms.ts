import type { CompilationTarget } from '../../target';

/** A recipe's `Manifests[].Platform`: `os`, `architecture` and custom attributes, all strings. */
export type RecipePlatform = Record<string, string>;

/*
 * Sources of the target -> platform rows (architecture names are Greengrass's: the recipe
 * reference lists amd64, arm, aarch64, x86 and "the core software always defines os and
 * architecture", https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html#recipe-reference-manifests):
 *  [NEO]  SageMaker OutputConfig reference (../shared/reference/002_*.txt): TargetDevice list and the
 *         TargetPlatform examples "Raspberry Pi 3 Model B+: LINUX/ARM_EABIHF", "Jetson TX2: LINUX/ARM64",
 *         "RK3399: LINUX/ARM64/MALI", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputConfig.html
 *  [DLR]  neo-ai-dlr docs/install.rst, "Table 1: List of Supported Devices": wheels
 *         pi-armv7l (Rasp3b), jetsontx1/tx2/nano/xavier-aarch64, firefly-aarch64 (RK3399).
 *  [GG-ML] Greengrass DLR components: "32-bit Armv7l: Raspberry Pi running Raspberry Pi OS",
 *         https://docs.aws.amazon.com/greengrass/v2/developerguide/dlr-component.html (requirements).
 *  [NUC]  What a device reports: aws-greengrass-nucleus config/PlatformResolver.java, getArchInfo()
 *         maps the JVM's os.arch: x86_64|amd64 -> amd64, i386|x86 -> x86, *arm* -> arm, aarch64 ->
 *         aarch64. So a 32-bit OS (os.arch 'arm') and a 64-bit one ('aarch64') on the same board differ.
 */
const DEVICE_PLATFORMS: Record<string, RecipePlatform> = {
  rasp3b: { os: 'linux', architecture: 'arm' }, // [NEO] ARM_EABIHF, [DLR] pi-armv7l, [GG-ML] armv7l
  jetson_tx1: { os: 'linux', architecture: 'aarch64' }, // [DLR] jetsontx1-aarch64
  jetson_tx2: { os: 'linux', architecture: 'aarch64' }, // [NEO] ARM64, [DLR] jetsontx2-aarch64
  jetson_nano: { os: 'linux', architecture: 'aarch64' }, // [DLR] jetsonnano-aarch64
  jetson_xavier: { os: 'linux', architecture: 'aarch64' }, // [DLR] jetsonxavier-aarch64
  rk3399: { os: 'linux', architecture: 'aarch64' }, // [NEO] ARM64/MALI, [DLR] firefly-aarch64
  // [NEO] names them 32-bit and 64-bit x86 Windows; [NUC] reports 'amd64' and 'x86' there
  // (AWS's DLR ModelStore recipes carry a windows/amd64 manifest).
  x86_win32: { os: 'windows', architecture: 'x86' },
  x86_win64: { os: 'windows', architecture: 'amd64' },
};

/**
 * Targets whose platform the sources leave open: the construct asks for `platform` instead of
 * guessing. A device whose manifest names the wrong architecture never gets the model.
 */
const AMBIGUOUS_DEVICES: Record<string, string> = {
  // Neo lists rasp4b but gives no OS/Arch for it, DLR has no rasp4b build, and [NUC] reports
  // 'arm' on the 32-bit Raspberry Pi OS but 'aarch64' on the 64-bit one; both run on a Pi 4.
  rasp4b: "the Raspberry Pi 4 runs a 32-bit OS ('arm') or a 64-bit one ('aarch64'), and neither Neo nor DLR says which rasp4b's artifact needs",
};

/** Greengrass architectures of the TargetPlatform architectures ([NEO] TargetPlatform.Arch). */
const ARCH_PLATFORMS: Record<string, string> = {
  X86_64: 'amd64',
  X86: 'x86',
  ARM64: 'aarch64',
  ARM_EABIHF: 'arm',
  // ARM_EABI (soft-float) is Android-only in [NEO]'s examples; Android is no Greengrass OS.
};

/** The Greengrass platform of a Neo target, or why it must be given. */
export type PlatformOf = { readonly platform: RecipePlatform } | { readonly reason: string };

/** The Greengrass platform of a Neo target, when the sources agree on it. */
export function greengrassPlatformOf(target: CompilationTarget): PlatformOf {
  if (target.targetDevice) {
    const name = target.targetDevice.name;
    const platform = DEVICE_PLATFORMS[name];
    if (platform) return { platform };
    return { reason: AMBIGUOUS_DEVICES[name] ?? `no source gives the Greengrass os and architecture of target device '${name}'` };
  }
  const { os, arch } = target.targetPlatform!;
  const architecture = ARCH_PLATFORMS[arch.name];
  if (os.name === 'LINUX' && architecture) return { platform: { os: 'linux', architecture } };
  return { reason: `target platform ${os.name}/${arch.name} has no Greengrass platform` };
}
