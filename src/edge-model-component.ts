import { Stack, Token } from 'aws-cdk-lib';
import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CompilationJob } from './compilation-job';
import { ComponentVersion } from './private/edge/component-version';
import { addDeploymentEntry } from './private/edge/deployment';
import { grantDownload } from './private/edge/device-grants';
import { manifestConflicts, orderMostSpecificFirst } from './private/edge/manifests';
import { platformValueProblem } from './private/edge/platform-values';
import { greengrassPlatformOf, RecipePlatform } from './private/edge/platforms';
import { buildRecipe } from './private/edge/recipe';
import { NAME_LIMITS } from './private/limits';
import { PropErrors } from './private/prop-errors';

/**
 * A Greengrass v2 platform (`Manifests[].Platform` of a recipe). Each value is compared with the
 * device's as the nucleus does it: exactly and case-sensitively; `/re/` is a regular expression
 * the whole value must match, `//` matches any value, and `all`/`any` match any os or architecture.
 * `*` matches nothing (the nucleus's PlatformHelper) and is refused.
 */
export interface GreengrassPlatform {
  /** The OS as the nucleus reports it: 'linux', 'windows' or 'darwin'. */
  readonly os: string;
  /**
   * The architecture as the nucleus reports it: 'amd64', 'aarch64', 'arm' or 'x86'.
   * @default - any architecture
   */
  readonly architecture?: string;
  /**
   * Custom platform attributes, for devices that share os and architecture (a Jetson Nano and a
   * Jetson Xavier, say), e.g. `{ 'sagemaker-neo.targetDevice': 'jetson_xavier' }` (see
   * `EdgePlatform.forTargetDevice`). A device has them when the nucleus configuration it was
   * provisioned with sets them in `platformOverride`.
   * @default - no custom attribute
   */
  readonly attributes?: { [key: string]: string };
}

/** One compiled model of an `EdgeModelComponent`, and the devices it is for. */
export interface EdgeModel {
  /** The compilation job whose compiled model the devices get. */
  readonly compilationJob: CompilationJob;
  /**
   * The devices that get this model.
   * @default - derived from the job's target where the sources agree (docs/greengrass.md); otherwise required
   */
  readonly platform?: GreengrassPlatform;
  /**
   * Whether this model is the catch-all of its platform: every device that matches its platform
   * and no narrower manifest installs it, whatever device it is. Without it, `cdk synth` refuses a
   * platform that contains another model's (a device of the other kind whose attributes are not
   * set would silently run this model).
   * @default false
   */
  readonly fallback?: boolean;
}

/** Properties of an `EdgeModelComponent`. */
export interface EdgeModelComponentProps {
  /**
   * The compilation job whose compiled model the component ships (a component of one platform).
   * Give either this or `models`.
   * @default - none; `models` is required then
   */
  readonly compilationJob?: CompilationJob;

  /**
   * The devices that get `compilationJob`'s model.
   * @default - derived from the job's target where the sources agree (docs/greengrass.md); otherwise required
   */
  readonly platform?: GreengrassPlatform;

  /**
   * The compiled models of a mixed fleet, one manifest each: every device installs the model of
   * the first manifest its platform matches. Give either this or `compilationJob`.
   * @default - none; `compilationJob` is required then
   */
  readonly models?: EdgeModel[];

  /** The component's name, e.g. 'com.example.DetectorModel'. */
  readonly componentName: string;

  /**
   * The component's semantic version (major.minor.patch). Greengrass component versions are
   * immutable: when this version exists already with another recipe (other models, platforms or
   * steps), the deployment fails and changes nothing; with the same recipe, it is reused.
   * @default - chosen by the deployment: the newest existing version when its recipe is this one,
   * otherwise the next patch after the newest ('1.0.0' for a new component)
   */
  readonly componentVersion?: string;

  /**
   * The component's description.
   * @default - names the compilation jobs' targets
   */
  readonly description?: string;

  /**
   * The component's publisher.
   * @default 'cdk-sagemaker-neo'
   */
  readonly publisher?: string;

  /**
   * The devices' token exchange role, which downloads the artifacts: it gets `s3:GetObject` on
   * exactly the compiled models (each job's object), `s3:GetBucketLocation` on their bucket (the
   * nucleus asks for it before each download) and `kms:Decrypt` where a key encrypts them.
   * `addToDeployment` makes the deployment wait for this grant.
   * @default - no grant (grant `job.grantRead(role)` and `s3:GetBucketLocation` yourself)
   */
  readonly deviceRole?: iam.IGrantable;
}

