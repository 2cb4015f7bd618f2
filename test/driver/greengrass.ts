/**
 * AWS IoT Greengrass v2's component versions, as far as the component version handler uses them,
 * modelled from the API reference (REST-JSON, https://docs.aws.amazon.com/greengrass/v2/APIReference/):
 * - CreateComponentVersion (API_CreateComponentVersion.html): POST /greengrass/v2/createComponentVersion
 *   with the recipe as a base64 blob; 201 with the new version in state REQUESTED; ConflictException
 *   when the version exists; `clientToken` makes the request idempotent (a repeat with the same token
 *   gets the first success, cached for up to 8 hours). Artifacts the caller cannot read are refused
 *   with ValidationException "Invalid Input: Encountered following errors in Artifacts: {<uri> =
 *   Specified artifact resource cannot be accessed}" (aws/aws-cli#6261).
 * - ListComponentVersions (API_ListComponentVersions.html): GET /greengrass/v2/components/{arn}/versions,
 *   "Greater versions are listed first", maxResults 1..100, nextToken; ResourceNotFoundException for a
 *   component that has no version (declared by the model).
 * - GetComponent (API_GetComponent.html): GET /greengrass/v2/components/{arn}?recipeOutputFormat=JSON,
 *   the recipe as a base64 blob. The stored recipe carries each artifact's `Digest` and `Algorithm`,
 *   which Greengrass computes (read-only keys of the GDK CLI's recipe schema,
 *   ../shared/reference/greengrass/recipe_schema.json; component-recipe-reference.html).
 * - DescribeComponent (API_DescribeComponent.html): GET /greengrass/v2/components/{arn}/metadata,
 *   `status.componentState` REQUESTED | INITIATED | DEPLOYABLE | FAILED | DEPRECATED.
 * Error names, their HTTP status codes and the states come from botocore's greengrassv2 model
 * (service-2.json); every request and answer goes through the model gate (../fault/model-gate.ts):
 * an invalid request is refused as Greengrass refuses it (400 ValidationException, AWS's wording),
 * and an answer outside the operation's output shape fails the test.
 */
import { createHash } from 'crypto';
import type { ServiceError } from './aws-endpoint';
import { compareVersions } from '../../lambda/component-version/versions';
import { loadApiModel } from '../fault/api-model';
import type { VirtualClock } from '../fault/fake-sagemaker';
import { checkAnswer, ModelValidationError, refuseInvalid } from '../fault/model-gate';

export type ComponentState = 'REQUESTED' | 'INITIATED' | 'DEPLOYABLE' | 'FAILED' | 'DEPRECATED';

export interface StoredVersion {
  readonly recipe: Record<string, any>;
  readonly createdAt: number;
  /** Virtual second it turns DEPLOYABLE (or FAILED, when `fails`). */
  readonly settlesAt: number;
  readonly fails?: string;
}

export interface GreengrassCall {
  readonly at: number;
  readonly operation: string;
  readonly arn?: string;
  readonly result: string;
}

const MODEL = loadApiModel('greengrassv2');

/** The operation's declared error, with the status code the model gives it. */
function serviceError(operation: string, name: string, message: string, extra: object = {}): ServiceError {
  const declared = MODEL?.errorsOf(operation);
  if (declared && !declared.has(name)) throw new Error(`the model declares no ${name} for ${operation}`);
  return Object.assign({ name, message, $metadata: { httpStatusCode: declared?.get(name) ?? 400 } }, extra);
}

export class GreengrassStandIn {
  /** Versions by component ARN, then version. */
  readonly components = new Map<string, Map<string, StoredVersion>>();
  readonly calls: GreengrassCall[] = [];
  /** Requests that break the model's input shapes (the handler must send none). */
  readonly invalidRequests: string[] = [];
  /** The next calls answered with ThrottlingException. */
  throttleNext = 0;
  /** The next calls of an operation answered with ThrottlingException. */
  readonly throttle = new Map<string, number>();
  /** Seconds a new version takes to turn DEPLOYABLE. */
  settleSeconds = 3;
  /** Artifacts whose version turns FAILED with this message. */
  readonly failingArtifacts = new Map<string, string>();
  /**
   * GetComponent of a FAILED version answers ResourceNotFoundException. The API reference does not
   * say whether a version Greengrass failed keeps a readable recipe; the handler must be right
   * either way, so both are played.
   */
  hideFailedRecipes = false;
  /** Artifacts the caller cannot read (CreateComponentVersion refuses the recipe). */
  readonly unreadableArtifacts = new Set<string>();
  private readonly tokens = new Map<string, object>();

