import { Token } from 'aws-cdk-lib';
import { isCloudDevice, JobContext, NEURON_DEVICES, targetKnown } from './job-context';

/**
 * Which jobs take `InputConfig.FrameworkVersion`, and in which form: a rule Neo enforces but the
 * API model does not state. Learned from three sources, which mostly agree:
 *
 * 1. The API reference (../shared/reference, InputConfig.FrameworkVersion): only MXNet, PyTorch,
 *    TensorFlow and TensorFlow Lite take a version.
 * 2. The SageMaker Python SDK 2.x (aws/sagemaker-python-sdk, branch master-v2):
 *    `src/sagemaker/model.py`, `Model._compilation_job_config` sends a version for device targets
 *    only: PyTorch and TensorFlow on every device except those in `NEO_MULTIVERSION_UNSUPPORTED`
 *    (lambda, coreml, imx8mplus, jacinto_tda4vm, sitara_am57x, amba_cv2, amba_cv22, amba_cv25),
 *    and MXNet on ml_inf1 only; `src/sagemaker/utils.py`, `get_short_version` cuts it to
 *    major.minor. `tests/unit/sagemaker/model/test_neo.py`,
 *    `test_compile_validates_framework_version`, lists the cases (rasp3b + PyTorch 1.6.1 sends
 *    "1.6", amba_cv2 sends none), and `tests/unit/test_mxnet.py`, `test_mxnet_neo`, expects none
 *    for MXNet on ml_c4.
 * 3. Neo's own refusal, a ValidationException quoted in aws/amazon-sagemaker-examples#3239
 *    (2022): "Unsupported framework version field for target. Framework version is supported for
 *    Target Platform configuration and only part of target devices", followed by the devices that
 *    take one (the cloud families ml_c4 to ml_g4dn, then lambda, the Jetsons, deeplens, the
 *    Raspberry Pis, imx8qm, the Rockchips, aisage, sbe_c, ...).
 *
 * Where 2 and 3 agree a version is refused, it is a synth error; where they disagree (lambda) or
 * only the SDK is cautious (MXNet off ml_inf1), a warning that says what to do.
 */

/** Source 1: the frameworks that take a version at all. */
export const VERSIONED_FRAMEWORKS = ['MXNET', 'PYTORCH', 'TENSORFLOW', 'TFLITE'];

/** Sources 2 and 3 agree: Neo refuses a version for these devices. */
const NO_VERSION_DEVICES = ['coreml', 'imx8mplus', 'jacinto_tda4vm', 'sitara_am57x', 'amba_cv2', 'amba_cv22', 'amba_cv25'];

/** Sources disagree: the SDK sends no version, Neo's error text lists the device as taking one. */
const DISPUTED_DEVICES = ['lambda'];

/** Source 2: the only devices the SDK sends an MXNet version for. */
const MXNET_VERSION_DEVICES = ['ml_inf1'];

const REFUSAL = 'Unsupported framework version field for target';

/** What is wrong, or doubtful, with a framework version for a job. */
export interface FrameworkVersionFindings {
  readonly errors: string[];
  readonly warnings: string[];
}

export function frameworkVersionFindings(version: string | undefined, context: JobContext): FrameworkVersionFindings {
  const target = targetFindings(version, context);
  const listed = listedVersionFindings(version, context);
  return { errors: [...target.errors, ...listed.errors], warnings: [...target.warnings, ...listed.warnings] };
}

function targetFindings(version: string | undefined, context: JobContext): FrameworkVersionFindings {
  const { framework, device } = context;
  if (version === undefined || framework === undefined) return { errors: [], warnings: [] };
  if (!VERSIONED_FRAMEWORKS.includes(framework)) {
    return { errors: [`is only supported for ${VERSIONED_FRAMEWORKS.join(', ')} (framework is ${framework})`], warnings: [] };
  }
  const ifRefused = `if the deployment fails with "${REFUSAL}", remove frameworkVersion (Neo then uses its default)`;
  if (device !== undefined && NO_VERSION_DEVICES.includes(device)) {
    return { errors: [`Neo takes no framework version for ${device} and refuses the job ("${REFUSAL}"): remove frameworkVersion (Neo then uses its default)`], warnings: [] };
  }
  if (device !== undefined && DISPUTED_DEVICES.includes(device)) {
    return { errors: [], warnings: [`the SageMaker Python SDK sends no framework version for ${device}; ${ifRefused}`] };
  }
  if (framework === 'MXNET' && device !== undefined && !MXNET_VERSION_DEVICES.includes(device)) {
    return { errors: [], warnings: [`the SageMaker Python SDK sends an MXNET framework version only for ${MXNET_VERSION_DEVICES.join(', ')} (target is ${device}); ${ifRefused}`] };
  }
  return { errors: [], warnings: [] };
}

