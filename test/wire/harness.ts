/**
 * Runs the REAL handler bundle (assets/compilation-job/index.js, as the Lambda functions run it)
 * against moto_server, and drives it the way the CDK Provider framework does: onEvent once, then
 * isComplete with `{ ...event, ...onEventResult }` until it answers `IsComplete: true`.
 * The bundle runs in a Node process of its own (see BundleHost), as in Lambda.
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type {
  IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse,
} from '../../lambda/compilation-job/events';
import type { CompilationJobAttributes } from '../../src/private/contract';

export const ROOT = path.join(__dirname, '..', '..');
export const BUNDLE = path.join(ROOT, 'assets', 'compilation-job', 'index.js');
const HOST = path.join(__dirname, 'lambda-host.js');

/** moto's default account; every ARN it makes is in it. */
export const MOTO_ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** What the Provider framework answers for a Delete after a failed Create, without calling the handler. */
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

export interface Handler {
  onEvent(event: OnEventRequest): Promise<OnEventResponse>;
  isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse>;
}

/**
 * The environment of the handler's Lambda functions, pointed at moto (AWS SDK v3 reads
 * AWS_ENDPOINT_URL). Built from scratch: nothing of the developer's own AWS setup leaks in.
 */
export function lambdaEnvironment(endpoint: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_CONFIG_FILE: path.join(ROOT, 'test', 'wire', 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, 'test', 'wire', 'no-such-aws-credentials'),
    AWS_LAMBDA_FUNCTION_NAME: 'NeoStack-SageMakerNeoCompilationJobProviderOnEvent',
    // Lambda runs the handler on Node.js 24; this machine's older Node would make the SDK warn.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Newest modification time of the files the bundle is built from. */
function newestSource(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestSource(file));
    return entry.name.endsWith('.ts') ? Math.max(newest, fs.statSync(file).mtimeMs) : newest;
  }, 0);
}

/** `npx projen test` bundles first; a bare `npx jest` may find an older bundle: say so. */
function checkBundle(): void {
  if (!fs.existsSync(BUNDLE)) throw new Error(`The handler bundle ${BUNDLE} is missing; run \`npx projen bundle\`.`);
  const sources = Math.max(newestSource(path.join(ROOT, 'lambda')), fs.statSync(path.join(ROOT, 'src', 'private', 'contract.ts')).mtimeMs);
  if (fs.statSync(BUNDLE).mtimeMs < sources) {
    process.stderr.write(`\n*** ${path.relative(ROOT, BUNDLE)} is older than lambda/: the wire tests run the OLD handler. Run \`npx projen bundle\`.\n\n`);
  }
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
}

type HostMessage =
  | { readonly ready: true; readonly exports: string[] }
  | { readonly loadError: string }
  | { readonly id: number; readonly result: unknown; readonly logs: LogLine[] }
  | { readonly id: number; readonly error: { errorType: string; errorMessage: string; trace: string[] }; readonly logs: LogLine[] };

/** The longest one invocation may take (the SDK retries a dead endpoint for a while). */
const INVOKE_TIMEOUT_MS = 30_000;

/**
 * The REAL bundle, loaded by plain Node in a process of its own (test/wire/lambda-host.js) with
 * the Lambda function's environment: a fresh module registry, module-level SDK clients made
 * from that environment, and its external @aws-sdk/client-s3 resolved from node_modules.
 */
