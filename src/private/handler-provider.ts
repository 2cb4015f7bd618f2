import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeProviderFramework } from './nag';
import { newestNodeRuntime } from './node-runtime';

/** One of the provider's two handler functions (`index.onEvent`, `index.isComplete` in the bundle). */
export interface HandlerFunctionOptions {
  readonly description: string;
  readonly timeout: Duration;
}

export interface HandlerProviderProps {
  /** The esbuild bundle's name: its folder under the package's `assets/` (see `bundle` in .projenrc.ts). */
  readonly bundle: string;
  /** What the handlers do, for the role's description. */
  readonly roleDescription: string;
  readonly onEvent: HandlerFunctionOptions;
  readonly isComplete: HandlerFunctionOptions;
  readonly queryInterval: Duration;
  readonly totalTimeout: Duration;
  /** @default - none */
  readonly environment?: Record<string, string>;
}

/** What a provider's owner grants to and reads from. */
export interface HandlerProvider {
  readonly provider: cr.Provider;
  /** The role of the onEvent and isComplete functions. */
  readonly handlerRole: iam.Role;
}

/**
 * A Provider framework with this library's two handler functions, built the same way for every
 * provider of the library (compilation jobs, Greengrass component versions): one log group with
 * JSON logs, one handler role, explicit framework roles (no AWS managed policy), the newest Node.js
 * runtime the user's aws-cdk-lib knows, and the framework's unavoidable cdk-nag findings
 * acknowledged with their reasons. The ids are fixed, so the owner's logical ids stay stable.
 */
export function createHandlerProvider(scope: Construct, props: HandlerProviderProps): HandlerProvider {
  // `<package>/assets/<bundle>`, from `src/private` and `lib/private` alike.
  const bundleDir = path.join(__dirname, '..', '..', 'assets', props.bundle);
  if (!fs.existsSync(path.join(bundleDir, 'index.js'))) {
    throw new Error(`The handler bundle is missing from ${bundleDir}; run \`npx projen bundle\`.`);
  }
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  const handlerRole = new iam.Role(scope, 'HandlerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  logGroup.grantWrite(handlerRole);

  const code = lambda.Code.fromAsset(bundleDir);
  const runtime = newestNodeRuntime(); // the newest the user's aws-cdk-lib knows: cdk-nag's AwsSolutions-L1 stays quiet
  const handler = (name: string, options: HandlerFunctionOptions) => new lambda.Function(scope, name, {
    ...(props.environment ? { environment: props.environment } : {}),
    code,
    handler: `index.${name[0].toLowerCase()}${name.slice(1)}`,
    runtime,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: options.timeout,
    description: options.description,
    role: handlerRole,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
  });
  const onEvent = handler('OnEvent', props.onEvent);
  const isComplete = handler('IsComplete', props.isComplete);

  const frameworkRole = (roleId: string) => {
    const role = new iam.Role(scope, roleId, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    return role;
  };
  const frameworkRoles = [frameworkRole('FrameworkOnEventRole'), frameworkRole('FrameworkCompleteRole')];
  const provider = new cr.Provider(scope, 'Provider', {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    queryInterval: props.queryInterval,
    totalTimeout: props.totalTimeout,
    logGroup,
    frameworkOnEventRole: frameworkRoles[0],
    frameworkCompleteAndTimeoutRole: frameworkRoles[1],
  });
  acknowledgeProviderFramework(provider, [onEvent, isComplete], frameworkRoles);
  return { provider, handlerRole };
}
