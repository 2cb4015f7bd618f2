import type { CompilationTarget } from '../target';

/** A recipe's `Manifests[].Platform` (the shape of the public RecipePlatform). */
interface RecipePlatform {
  readonly os: string;
  readonly architecture?: string;
}

/** Greengrass platforms of the Neo targets whose OS and architecture are known. */
const DEVICE_PLATFORMS: Record<string, RecipePlatform> = {
  rasp3b: { os: 'linux', architecture: 'arm' },
  rasp4b: { os: 'linux', architecture: 'arm' },
  rk3288: { os: 'linux', architecture: 'arm' },
  sitara_am57x: { os: 'linux', architecture: 'arm' },
  jetson_tx1: { os: 'linux', architecture: 'aarch64' },
  jetson_tx2: { os: 'linux', architecture: 'aarch64' },
  jetson_nano: { os: 'linux', architecture: 'aarch64' },
  jetson_xavier: { os: 'linux', architecture: 'aarch64' },
  imx8qm: { os: 'linux', architecture: 'aarch64' },
  imx8mplus: { os: 'linux', architecture: 'aarch64' },
  rk3399: { os: 'linux', architecture: 'aarch64' },
  jacinto_tda4vm: { os: 'linux', architecture: 'aarch64' },
  x86_win32: { os: 'windows', architecture: 'x86' },
  x86_win64: { os: 'windows', architecture: 'amd64' },
};

/** Greengrass architectures of the TargetPlatform architectures. */
const ARCH_PLATFORMS: Record<string, string> = {
  X86_64: 'amd64',
  X86: 'x86',
  ARM64: 'aarch64',
  ARM_EABI: 'arm',
  ARM_EABIHF: 'arm',
};

/** The Greengrass platform of a Neo target, when the mapping is known. */
export function greengrassPlatformOf(target: CompilationTarget): RecipePlatform | undefined {
  if (target.targetDevice) return DEVICE_PLATFORMS[target.targetDevice.name];
  const platform = target.targetPlatform!;
  const architecture = ARCH_PLATFORMS[platform.arch.name];
  return platform.os.name === 'LINUX' && architecture ? { os: 'linux', architecture } : undefined;
}