export class BundleHost implements Handler {
  public static async start(endpoint: string): Promise<BundleHost> {
    checkBundle();
    const child = fork(HOST, [BUNDLE], { env: lambdaEnvironment(endpoint), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const host = new BundleHost(child);
    await host.ready;
    return host;
  }

  /** Everything the handler logged, invocation after invocation; `clearLogs()` empties it. */
  public readonly logs: LogLine[] = [];
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private exited?: string;

  private constructor(private readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (message: HostMessage) => {
        if ('ready' in message) {
          const missing = ['onEvent', 'isComplete'].filter((name) => !message.exports.includes(name));
          return missing.length > 0 ? reject(new Error(`${BUNDLE} does not export ${missing.join(', ')}`)) : resolve();
        }
        if ('loadError' in message) return reject(new Error(`${BUNDLE} failed to load: ${message.loadError}`));
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        this.logs.push(...message.logs);
        if ('error' in message) {
          call.reject(Object.assign(new Error(message.error.errorMessage), { name: message.error.errorType }));
        } else {
          call.resolve(message.result);
        }
      });
      child.on('exit', (code, signal) => {
        this.exited = `the bundle host exited (code ${code}, signal ${signal})`;
        reject(new Error(this.exited));
        for (const call of this.pending.values()) call.reject(new Error(this.exited));
        this.pending.clear();
      });
      child.on('error', reject);
    });
  }

  public onEvent(event: OnEventRequest): Promise<OnEventResponse> {
    return this.invoke('onEvent', event) as Promise<OnEventResponse>;
  }

  public isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
    return this.invoke('isComplete', event) as Promise<IsCompleteResponse>;
  }

  public clearLogs(): void {
    this.logs.length = 0;
  }

  public async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await gone;
    clearTimeout(timer);
  }

  private invoke(fn: keyof Handler, event: unknown): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${fn} did not answer within ${INVOKE_TIMEOUT_MS / 1000} s`));
      }, INVOKE_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => { clearTimeout(timer); resolve(value); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.child.send({ id, fn, event });
    });
  }
}

/** Clients for the test's own setup and checks (not the handler's). */
export function motoClients(endpoint: string) {
  const common = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
    maxAttempts: 1,
  };
  return {
    sagemaker: new SageMakerClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    cloudformation: new CloudFormationClient(common),
  };
}

/**
 * CloudFormation stacks in moto, for the handler's question before a late create ("does
 * CloudFormation still wait for this resource?"). moto completes a stack of ordinary resources at
 * once, but a custom resource keeps its stack CREATE_IN_PROGRESS until someone answers moto's
 * response URL, as the Provider framework answers CloudFormation. moto invokes the resource's
 * Lambda function in the background and cannot run it without Docker; the test answers instead.
 */
export class MotoStacks {
  private serviceToken?: Promise<string>;

  constructor(private readonly endpoint: string, private readonly cloudformation: CloudFormationClient, private readonly prefix: string) {}

  /**
   * A stack with one custom resource (`logicalId`) CloudFormation waits for: CREATE_IN_PROGRESS.
   * Returns the stack's unique id.
   */
  async waitingFor(name: string, logicalId: string, resourceType = 'Custom::SageMakerNeoCompilationJob'): Promise<string> {
    const template = { Resources: { [logicalId]: { Type: resourceType, Properties: { ServiceToken: await this.providerFunction() } } } };
    const { StackId } = await this.cloudformation.send(new CreateStackCommand({
      StackName: `${this.prefix}-${name}`,
      TemplateBody: JSON.stringify(template),
    }));
    return StackId!;
  }

  /** Answers CloudFormation for the custom resource (SUCCESS), as the Provider framework does. */
  async answer(stackId: string, logicalId: string, physicalResourceId: string): Promise<void> {
    const body = JSON.stringify({ Status: 'SUCCESS', Reason: 'SUCCESS', StackId: stackId, RequestId: 'wire', LogicalResourceId: logicalId, PhysicalResourceId: physicalResourceId, Data: {} });
    // moto's response URL for the stack's custom resources (the ResponseURL of the events it sends)
    const url = new URL(`/cloudformation_${REGION}/cfnresponse?stack=${encodeURIComponent(stackId)}`, this.endpoint);
    await new Promise<void>((resolve, reject) => {
      const request = http.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`moto answered the custom resource response with HTTP ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  /** What DescribeStackResource answers: the resource's status, or the error's name. */
  async statusOf(stackId: string, logicalId: string): Promise<string> {
    try {
      const out = await this.cloudformation.send(new DescribeStackResourceCommand({ StackName: stackId, LogicalResourceId: logicalId }));
      return out.StackResourceDetail!.ResourceStatus!;
    } catch (error) {
      return (error as Error).name;
    }
  }

  /** The ARN of a Lambda function in moto, made once by a stack of its own (the Provider's, in a real stack). */
  private providerFunction(): Promise<string> {
    this.serviceToken ??= (async () => {
      const template = {
        Resources: {
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
              },
            },
          },
          OnEvent: {
            Type: 'AWS::Lambda::Function',
            Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: 'exports.handler = async () => {};' } },
          },
        },
        Outputs: { ServiceToken: { Value: { 'Fn::GetAtt': ['OnEvent', 'Arn'] } } },
      };
      const { StackId } = await this.cloudformation.send(new CreateStackCommand({
        StackName: `${this.prefix}-Provider`,
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_IAM'],
      }));
      const { Stacks } = await this.cloudformation.send(new DescribeStacksCommand({ StackName: StackId }));
      const token = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'ServiceToken')?.OutputValue;
      if (!token) throw new Error(`moto made no Lambda function for the provider stack (${Stacks?.[0]?.StackStatus})`);
      return token;
    })();
    return this.serviceToken;
  }
}

