/**
 * Runs the CDK Provider framework's own runtime (aws-cdk-lib's `framework.js` and
 * `cfn-response.js`, unmodified) around the handler, with its three outbound calls replaced:
 * - `invokeFunction` runs the handler in-process and answers as the Lambda service does
 *   (an unhandled error becomes `FunctionError` + `{ errorType, errorMessage, trace }`, where
 *   `trace` is the error's stack split into lines, as the Node.js Lambda runtime reports it);
 * - `startExecution` records the waiter's input instead of starting the state machine;
 * - `httpRequest` records the PUT to CloudFormation's response URL instead of sending it.
 * So the response bodies below are byte for byte what CloudFormation would receive.
 */
import * as path from 'path';

const RUNTIME_DIR = path.join(
  path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');

/** A Lambda function name of the maximal length (64): the framework quotes it in every error. */
export const USER_FUNCTION_NAME = `NeoStack-CompilationJobProviderIsCompleteHandler-${'X'.repeat(64 - 49)}`;
const USER_FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${USER_FUNCTION_NAME}`;
const WAITER_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:NeoStackWaiterStateMachine';

/** The JSON body cfn-response.js PUTs to CloudFormation. */
export interface CfnResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, string>;
}

export interface SentResponse {
  /** The body exactly as sent (a string). */
  readonly raw: string;
  readonly body: CfnResponseBody;
  /** The content-length header the framework computed. */
  readonly contentLength: number;
}

type UserHandler = (event: never) => Promise<unknown>;

interface InvokeRequest {
  readonly FunctionName: string;
  readonly Payload: string;
}

interface FrameworkModule {
  onEvent(event: unknown): Promise<void>;
  isComplete(event: unknown): Promise<void>;
}

const state: {
  handler?: UserHandler;
  responses: SentResponse[];
  waiterInputs: unknown[];
} = { responses: [], waiterInputs: [] };

let framework: FrameworkModule | undefined;

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** The Lambda service's Invoke response for a Node.js function. */
async function invokeUser(request: InvokeRequest) {
  if (!state.handler) throw new Error('no user handler set');
  try {
    const result = await state.handler(JSON.parse(request.Payload) as never);
    return { StatusCode: 200, Payload: encode(result ?? null) };
  } catch (e) {
    const error = e as Error;
    return {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') }),
    };
  }
}

function load(): FrameworkModule {
  if (!framework) {
    jest.doMock(path.join(RUNTIME_DIR, 'outbound.js'), () => ({
      invokeFunction: (request: InvokeRequest) => invokeUser(request),
      startExecution: async (request: { input: string }) => {
        state.waiterInputs.push(JSON.parse(request.input));
        return {};
      },
      httpRequest: async (options: { headers: Record<string, string | number> }, raw: string) => {
        state.responses.push({ raw, body: JSON.parse(raw) as CfnResponseBody, contentLength: Number(options.headers['content-length']) });
      },
    }));
    framework = jest.requireActual<FrameworkModule>(path.join(RUNTIME_DIR, 'framework.js'));
  }
  return framework;
}

const FRAMEWORK_ENV: Record<string, string> = {
  USER_ON_EVENT_FUNCTION_ARN: USER_FUNCTION_ARN,
  USER_IS_COMPLETE_FUNCTION_ARN: USER_FUNCTION_ARN,
  WAITER_STATE_MACHINE_ARN: WAITER_ARN,
};

async function withEnv<T>(run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(FRAMEWORK_ENV).map((key) => [key, process.env[key]]));
  Object.assign(process.env, FRAMEWORK_ENV);
  try {
    return await run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export interface OnEventOutcome {
  /** What the framework handed to the waiter (= isComplete's input), when it started one. */
  readonly waiterInput?: unknown;
  /** What the framework PUT to CloudFormation, when it answered right away. */
  readonly response?: SentResponse;
}

/** The framework's onEvent Lambda receiving a CloudFormation event, with `onEvent` as the user handler. */
export async function frameworkOnEvent(cfnEvent: object, onEvent: UserHandler): Promise<OnEventOutcome> {
  const fw = load();
  state.handler = onEvent;
  state.responses = [];
  state.waiterInputs = [];
  await withEnv(() => fw.onEvent(JSON.parse(JSON.stringify(cfnEvent))));
  return { waiterInput: state.waiterInputs[0], response: state.responses[0] };
}

export type IsCompleteOutcome = { readonly retry: true } | { readonly retry: false; readonly response: SentResponse };

/** One poll of the waiter: the framework's isComplete Lambda with `isComplete` as the user handler. */
export async function frameworkIsComplete(waiterInput: unknown, isComplete: UserHandler): Promise<IsCompleteOutcome> {
  const fw = load();
  state.handler = isComplete;
  state.responses = [];
  try {
    await withEnv(() => fw.isComplete(JSON.parse(JSON.stringify(waiterInput))));
  } catch (e) {
    // The framework throws its Retry error when isComplete says "not yet": the waiter polls again.
    if ((e as Error).constructor.name === 'Retry') return { retry: true };
    throw e;
  }
  if (state.responses.length !== 1) throw new Error(`expected one response to CloudFormation, got ${state.responses.length}`);
  return { retry: false, response: state.responses[0] };
}