  constructor(private readonly clock: VirtualClock, private readonly note: (text: string) => void = () => {}) {}

  /** A version that exists before the test (another deployment, another tool). */
  publish(componentArn: string, version: string, recipe: Record<string, any>, fails?: string): void {
    this.store(componentArn, version, { ...recipe, ComponentVersion: version }, fails, 0);
  }

  /** The versions of a component, greatest first. */
  versionsOf(componentArn: string): string[] {
    return [...(this.components.get(componentArn)?.keys() ?? [])].sort(compareVersions).reverse();
  }

  stateOf(componentArn: string, version: string): ComponentState | undefined {
    const stored = this.components.get(componentArn)?.get(version);
    if (!stored) return undefined;
    if (this.clock.seconds < stored.settlesAt) return 'REQUESTED';
    return stored.fails ? 'FAILED' : 'DEPLOYABLE';
  }

  count(operation: string, result?: string): number {
    return this.calls.filter((c) => c.operation === operation && (result === undefined || c.result === result)).length;
  }

  /** One REST-JSON request: `path` as sent (its ARN percent-encoded). */
  async handle(method: string, path: string, query: Record<string, string>, body: string): Promise<{ status: number; body: object }> {
    const segments = path.split('/').slice(3).map(decodeURIComponent); // after /greengrass/v2/
    const json = body ? JSON.parse(body) as Record<string, unknown> : {};
    let operation: string;
    let input: Record<string, unknown>;
    if (method === 'POST' && segments[0] === 'createComponentVersion') [operation, input] = ['CreateComponentVersion', json];
    else if (method === 'GET' && segments[0] === 'components' && segments[2] === 'versions') [operation, input] = ['ListComponentVersions', { arn: segments[1], ...numbers(query) }];
    else if (method === 'GET' && segments[0] === 'components' && segments[2] === 'metadata') [operation, input] = ['DescribeComponent', { arn: segments[1] }];
    else if (method === 'GET' && segments[0] === 'components' && segments.length === 2) [operation, input] = ['GetComponent', { arn: segments[1], ...query }];
    else throw Object.assign(new Error(`the stand-in does not implement ${method} ${path}`), { name: 'UnknownOperationException' });

    const arn = input.arn as string | undefined;
    const record = (result: string) => {
      this.calls.push({ at: this.clock.seconds, operation, arn, result });
      this.note(`  greengrass.${operation}(${(arn ?? '').split(':components:').pop() ?? ''}) -> ${result}`);
    };
    try {
      try {
        refuseInvalid('greengrassv2', operation, input);
      } catch (refusal) {
        if (refusal instanceof ModelValidationError) this.invalidRequests.push(`${operation}: ${refusal.message}`);
        throw refusal;
      }
      const throttled = this.throttle.get(operation) ?? 0;
      if (this.throttleNext > 0 || throttled > 0) {
        if (throttled > 0) this.throttle.set(operation, throttled - 1);
        else this.throttleNext -= 1;
        throw serviceError(operation, 'ThrottlingException', 'Rate exceeded');
      }
      const output = this.answer(operation, input);
      checkAnswer('greengrassv2', operation, output);
      record('ok');
      return { status: operation === 'CreateComponentVersion' ? 201 : 200, body: output };
    } catch (error) {
      record((error as Error).name);
      throw error;
    }
  }

  private answer(operation: string, input: Record<string, unknown>): object {
    switch (operation) {
      case 'ListComponentVersions': return this.list(input.arn as string, input.maxResults as number | undefined, input.nextToken as string | undefined);
      case 'GetComponent': {
        const { recipe } = this.find(operation, input.arn as string);
        // No `tags` for an untagged component: the model's TagMap has at least one entry.
        const [componentArn, version] = (input.arn as string).split(':versions:');
        if (this.hideFailedRecipes && this.stateOf(componentArn, version) === 'FAILED') {
          throw serviceError(operation, 'ResourceNotFoundException', `Component version ${input.arn} not found`, { resourceId: input.arn, resourceType: 'componentVersion' });
        }
        return { recipeOutputFormat: 'JSON', recipe: Buffer.from(JSON.stringify(recipe)).toString('base64') };
      }
      case 'DescribeComponent': {
        const { recipe, createdAt, fails } = this.find(operation, input.arn as string);
        const [componentArn, version] = (input.arn as string).split(':versions:');
        const state = this.stateOf(componentArn, version)!;
        return {
          arn: input.arn,
          componentName: recipe.ComponentName,
          componentVersion: version,
          creationTimestamp: this.clock.dateAt(createdAt).getTime() / 1000,
          publisher: recipe.ComponentPublisher,
          description: recipe.ComponentDescription,
          status: { componentState: state, message: state === 'FAILED' ? fails : 'NONE', errors: {} },
        };
      }
      default: return this.create(input.inlineRecipe as string, input.clientToken as string | undefined);
    }
  }

