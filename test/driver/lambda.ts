/**
 * The Lambda service, as far as the stack's provider uses it: five functions (the framework's
 * onEvent, isComplete and onTimeout; the handler bundle's onEvent and isComplete), each in a Node
 * process of its own (./lambda-host.js), invoked with JSON and answering as Lambda's Invoke API
 * does (an unhandled error becomes `FunctionError: 'Unhandled'` and an error payload).
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
/** The shipped bundle; HANDLER_BUNDLE runs the tests against another build (e.g. an earlier release's). */
export const BUNDLE = process.env.HANDLER_BUNDLE ?? path.join(ROOT, 'assets', 'compilation-job', 'index.js');
export const FRAMEWORK = path.join(
  path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime', 'framework.js');
const HOST = path.join(__dirname, 'lambda-host.js');

/** The functions, by the name the framework's environment gives them. */
export type FunctionName = 'framework-onEvent' | 'framework-isComplete' | 'framework-onTimeout' | 'OnEvent' | 'IsComplete';

export interface InvokeResult {
  readonly payload: unknown;
  /** Set when the function threw: the Lambda runtime's error payload is then `payload`. */
  readonly functionError?: { readonly errorType: string; readonly errorMessage: string; readonly trace: string[] };
  readonly logs: Array<{ level: string; message: string }>;
}

export interface OutboundHandler {
  /** The framework calls Lambda Invoke or Step Functions StartExecution. */
  (call: 'invokeFunction' | 'startExecution', request: { FunctionName?: string; Payload?: string; input?: string }): Promise<unknown>;
}

export interface LambdaServiceOptions {
  /** The handler functions' environment (endpoints, region, credentials). */
  readonly environment: Record<string, string>;
  /** Port of the server that plays CloudFormation's response URL. */
  readonly responseServerPort: number;
  /** Every handler invocation in a new module instance (a cold start each time). @default false */
  readonly coldStarts?: boolean;
  /** @default BUNDLE */
  readonly bundle?: string;
  readonly now: () => number;
  readonly outbound: OutboundHandler;
}

export const FUNCTION_ARNS: Record<FunctionName, string> = {
  'framework-onEvent': 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-frameworkonEvent',
  'framework-isComplete': 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-frameworkisComplete',
  'framework-onTimeout': 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-frameworkonTimeout',
  'OnEvent': 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-SageMakerNeoCompilationJobProviderOnEvent',
  // 64 characters, the longest a function name gets: the framework quotes it in every failure.
  'IsComplete': 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-SageMakerNeoCompilationJobProviderIsComplete-AbCdEfGhIj',
};
export const WAITER_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:NeoStackWaiterStateMachine';

interface Host {
  readonly process: ChildProcess;
  readonly pending: Map<number, (result: InvokeResult) => void>;
}

/** `npx projen test` bundles first; a bare `npx jest` may find no bundle: say so. */
function checkBundle(): void {
  if (!fs.existsSync(BUNDLE)) throw new Error(`The handler bundle ${BUNDLE} is missing; run \`npx projen bundle\`.`);
}

export class LambdaService {
  private readonly hosts = new Map<FunctionName, Promise<Host>>();
  private nextId = 0;
  /** Invocations per function. */
  readonly invocations = new Map<FunctionName, number>();

  constructor(private readonly options: LambdaServiceOptions) {
    checkBundle();
  }

  async invoke(name: FunctionName, event: unknown): Promise<InvokeResult> {
    this.invocations.set(name, (this.invocations.get(name) ?? 0) + 1);
    const host = await this.host(name);
    const id = this.nextId++;
    const fn = name.startsWith('framework-') ? name.slice('framework-'.length) : name[0].toLowerCase() + name.slice(1);
    return new Promise((resolve) => {
      host.pending.set(id, resolve);
      // A JSON round trip, as through Lambda.
      host.process.send({ id, fn, event: JSON.parse(JSON.stringify(event)), now: this.options.now() });
    });
  }

  async stop(): Promise<void> {
    const hosts = await Promise.all(this.hosts.values());
    await Promise.all(hosts.map((host) => new Promise<void>((resolve) => {
      if (host.process.exitCode !== null) return resolve();
      host.process.once('exit', () => resolve());
      host.process.kill();
    })));
    this.hosts.clear();
  }

  private host(name: FunctionName): Promise<Host> {
    let host = this.hosts.get(name);
    if (!host) {
      host = this.start(name);
      this.hosts.set(name, host);
    }
    return host;
  }

  private start(name: FunctionName): Promise<Host> {
    const framework = name.startsWith('framework-');
    const env: Record<string, string> = framework
      ? {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        USER_ON_EVENT_FUNCTION_ARN: FUNCTION_ARNS.OnEvent,
        USER_IS_COMPLETE_FUNCTION_ARN: FUNCTION_ARNS.IsComplete,
        WAITER_STATE_MACHINE_ARN: WAITER_ARN,
        RESPONSE_SERVER_PORT: String(this.options.responseServerPort),
      }
      : { ...this.options.environment, AWS_LAMBDA_FUNCTION_NAME: name };
    const args = [framework ? FRAMEWORK : this.options.bundle ?? BUNDLE, ...(!framework && this.options.coldStarts ? ['fresh'] : [])];
    const child = fork(HOST, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const host: Host = { process: child, pending: new Map() };
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        reject(new Error(`the host of ${name} exited (${code})`));
        for (const done of host.pending.values()) done({ payload: null, functionError: { errorType: 'Runtime.Exit', errorMessage: `exited (${code})`, trace: [] }, logs: [] });
      });
      child.on('message', (message: { type: string; id: number | string; result?: unknown; error?: InvokeResult['functionError']; logs?: InvokeResult['logs']; call?: string; request?: unknown }) => {
        if (message.type === 'ready') return resolve(host);
        if (message.type === 'outbound') {
          this.options.outbound(message.call as 'invokeFunction', message.request as never).then(
            (result) => child.send({ type: 'outboundResult', id: message.id, result }),
            (error: Error) => child.send({ type: 'outboundResult', id: message.id, error: { name: error.name, message: error.message } }));
          return;
        }
        const done = host.pending.get(message.id as number);
        host.pending.delete(message.id as number);
        done?.({ payload: message.error ?? message.result, functionError: message.error, logs: message.logs ?? [] });
      });
    });
  }
}

/** Lambda Invoke's answer for the framework's `invokeFunction` (Payload as text; the host makes bytes of it). */
export function invokeResponse(result: InvokeResult): { StatusCode: number; Payload: string; FunctionError?: string } {
  return {
    StatusCode: 200,
    Payload: JSON.stringify(result.payload),
    ...(result.functionError ? { FunctionError: 'Unhandled' } : {}),
  };
}

/** Which function an ARN names. */
export function functionNamed(arn: string): FunctionName {
  const entry = Object.entries(FUNCTION_ARNS).find(([, a]) => a === arn);
  if (!entry) throw new Error(`no function ${arn}`);
  return entry[0] as FunctionName;
}