/** How the component is deployed, for `EdgeModelComponent.addToDeployment`. */
export interface EdgeModelDeploymentOptions {
  /**
   * The configuration update of the component in this deployment.
   * @default - none: the component's default configuration
   */
  readonly configurationUpdate?: greengrassv2.CfnDeployment.ComponentConfigurationUpdateProperty;
}

/** A model and its platform, in manifest order. */
interface PlacedModel {
  readonly job: CompilationJob;
  readonly platform: RecipePlatform;
  readonly label: string;
  readonly fallback?: boolean;
}

/**
 * A Greengrass v2 component version that installs a compiled model on edge devices: one manifest
 * per compiled model, so one component serves a mixed fleet.
 *
 * Greengrass can unpack only ZIP archives and Neo writes `.tar.gz`, so each artifact is downloaded
 * as is (`Unarchive: NONE`) and the install step extracts it into the component's work folder:
 * `{work:path}/model`. Other components read the model from there
 * (`{<componentName>:work:path}/model`).
 *
 * @example
 * new EdgeModelComponent(this, 'DetectorComponent', {
 *   models: [
 *     { compilationJob: jetsonJob },
 *     { compilationJob: piJob, platform: { os: 'linux', architecture: 'arm' } },
 *   ],
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

  /** The component's name as given (a deployment's `components` key). */
  private readonly givenName: string;
  /** The device role's download grants: a deployment must wait for them. */
  private readonly grants: iam.Grant[];

  /**
   * @param scope the construct this component belongs to
   * @param id the component's id
   * @param props the compiled models and the component's name and version
   */
  constructor(scope: Construct, id: string, props: EdgeModelComponentProps) {
    super(scope, id);
    const models = placeModels(this, props);
    const targets = [...new Set(models.map((m) => m.job.target.targetDevice?.name ?? 'a custom platform'))];

    const recipe = buildRecipe({
      componentName: props.componentName,
      description: props.description ?? `SageMaker Neo model compiled for ${targets.join(', ')}`,
      publisher: props.publisher ?? 'cdk-sagemaker-neo',
      manifests: models.map((m) => ({ platform: m.platform, artifactUri: m.job.modelArtifactsS3Uri })),
    });
    // The deployment publishes the version (the stated one, or one it chooses) and fills in the
    // recipe's ComponentVersion.
    const component = new ComponentVersion(this, 'Resource', {
      componentName: props.componentName,
      componentVersion: props.componentVersion,
      recipe,
      jobs: models.map((m) => m.job),
    });
    this.grants = props.deviceRole ? models.map((m) => grantDownload(props.deviceRole!, m.job)) : [];

    this.givenName = props.componentName;
    this.componentArn = component.versionArn;
    this.componentName = component.componentName;
    this.componentVersion = component.componentVersion;
  }

  /**
   * The component's entry of a deployment's `components` map: `{ [name]: { componentVersion,
   * configurationUpdate } }`. Its version is this component version's, so the deployment waits
   * for it.
   *
   * @param options the component's configuration in the deployment
   */
  public deploymentEntry(options: EdgeModelDeploymentOptions = {}):
  { [name: string]: greengrassv2.CfnDeployment.ComponentDeploymentSpecificationProperty } {
    if (Token.isUnresolved(this.givenName)) {
      throw new Error(`Cannot make a deployment entry for ${this.node.path}: its componentName is known only at deploy time, and a deployment's components are keyed by name`);
    }
    return {
      [this.givenName]: {
        componentVersion: this.componentVersion,
        ...(options.configurationUpdate ? { configurationUpdate: options.configurationUpdate } : {}),
      },
    };
  }

  /**
   * Puts the component into an existing deployment, next to the components it has. A thing group
   * has one active deployment: a second deployment for the same target replaces the first, so
   * add the model to the deployment you have.
   *
   * @param deployment the deployment (e.g. of the fleet's thing group)
   * @param options the component's configuration in the deployment
   */
  public addToDeployment(deployment: greengrassv2.CfnDeployment, options: EdgeModelDeploymentOptions = {}): void {
    const entry = this.deploymentEntry(options)[this.givenName];
    addDeploymentEntry(deployment, this.givenName, entry, this.node.path);
    // Devices download as soon as the deployment exists: the role's policy must be there first.
    for (const grant of this.grants) grant.applyBefore(deployment);
  }
}

