import { ArnFormat, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  COMPONENT_POLL_SECONDS, COMPONENT_VERSION_RESOURCE_TYPE, COMPONENT_WAIT_SECONDS,
  ComponentVersionAttributes, ComponentVersionResourceProperties, ComponentVersionSpec, GreengrassRecipe,
} from './component-contract';
import type { CompilationJob } from '../../compilation-job';
import { createHandlerProvider } from '../handler-provider';
import { acknowledgeWildcardResources } from '../nag';


/** The Greengrass actions of the handler, on the component's ARNs only (versions are never deleted). */
const GREENGRASS_ACTIONS = [
  'greengrass:ListComponentVersions',
  'greengrass:GetComponent',
  'greengrass:DescribeComponent',
  'greengrass:CreateComponentVersion',
];

export interface ComponentVersionProps {
  readonly componentName: string;
  /** @default - the deployment chooses (see ComponentVersionSpec) */
  readonly componentVersion?: string;
  /** The recipe; its `ComponentVersion` is set by the handler. */
  readonly recipe: GreengrassRecipe;
  /** The jobs whose outputs are the recipe's artifacts. */
  readonly jobs: CompilationJob[];
}

/**
 * A Greengrass component version published during the deployment by the stack's component
 * version provider: the stated version, or one it chooses that never collides with an existing one.
 */
export class ComponentVersion extends Construct {
  /** The version's ARN. */
  public readonly versionArn: string;
  public readonly componentName: string;
  public readonly componentVersion: string;

  constructor(scope: Construct, id: string, props: ComponentVersionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = ComponentVersionProvider.of(this);
    const componentArn = stack.formatArn({ service: 'greengrass', resource: 'components', resourceName: props.componentName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    provider.allow(componentArn);
    // CreateComponentVersion checks that the caller can read each artifact ("Specified artifact
    // resource cannot be accessed": aws/aws-cli#6261, aws-samples/aws-iot-greengrass-v2-deploy-nvidia-deepstream#4).
    for (const job of props.jobs) job.grantRead(provider.handlerRole);

    const recipe = { ...props.recipe };
    delete (recipe as { ComponentVersion?: unknown }).ComponentVersion;
    const spec: ComponentVersionSpec = {
      componentArn,
      componentName: props.componentName,
      ...(props.componentVersion !== undefined ? { componentVersion: props.componentVersion } : {}),
      recipe,
    };
    const properties: Omit<ComponentVersionResourceProperties, 'ServiceToken'> = { Spec: stack.toJsonString(spec) };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: COMPONENT_VERSION_RESOURCE_TYPE,
      properties,
      serviceTimeout: Duration.seconds(COMPONENT_WAIT_SECONDS + 5 * 60),
    });
    const attribute = (name: keyof ComponentVersionAttributes) => Token.asString(resource.getAtt(name));
    this.versionArn = attribute('Arn');
    this.componentName = attribute('ComponentName');
    this.componentVersion = attribute('ComponentVersion');
  }
}

/** One provider per stack for every component version of the stack. */
class ComponentVersionProvider extends Construct {
  public static of(scope: Construct): ComponentVersionProvider {
    const stack = Stack.of(scope);
    const id = 'SageMakerNeoComponentVersionProvider';
    return (stack.node.tryFindChild(id) as ComponentVersionProvider | undefined) ?? new ComponentVersionProvider(stack, id);
  }

  public readonly serviceToken: string;
  public readonly handlerRole: iam.Role;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const { provider, handlerRole } = createHandlerProvider(this, {
      bundle: 'component-version',
      roleDescription: 'Publishes the stack\'s Greengrass component versions of compiled models',
      onEvent: { description: 'Chooses the version of a Greengrass component of a compiled model', timeout: Duration.minutes(2) },
      isComplete: { description: 'Creates a Greengrass component version and waits until it is deployable', timeout: Duration.seconds(40) },
      queryInterval: Duration.seconds(COMPONENT_POLL_SECONDS),
      totalTimeout: Duration.seconds(COMPONENT_WAIT_SECONDS),
    });
    this.handlerRole = handlerRole;
    this.serviceToken = provider.serviceToken;
  }

  /** Lets the handler list, read and create the versions of one component (its ARN and `:versions:*`). */
  public allow(componentArn: string): void {
    const versions = `${componentArn}:versions:*`;
    this.handlerRole.addToPolicy(new iam.PolicyStatement({ actions: GREENGRASS_ACTIONS, resources: [componentArn, versions] }));
    acknowledgeWildcardResources(this.handlerRole, [versions],
      'The version is chosen at deploy time (the next patch after the newest existing one); only versions of this component.');
  }
}
