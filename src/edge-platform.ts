import type { GreengrassPlatform } from './edge-model-component';
import { greengrassPlatformOf } from './private/edge/platforms';
import { CompilationTarget, TargetDevice } from './target';

/**
 * Platforms that tell devices of the same OS and architecture apart (a Jetson Nano and a Jetson
 * Xavier are both linux/aarch64): the target device's os and architecture plus the custom
 * attribute `sagemaker-neo.targetDevice` = the Neo target device's name. A device has the attribute
 * when its nucleus configuration sets it in `platformOverride`, which belongs in the configuration
 * the device is provisioned with (see docs/greengrass.md): a deployment's own configuration is
 * applied only after that deployment chose its manifests.
 */
export class EdgePlatform {
  /** The custom platform attribute that names a device's Neo target device. */
  public static readonly TARGET_DEVICE_ATTRIBUTE = 'sagemaker-neo.targetDevice';

  /**
   * The platform of the devices of a Neo target device: its os and architecture, and
   * `sagemaker-neo.targetDevice` = `device.name`.
   *
   * @param device the Neo target device
   * @param architecture the Greengrass architecture, for a device whose OS may be 32- or 64-bit
   * (rasp4b: 'arm' or 'aarch64'); other devices have theirs from the table in docs/greengrass.md
   */
  public static forTargetDevice(device: TargetDevice, architecture?: string): GreengrassPlatform {
    const derived = greengrassPlatformOf(CompilationTarget.device(device));
    const attributes = { [EdgePlatform.TARGET_DEVICE_ATTRIBUTE]: device.name };
    if ('platform' in derived) {
      return { os: derived.platform.os, architecture: architecture ?? derived.platform.architecture, attributes };
    }
    if (architecture === undefined) {
      throw new Error(`EdgePlatform.forTargetDevice(${device.name}): give the architecture: ${derived.reason}`);
    }
    return { os: 'linux', architecture, attributes };
  }

  private constructor() {}
}