/** Validates the props and gives every model its platform, in manifest order. Throws once. */
function placeModels(scope: Construct, props: EdgeModelComponentProps): PlacedModel[] {
  const errors = new PropErrors();
  // Lengths: botocore greengrassv2/2020-11-30, shapes ComponentNameString and ComponentVersionString.
  const { componentName: nameLimit, componentVersion: versionLimit } = NAME_LIMITS;
  errors.checkValue(props.componentName, 'componentName', (n) => new RegExp(`^[A-Za-z0-9._-]{${nameLimit.min},${nameLimit.max}}$`).test(n),
    (n) => `must be ${nameLimit.min} to ${nameLimit.max} letters, digits, '.', '_' or '-' (got '${n}')`);
  errors.checkValue(props.componentVersion, 'componentVersion',
    (v) => /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v),
    (v) => `must be a semantic version major.minor.patch, e.g. '1.0.0' (got '${v}')`);
  errors.checkValue(props.componentVersion, 'componentVersion', (v) => v.length <= versionLimit.max,
    (v) => `must be at most ${versionLimit.max} characters, Greengrass's limit (got ${v.length})`);

  const given: Array<{ model: EdgeModel; prop: string; jobProp: string }> = [];
  if (props.compilationJob && props.models) {
    errors.check(false, 'compilationJob', 'give either compilationJob (one platform) or models (several), not both');
  } else if (props.compilationJob) {
    given.push({ model: { compilationJob: props.compilationJob, platform: props.platform }, prop: 'platform', jobProp: 'compilationJob' });
  } else if (props.models && props.models.length > 0) {
    props.models.forEach((model, i) => given.push({ model, prop: `models[${i}].platform`, jobProp: `models[${i}].compilationJob` }));
    errors.check(props.platform === undefined, 'platform', 'applies to compilationJob only; give each of models its own platform');
  } else {
    errors.check(false, 'models', 'give compilationJob or at least one of models');
  }

  const region = Stack.of(scope).region;
  const placed: PlacedModel[] = [];
  given.forEach(({ model, prop, jobProp }) => {
    const job = model.compilationJob;
    const label = `job '${job.node.path}'${job.target.targetDevice ? ` (${job.target.targetDevice.name})` : ''}`;
    // A cloud (ml_*) artifact runs on SageMaker hosting only, never on a Greengrass device.
    const device = job.target.targetDevice?.name;
    if (device !== undefined && !Token.isUnresolved(device) && device.startsWith('ml_')) {
      errors.check(false, jobProp, `job '${job.node.path}' compiles for ${device}, a cloud instance target; compile for a device or platform for Greengrass`);
      return;
    }
    // Artifacts must be in S3 buckets of the component's account and Region (recipe reference, Artifacts;
    // https://docs.aws.amazon.com/greengrass/v2/developerguide/ml-customization.html#override-public-model-store).
    const bucketRegion = job.outputBucket.env.region;
    if (!Token.isUnresolved(bucketRegion) && !Token.isUnresolved(region)) {
      errors.check(bucketRegion === region, jobProp,
        `${label} writes to a bucket in ${bucketRegion}, but Greengrass downloads artifacts only from S3 in the component's Region (${region})`);
    }
    const platform = model.platform ? recipePlatform(model.platform, prop, errors) : undefined;
    if (platform) {
      placed.push({ job, platform, label, fallback: model.fallback });
      return;
    }
    const derived = greengrassPlatformOf(job.target);
    if ('platform' in derived) {
      placed.push({ job, platform: derived.platform, label, fallback: model.fallback });
    } else {
      errors.check(false, prop, `required for ${label}: ${derived.reason}`);
    }
  });

  const ordered = orderMostSpecificFirst(placed);
  for (const problem of manifestConflicts(ordered)) errors.check(false, props.models ? 'models' : 'platform', problem);
  errors.throwIfAny('EdgeModelComponent', scope);
  return ordered;
}

/** A recipe Platform from the public one; checks each value against what the nucleus can match. */
function recipePlatform(platform: GreengrassPlatform, prop: string, errors: PropErrors): RecipePlatform {
  const result: RecipePlatform = { os: platform.os };
  if (platform.architecture !== undefined) result.architecture = platform.architecture;
  for (const [key, value] of Object.entries(platform.attributes ?? {})) {
    errors.check(key !== 'os' && key !== 'architecture', `${prop}.attributes`, `'${key}' is a field of its own, not an attribute`);
    result[key] = value;
  }
  for (const [key, value] of Object.entries(result)) {
    const problem = platformValueProblem(key, value);
    errors.check(problem === undefined, `${prop}.${key === 'os' || key === 'architecture' ? key : `attributes.${key}`}`, problem ?? '');
  }
  return result;
}
