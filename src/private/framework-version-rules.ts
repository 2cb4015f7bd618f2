import { Token } from 'aws-cdk-lib';
import { JobContext } from './job-context';

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
