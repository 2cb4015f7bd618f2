/**
 * The HTTP endpoint the handler's SDK clients talk to (AWS_ENDPOINT_URL_<SERVICE>), and the
 * response URL the framework PUTs to. It speaks each service's wire protocol, so the handler
 * bundle runs unmodified with its own SDK:
 * - SageMaker, awsJson1_1 (`X-Amz-Target: SageMaker.<Operation>`), answered by the scripted fake;
 * - S3, REST-XML with path-style addressing (HeadObject, CopyObject), answered by the fake;
 * - Step Functions, awsJson1_0 (`X-Amz-Target: AWSStepFunctions.<Operation>`: StartExecution,
 *   ListExecutions, StopExecution, DescribeExecution), answered by the driver's stand-in (./step-functions.ts);
 * - CloudFormation, awsQuery (`Action=DescribeStackResource`, `Action=SignalResource`), answered by the driver's model;
 * - Greengrass v2, REST-JSON (`/greengrass/v2/...`, errors named in `x-amzn-errortype`), answered by ./greengrass.ts;
 * - CloudWatch Logs (`X-Amz-Target: Logs_20140328.<Operation>`), when no logs endpoint (moto) is
 *   given: every stream is missing (ResourceNotFoundException);
 * - `PUT /cfn-response/...`: what the framework's cfn-response sends CloudFormation.
 * With moto as SageMaker and S3, only CloudFormation and the response URL are served here.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { served } from '../fault/model-gate';

export interface ServiceError {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export interface Backends {
  sagemaker?(operation: string, input: unknown): Promise<object>;
  /** HeadObject, CopyObject, or any other request as `<METHOD> <path>` (the fake records it as unsupported). */
  s3?(operation: string, input: Record<string, string>): Promise<object>;
  /** Step Functions (the long path): an error thrown is answered as `{ __type: name, message }`. */
  stepFunctions?(operation: string, input: Record<string, unknown>): Promise<object>;
  cloudformation(operation: string, input: Record<string, string>): Promise<string>;
  /** Greengrass v2 (REST-JSON): an error thrown is answered with its status code and `x-amzn-errortype`. */
  greengrass?(method: string, path: string, query: Record<string, string>, body: string): Promise<{ status: number; body: object }>;
  response(path: string, body: string, headers: http.IncomingHttpHeaders): void;
  /** Virtual epoch ms: the Date header the SDK compares its clock with. */
  now(): number;
  /** Any request no backend above serves (e.g. passed on to another server). @default answered UnknownOperationException */
  other?(request: http.IncomingMessage, body: string, response: http.ServerResponse): Promise<void>;
}

/** JSON with dates as epoch seconds, as awsJson sends timestamps. */
function awsJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

