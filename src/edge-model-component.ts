import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CompilationJob } from './compilation-job';
import { ComponentVersion } from './private/component-version';
import { greengrassPlatformOf } from './private/greengrass-platforms';
import { PropErrors } from './private/prop-errors';

/** A Greengrass v2 platform (`Manifests[].Platform` of a recipe). */
export interface GreengrassPlatform {
  /** The OS, e.g. 'linux' or 'windows'. */
  readonly os: string;
  /**
   * The architecture, e.g. 'aarch64', 'arm', 'amd64', 'x86'.
   * @default - any architecture
   */
  readonly architecture?: string;
}

/** Properties of an {@link EdgeModelComponent}. */
export interface EdgeModelComponentProps {
  /** The compilation job whose compiled model the component ships. */
  readonly compilationJob: CompilationJob;

  /** The component's name, e.g. 'com.example.DetectorModel'. */
  readonly componentName: string;

  /**
   * The component's semantic version (major.minor.patch). Greengrass component versions are
   * immutable: when this version exists already with other artifacts (another compiled model), the
   * deployment fails and changes nothing; with the same artifacts, it is reused.
   * @default - chosen by the deployment: the newest existing version when it carries the same
   * artifacts, otherwise the next patch after the newest ('1.0.0' for a new component)
   */
  readonly componentVersion?: string;

  /**
   * The component's description.
   * @default - names the compilation job and its target
   */
  readonly description?: string;

  /**
   * The component's publisher.
   * @default 'cdk-sagemaker-neo'
   */
  readonly publisher?: string;

  /**
   * The devices the component installs on.
   * @default - derived from the job's target where the mapping is known (see README);
   * otherwise any platform
   */
  readonly platform?: GreengrassPlatform;

  /**
   * The devices' token exchange role, which downloads the artifact: it gets read of exactly the
   * compiled model.
   * @default - no grant (grant `job.grantRead(role)` yourself)
   */
  readonly deviceRole?: iam.IGrantable;
}

/**
 * A Greengrass v2 component version that installs a compiled model on edge devices.
 *
 * Greengrass can unpack only ZIP archives and Neo writes `.tar.gz`, so the artifact is downloaded
 * as is (`Unarchive: NONE`) and the install step extracts it into the component's work folder:
 * `{work:path}/model`. Other components read the model from there
 * (`{<componentName>:work:path}/model`).
 *
 * @example
 * new EdgeModelComponent(this, 'DetectorComponent', {
 *   compilationJob: job,
 *   componentName: 'com.example.DetectorModel',
 *   deviceRole: tokenExchangeRole,
 * });
 */
export class EdgeModelComponent extends Construct {
  /**
   * The component version's ARN.
   * @attribute
   */
  public readonly componentArn: string;
  /**
   * The component's name.
   * @attribute
   */
  public readonly componentName: string;
  /**
   * The component's version: the stated one, or the one the deployment chose.
   * @attribute
   */
  public readonly componentVersion: string;

  /**
   * @param scope the construct this component belongs to
   * @param id the component's id
   * @param props the compilation job and the component's name and version
   */
  constructor(scope: Construct, id: string, props: EdgeModelComponentProps) {
    super(scope, id);
    validate(this, props);
    const job = props.compilationJob;
    const platform = props.platform ?? greengrassPlatformOf(job.target);
    const target = job.target.targetDevice?.name ?? 'a custom platform';

    const recipe = {
      RecipeFormatVersion: '2020-01-25',
      ComponentName: props.componentName,
      ComponentDescription: props.description ?? `SageMaker Neo model compiled for ${target}`,
      ComponentPublisher: props.publisher ?? 'cdk-sagemaker-neo',
      Manifests: [{
        ...(platform ? { Platform: platform } : {}),
        Lifecycle: {
          // One artifact per component: the compiled .tar.gz, whatever SageMaker named it.
          Install: {
            Script: 'rm -rf {work:path}/model && mkdir -p {work:path}/model && tar -xzf {artifacts:path}/*.tar.gz -C {work:path}/model',
            RequiresPrivilege: false,
          },
        },
        Artifacts: [{ Uri: job.modelArtifactsS3Uri, Unarchive: 'NONE' }],
      }],
    };
    const component = new ComponentVersion(this, 'Resource', {
      componentName: props.componentName, componentVersion: props.componentVersion, recipe, jobs: [job],
    });
    if (props.deviceRole) job.grantRead(props.deviceRole);

    this.componentArn = component.versionArn;
    this.componentName = component.componentName;
    this.componentVersion = component.componentVersion;
  }
}

function validate(scope: Construct, props: EdgeModelComponentProps): void {
  const errors = new PropErrors();
  errors.checkValue(props.componentName, 'componentName', (n) => /^[A-Za-z0-9._-]{1,128}$/.test(n),
    (n) => `must be 1 to 128 letters, digits, '.', '_' or '-' (got '${n}')`);
  errors.checkValue(props.componentVersion, 'componentVersion',
    (v) => /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v),
    (v) => `must be a semantic version major.minor.patch, e.g. '1.0.0' (got '${v}')`);
  if (props.platform && !Token.isUnresolved(props.platform.os)) {
    errors.check(props.platform.os.length > 0, 'platform.os', 'must not be empty');
  }
  errors.throwIfAny('EdgeModelComponent', scope);
}