/** The version as Neo takes it: major.minor, as the SDK sends it ('1.6.1' is sent as '1.6'). */
export function neoFrameworkVersion(version: string): string {
  return Token.isUnresolved(version) ? version : version.split('.').slice(0, 2).join('.');
}

/**
 * The framework versions Neo lists, per kind of target (major.minor). `orEarlier`: the table says
 * "Supports <version> or earlier"; otherwise it lists exactly these versions.
 * - Cloud instances (ml_* CPU and GPU): "Supported Instance Types and Frameworks", table "Cloud
 *   Instances", https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html
 *   (Inferentia and Trainium have tables of their own, by Neuron SDK: not checked here).
 * - Edge devices and platforms: "Supported Frameworks",
 *   https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-devices-edge-frameworks.html
 * A version below the newest listed that the table does not list is an error; one newer than the
 * newest is a warning: Neo may support it before the page says so.
 */
interface ListedVersions {
  readonly versions: string[];
  readonly orEarlier: boolean;
}

export const CLOUD_VERSIONS_URL = 'https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html';
export const EDGE_VERSIONS_URL = 'https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-devices-edge-frameworks.html';

const CLOUD_VERSIONS: Record<string, ListedVersions> = {
  MXNET: { versions: ['1.8'], orEarlier: true },
  PYTORCH: { versions: ['1.4', '1.5', '1.6', '1.7', '1.8', '1.12', '1.13', '2.0'], orEarlier: false },
  TENSORFLOW: { versions: ['1.15', '2.9'], orEarlier: false },
};

const EDGE_VERSIONS: Record<string, ListedVersions> = {
  MXNET: { versions: ['1.8'], orEarlier: true },
  PYTORCH: { versions: ['1.7', '1.8'], orEarlier: true },
  TENSORFLOW: { versions: ['1.15', '2.4', '2.5'], orEarlier: true },
  TFLITE: { versions: ['1.15'], orEarlier: true },
};

/** major.minor as numbers, or undefined when the version is not numeric. */
function parts(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function compare(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function listedVersionFindings(version: string | undefined, context: JobContext): FrameworkVersionFindings {
  const none = { errors: [], warnings: [] };
  const { framework, device } = context;
  if (version === undefined || Token.isUnresolved(version) || framework === undefined || !targetKnown(context)) return none;
  if (device === 'ml_eia2' || (device !== undefined && NEURON_DEVICES.includes(device))) return none;
  const cloud = isCloudDevice(context);
  const listed = (cloud ? CLOUD_VERSIONS : EDGE_VERSIONS)[framework];
  const given = parts(version);
  if (listed === undefined || given === undefined) return none;
  const kind = cloud ? 'cloud instance (ml_*) targets' : 'edge devices and platforms';
  const url = cloud ? CLOUD_VERSIONS_URL : EDGE_VERSIONS_URL;
  const newest = listed.versions[listed.versions.length - 1];
  const shown = neoFrameworkVersion(version);
  const names = `${listed.versions.join(', ')}${listed.orEarlier ? ' or earlier' : ''}`;
  if (compare(given, parts(newest)!) > 0) {
    const warning = `'${version}' is newer than the ${framework} versions Neo lists for ${kind} (${names}, ${url}); if Neo refuses it, write '${newest}'`;
    return { errors: [], warnings: [warning] };
  }
  if (listed.orEarlier || listed.versions.includes(shown)) return none;
  return { errors: [`Neo lists ${framework} ${names} for ${kind} (${url}), not '${version}': write one of those versions`], warnings: [] };
}