function statusOf(error: ServiceError): number {
  return error.$metadata?.httpStatusCode ?? 400;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function route(backends: Backends, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const body = await readBody(request);
  // On the virtual clock: a Date far from the client's makes the SDK correct its clock and retry.
  response.sendDate = false;
  response.setHeader('date', new Date(backends.now()).toUTCString());
  // Every AWS answer carries its request id; botocore reads it from this header for JSON protocols.
  response.setHeader('x-amzn-requestid', randomUUID());
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'PUT' && url.pathname.startsWith('/cfn-response/')) {
    backends.response(url.pathname, body, request.headers);
    response.writeHead(200).end();
    return;
  }
  if (url.pathname.startsWith('/greengrass/v2/') && backends.greengrass) {
    try {
      const output = await backends.greengrass(request.method ?? 'GET', url.pathname, Object.fromEntries(url.searchParams), body);
      response.writeHead(output.status, { 'content-type': 'application/json' }).end(awsJson(output.body));
    } catch (e) {
      const { name, message, $metadata, ...fields } = e as ServiceError & Record<string, unknown>;
      response.writeHead(statusOf({ name, message, $metadata }), { 'content-type': 'application/json', 'x-amzn-errortype': name })
        .end(JSON.stringify({ message, ...fields }));
    }
    return;
  }
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('SageMaker.') && backends.sagemaker) {
    try {
      const output = await backends.sagemaker(target.slice('SageMaker.'.length), JSON.parse(body || '{}'));
      const { $metadata: _, ...rest } = output as { $metadata?: unknown };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(awsJson(rest));
    } catch (e) {
      const error = e as ServiceError;
      response.writeHead(statusOf(error), { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: error.name, message: error.message }));
    }
    return;
  }
  if (typeof target === 'string' && target.startsWith('AWSStepFunctions.') && backends.stepFunctions) {
    try {
      const output = await backends.stepFunctions(target.slice('AWSStepFunctions.'.length), JSON.parse(body || '{}') as Record<string, unknown>);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(awsJson(output));
    } catch (e) {
      const error = e as ServiceError;
      response.writeHead(statusOf(error), { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ __type: error.name, message: error.message }));
    }
    return;
  }
  if (typeof target === 'string' && target.startsWith('Logs_20140328.')) {
    // CloudWatch Logs (awsJson1_1), with no backend: a job that wrote no log stream, in the words
    // CloudWatch Logs answers GetLogEvents for a stream that does not exist; the request through the
    // model gate first, as every stand-in's.
    let error: ServiceError = { name: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' };
    try {
      await served('logs', target.slice('Logs_20140328.'.length), JSON.parse(body || '{}') as Record<string, unknown>, () => { throw error; });
    } catch (e) {
      error = e as ServiceError;
    }
    response.writeHead(statusOf(error), { 'content-type': 'application/x-amz-json-1.1' })
      .end(JSON.stringify({ __type: error.name, message: error.message }));
    return;
  }
  const form = new URLSearchParams(body);
  if (request.method === 'POST' && form.has('Action')) {
    try {
      const xml = await backends.cloudformation(form.get('Action')!, Object.fromEntries(form));
      response.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
    } catch (e) {
      const error = e as ServiceError;
      response.writeHead(statusOf(error), { 'content-type': 'text/xml' }).end(
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${error.name}</Code>` +
        `<Message>${xmlEscape(error.message)}</Message></Error><RequestId>0</RequestId></ErrorResponse>`);
    }
    return;
  }
  if (backends.s3) {
    const [, bucket, ...key] = url.pathname.split('/');
    const copySource = request.headers['x-amz-copy-source'];
    const input = { Bucket: bucket, Key: decodeURIComponent(key.join('/')), ...(copySource ? { CopySource: String(copySource) } : {}) };
    const operation = request.method === 'HEAD' ? 'HeadObject' : request.method === 'PUT' && copySource ? 'CopyObject' : `${request.method} ${url.pathname}${url.search}`;
    try {
      const output = await backends.s3(operation, input);
      const etag = (output as { CopyObjectResult?: { ETag?: string } }).CopyObjectResult?.ETag ?? '"0"';
      if (request.method === 'HEAD') response.writeHead(200, { 'content-length': '1024' }).end();
      else response.writeHead(200, { 'content-type': 'application/xml' }).end(`<CopyObjectResult><ETag>${xmlEscape(etag)}</ETag></CopyObjectResult>`);
    } catch (e) {
      const error = e as ServiceError;
      if (request.method === 'HEAD') response.writeHead(statusOf(error)).end();
      else response.writeHead(statusOf(error), { 'content-type': 'application/xml' }).end(`<Error><Code>${error.name}</Code><Message>${xmlEscape(error.message)}</Message></Error>`);
    }
    return;
  }
  if (backends.other) return backends.other(request, body, response);
  response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'UnknownOperationException', message: `${request.method} ${request.url} ${target ?? ''}` }));
}

/** Starts the endpoint on a free loopback port. */
export async function startEndpoint(backends: Backends): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    route(backends, request, response).catch((error: Error) => {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'InternalFailure', message: error.message }));
    });
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