  private list(componentArn: string, maxResults = 50, nextToken?: string): object {
    const versions = this.versionsOf(componentArn);
    if (versions.length === 0) throw serviceError('ListComponentVersions', 'ResourceNotFoundException', `Component ${componentArn} not found`, { resourceId: componentArn, resourceType: 'component' });
    const start = nextToken ? Number(nextToken) : 0;
    const page = versions.slice(start, start + maxResults);
    const name = componentArn.split(':components:')[1];
    return {
      componentVersions: page.map((v) => ({ componentName: name, componentVersion: v, arn: `${componentArn}:versions:${v}` })),
      ...(start + maxResults < versions.length ? { nextToken: String(start + maxResults) } : {}),
    };
  }

  private find(operation: string, versionArn: string): StoredVersion {
    const [componentArn, version] = versionArn.split(':versions:');
    const stored = this.components.get(componentArn)?.get(version);
    if (!stored) throw serviceError(operation, 'ResourceNotFoundException', `Component version ${versionArn} not found`, { resourceId: versionArn, resourceType: 'componentVersion' });
    return stored;
  }

  private create(inlineRecipe: string, clientToken?: string): object {
    const recipe = JSON.parse(Buffer.from(inlineRecipe, 'base64').toString('utf8')) as Record<string, any>;
    if (clientToken && this.tokens.has(clientToken)) return this.tokens.get(clientToken)!;
    const name = recipe.ComponentName as string;
    const version = recipe.ComponentVersion as string;
    if (!name || !version) throw serviceError('CreateComponentVersion', 'ValidationException', 'ComponentName and ComponentVersion are required');
    const componentArn = `arn:aws:greengrass:us-east-1:123456789012:components:${name}`;
    if (this.components.get(componentArn)?.has(version)) {
      throw serviceError('CreateComponentVersion', 'ConflictException', `Component ${name} version ${version} already exists`,
        { resourceId: `${componentArn}:versions:${version}`, resourceType: 'componentVersion' });
    }
    const uris = artifactsOf(recipe).map((a) => a.Uri as string);
    const unreadable = uris.filter((uri) => this.unreadableArtifacts.has(uri));
    if (unreadable.length > 0) {
      throw serviceError('CreateComponentVersion', 'ValidationException',
        `Invalid Input: Encountered following errors in Artifacts: {${unreadable.map((u) => `${u} = Specified artifact resource cannot be accessed`).join(', ')}}`);
    }
    const fails = uris.map((uri) => this.failingArtifacts.get(uri)).find((m) => m !== undefined);
    this.store(componentArn, version, recipe, fails, this.settleSeconds);
    const output = {
      arn: `${componentArn}:versions:${version}`,
      componentName: name,
      componentVersion: version,
      creationTimestamp: this.clock.ms / 1000,
      status: { componentState: 'REQUESTED', message: 'NONE', errors: {} },
    };
    if (clientToken) this.tokens.set(clientToken, output);
    return output;
  }

  private store(componentArn: string, version: string, recipe: Record<string, any>, fails: string | undefined, settleSeconds: number): void {
    // Greengrass adds each artifact's digest (of the bytes; here of the URI, which names them).
    for (const artifact of artifactsOf(recipe)) {
      artifact.Digest = createHash('sha256').update(String(artifact.Uri)).digest('base64');
      artifact.Algorithm = 'SHA-256';
    }
    let versions = this.components.get(componentArn);
    if (!versions) this.components.set(componentArn, versions = new Map());
    versions.set(version, { recipe, createdAt: this.clock.seconds, settlesAt: this.clock.seconds + settleSeconds, fails });
  }
}

function artifactsOf(recipe: Record<string, any>): Array<Record<string, unknown>> {
  return ((recipe.Manifests ?? []) as Array<{ Artifacts?: Array<Record<string, unknown>> }>).flatMap((m) => m.Artifacts ?? []);
}

function numbers(query: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, k === 'maxResults' ? Number(v) : v]));
}