/** A Lambda invocation carries JSON: whatever crosses it is serialized and parsed. */
function overTheWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export interface Outcome {
  readonly physicalResourceId: string;
  /** The attributes CloudFormation receives (`Data`), if any. */
  readonly data?: CompilationJobAttributes;
  /** How many isComplete calls it took. */
  readonly polls: number;
  /** Size of the body the framework PUTs to CloudFormation (must stay under 4096 bytes). */
  readonly responseBytes: number;
}

export interface RunOptions {
  /** Polls before giving up (moto's jobs complete at once, so a few are plenty). */
  readonly maxPolls?: number;
}

/**
 * One CloudFormation event through the Provider framework's steps (aws-cdk-lib
 * custom-resources/lib/provider-framework/runtime/framework.js): the default physical id, the
 * rule that a Delete keeps its id, the isComplete input `{ ...event, ...onEventResult }`, the
 * `Data` merge and the response body. Errors of the handler propagate (the framework would
 * answer FAILED with their message).
 */
export async function runEvent(handler: Handler, event: OnEventRequest, options: RunOptions = {}): Promise<Outcome> {
  const maxPolls = options.maxPolls ?? 10;
  if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER) {
    return { physicalResourceId: CREATE_FAILED_MARKER, polls: 0, responseBytes: 0 };
  }
  const onEventResult = overTheWire(await handler.onEvent(overTheWire(event))) as (Partial<OnEventResponse> & { Data?: object }) | null;
  const defaultId = event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId;
  const physicalResourceId = onEventResult?.PhysicalResourceId || defaultId;
  if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
    throw new Error(`DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${physicalResourceId}" during deletion`);
  }
  const waiterInput = { ...event, ...onEventResult, PhysicalResourceId: physicalResourceId } as IsCompleteRequest;

  for (let poll = 1; poll <= maxPolls; poll++) {
    const result = overTheWire(await handler.isComplete(overTheWire(waiterInput)));
    if (result.IsComplete) {
      const data = result.Data;
      const body = JSON.stringify({
        Status: 'SUCCESS',
        Reason: 'SUCCESS',
        StackId: event.StackId,
        RequestId: event.RequestId,
        PhysicalResourceId: physicalResourceId,
        LogicalResourceId: event.LogicalResourceId,
        Data: { ...onEventResult?.Data, ...data },
      });
      return { physicalResourceId, data, polls: poll, responseBytes: Buffer.byteLength(body, 'utf8') };
    }
    if ((result as { Data?: object }).Data) throw new Error('"Data" is not allowed if "IsComplete" is "False"');
  }
  throw new Error(`isComplete did not complete within ${maxPolls} polls`);
}
