/**
 * The Greengrass nucleus's manifest selection, ported (not copied) from its public source so tests
 * can ask "which manifest does this device install?" the way a real device answers it.
 *
 * Sources (read at aws-greengrass-nucleus a28341c, aws-greengrass-component-common 004b34f):
 * - What a device reports: aws-greengrass-nucleus, src/main/java/com/aws/greengrass/config/PlatformResolver.java
 *   - getOSInfo: 'windows' when os.name contains "wind"; 'darwin' when it contains "mac os"; 'linux'
 *     when /proc exists; else 'unknown'.
 *   - getArchInfo: os.arch lower-cased; x86_64|amd64 -> 'amd64'; i386|x86 -> 'x86'; contains "arm"
 *     -> 'arm'; aarch64 -> 'aarch64'; else 'unknown'.
 *   - getArchDetailInfo: on 'arm'/'aarch64' (not Windows), `uname -m` when it is one of armv6l,
 *     armv7l, armv8l, armv6b, armv7b, armv8b, as `architecture.detail`.
 *   - getCurrentPlatform: the detected platform, then every string value of the nucleus's
 *     `platformOverride` configuration on top.
 * - How a manifest is chosen: aws-greengrass-component-common,
 *   src/main/java/com/amazon/aws/iot/greengrass/component/common/PlatformHelper.java
 *   - findBestMatch: the first manifest whose platform the device passes (RecipeLoader calls it
 *     through PlatformResolver.findBestMatch; no match: the component is not installed).
 *   - testPlatform: no or empty Platform matches every device; otherwise every key must pass.
 *   - testField: '//' passes any value; '/re/' passes when the value matches the Java regex as a whole;
 *     'all'/'any' pass any value for `os` and `architecture`; any other value passes only when it
 *     starts with [a-zA-Z0-9] and equals the device's value; a key the device lacks passes nothing.
 * - Documentation: recipe reference, Manifests ("The core device uses the first manifest with
 *   platform requirements that the device meets"; "If no manifest matches the core device, then the
 *   AWS IoT Greengrass Core software doesn't install the component and the deployment fails"),
 *   https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html#recipe-reference-manifests;
 *   nucleus configuration, platformOverride,
 *   https://docs.aws.amazon.com/greengrass/v2/developerguide/greengrass-nucleus-component.html
 */

/** What the JVM and the OS tell the nucleus on a device. */
export interface DeviceFacts {
  /** The JVM's os.name, e.g. 'Linux', 'Windows 10'. */
  readonly osName: string;
  /** The JVM's os.arch, e.g. 'aarch64', 'arm', 'amd64'. */
  readonly osArch: string;
  /** `uname -m` on Linux. */
  readonly unameM?: string;
  /** The nucleus's `platformOverride` configuration, as provisioned. */
  readonly platformOverride?: Record<string, unknown>;
}

const ARM_DETAILS = ['armv6l', 'armv7l', 'armv8l', 'armv6b', 'armv7b', 'armv8b'];

function osOf(facts: DeviceFacts): string {
  const name = facts.osName.toLowerCase();
  if (name.includes('wind')) return 'windows';
  if (name.includes('mac os')) return 'darwin';
  return name === 'linux' ? 'linux' : 'unknown'; // /proc exists on Linux
}

function archOf(facts: DeviceFacts): string {
  const arch = facts.osArch.toLowerCase();
  if (arch === 'x86_64' || arch === 'amd64') return 'amd64';
  if (arch === 'i386' || arch === 'x86') return 'x86';
  if (arch.includes('arm')) return 'arm';
  if (arch === 'aarch64') return 'aarch64';
  return 'unknown';
}

/** PlatformResolver.getCurrentPlatform. */
export function currentPlatform(facts: DeviceFacts): Record<string, string> {
  const os = osOf(facts);
  const architecture = archOf(facts);
  const platform: Record<string, string> = { os, architecture };
  const detail = facts.unameM?.toLowerCase();
  if (os !== 'windows' && (architecture === 'arm' || architecture === 'aarch64') && detail && ARM_DETAILS.includes(detail)) {
    platform['architecture.detail'] = detail;
  }
  for (const [key, value] of Object.entries(facts.platformOverride ?? {})) {
    if (typeof value === 'string') platform[key] = value;
  }
  return platform;
}

/** Java's String.matches for the patterns recipes use; `(?i)` becomes the `i` flag. */
function javaMatches(value: string, pattern: string): boolean {
  const caseless = pattern.startsWith('(?i)');
  return new RegExp(`^(?:${caseless ? pattern.slice(4) : pattern})$`, caseless ? 'i' : '').test(value);
}

/** PlatformHelper.testField (string templates; recipes from this library hold no lists or nulls). */
function testField(name: string, label: string | undefined, template: unknown): boolean {
  if (template === null) return label === undefined;
  if (label === undefined) return false;
  if (typeof template !== 'string') return false;
  if (template === '//') return true;
  if (template.length > 2 && template.startsWith('/') && template.endsWith('/')) return javaMatches(label, template.slice(1, -1));
  if ((name === 'os' || name === 'architecture') && (template === 'all' || template === 'any')) return true;
  if (!/^[a-zA-Z0-9]/.test(template)) return false;
  return template === label;
}

/** PlatformHelper.testPlatform (with testAlternatives: a list is a list of alternatives). */
export function testPlatform(device: Record<string, string>, platform: Record<string, unknown> | undefined): boolean {
  if (!platform || Object.keys(platform).length === 0) return true;
  return Object.entries(platform).every(([key, template]) => (Array.isArray(template)
    ? template.some((t) => testField(key, device[key], t))
    : testField(key, device[key], template)));
}

/** PlatformHelper.findBestMatch: the index of the manifest the device installs, or -1 (the deployment fails there). */
export function findBestMatch(device: Record<string, string>, manifests: Array<{ Platform?: Record<string, unknown> }>): number {
  return manifests.findIndex((m) => testPlatform(device, m.Platform));
}
