import { Token } from 'aws-cdk-lib';

/**
 * Which targets take `InputConfig.FrameworkVersion`. The API model allows a version for MXNET,
 * PYTORCH, TENSORFLOW and TFLITE on any target, but Neo refuses it at CreateCompilationJob for
 * most targets ("Unsupported framework version field for target. Framework version is supported
 * for Target Platform configuration and only part of target devices", the service's own words in
 * aws/amazon-sagemaker-examples#3239). Sources of the table below:
 * - the SageMaker Python SDK 2.x (aws/sagemaker-python-sdk, branch master-v2),
 *   `src/sagemaker/model.py`: `_compilation_job_config` sends the version only for the pairs
 *   below, cut to major.minor by `utils.get_short_version`; its device lists
 *   `NEO_IOC_TARGET_DEVICES` and `NEO_MULTIVERSION_UNSUPPORTED`;
 * - its tests, `tests/unit/sagemaker/model/test_neo.py` (`test_compile_validates_framework_version`:
 *   rasp3b + PyTorch 1.6.1 sends "1.6", amba_cv2 sends none, ml_inf2 + PyTorch 2.0.1 sends "2.0");
 * - the pull requests that set the rule: #3183 (ml_inf1), #3875 (edge devices), #3909 (ml_inf2,
 *   ml_trn1);
 * - the service error above, which names target platforms and the ml_c4/c5/m4/m5/p2/p3/g4dn cloud
 *   targets and the edge devices as the ones that take a version.
 */
const FRAMEWORKS_TAKING_A_VERSION_ON: ReadonlyArray<{ readonly devices: readonly string[]; readonly frameworks: readonly string[] }> = [
  { devices: ['ml_c4', 'ml_c5', 'ml_m4', 'ml_m5', 'ml_p2', 'ml_p3', 'ml_g4dn'], frameworks: ['PYTORCH', 'TENSORFLOW'] },
  { devices: ['ml_inf1'], frameworks: ['PYTORCH', 'TENSORFLOW', 'MXNET'] },
  { devices: ['ml_inf2', 'ml_trn1'], frameworks: ['PYTORCH', 'TENSORFLOW'] },
];
/** Devices Neo compiles for with its own framework version only. */
const DEVICES_WITHOUT_VERSIONS = [
  'imx8mplus', 'jacinto_tda4vm', 'coreml', 'sitara_am57x', 'amba_cv2', 'amba_cv22', 'amba_cv25', 'lambda',
];
/** Every other device (edge devices and the remaining cloud families). */
const OTHER_DEVICES_FRAMEWORKS = ['PYTORCH', 'TENSORFLOW'];

/** What to do with a `frameworkVersion` for a framework that takes one, on a target. */
export interface FrameworkVersionVerdict {
  /** The version to send: major.minor, as Neo reads it. */
  readonly version: string;
  /** Why Neo refuses it: a synth-time error. */
  readonly error?: string;
  /** Why Neo may refuse it (thinner evidence): a synth-time warning. */
  readonly warning?: string;
}

/**
 * The version Neo reads is major.minor (`1.6.1` compiles as `1.6`, as the Python SDK sends it);
 * other forms are left as they are.
 */
export function shortFrameworkVersion(version: string): string {
  if (Token.isUnresolved(version)) return version;
  const match = /^(\d+\.\d+)\.\d+$/.exec(version);
  return match ? match[1] : version;
}

/**
 * The verdict for `version` of `framework` on `device` (undefined for a target platform, which
 * takes any version). Unresolved tokens are never judged.
 */
export function judgeFrameworkVersion(framework: string, version: string, device: string | undefined): FrameworkVersionVerdict {
  const short = shortFrameworkVersion(version);
  if (device === undefined || [framework, version, device].some((v) => Token.isUnresolved(v))) return { version: short };

  if (DEVICES_WITHOUT_VERSIONS.includes(device)) {
    return {
      version: short,
      error: `is not taken for TargetDevice ${device}: Neo compiles for it with its own framework version and refuses the field ` +
        "('Unsupported framework version field for target'). Remove frameworkVersion.",
    };
  }
  const frameworks = FRAMEWORKS_TAKING_A_VERSION_ON.find((entry) => entry.devices.includes(device))?.frameworks ?? OTHER_DEVICES_FRAMEWORKS;
  if (!frameworks.includes(framework)) {
    return {
      version: short,
      warning: `frameworkVersion of ${framework} on TargetDevice ${device} may be refused by Neo ` +
        `('Unsupported framework version field for target'): it takes a version there for ${frameworks.join(', ')} only, ` +
        'and the SageMaker Python SDK leaves it out. Remove frameworkVersion if the deployment fails with that error.',
    };
  }
  return { version: short };
}
