/**
 * The endpoint moto's Step Functions interpreter calls for its aws-sdk tasks: moto's boto3 clients
 * go to `http://localhost:$MOTO_PORT` of the server process
 * (moto/stepfunctions/parser/asl/utils/boto_client.py:19-20), and the server process is started
 * with MOTO_PORT set to this endpoint's port. It speaks the services' wire protocols
 * (../driver/aws-endpoint.ts): SageMaker (awsJson1_1, errors as `{"__type": code}`) and
 * CloudFormation (awsQuery, errors as `<Error><Code>`) are answered by the world of the run the
 * request belongs to (found by job name or stack); anything else is passed on to moto itself.
 * botocore in the server process parses those answers, and moto's interpreter names the errors:
 * the test never names an error for the definition.
 */
import * as http from 'http';
import type { RunWorld } from './long-run-world';
import { attemptNameOf } from '../../lambda/compilation-job/retry';
import { ServiceError, startEndpoint } from '../driver/aws-endpoint';

export interface Front {
  readonly port: number;
  add(world: RunWorld): void;
  /** Where requests no world serves go: moto's own endpoint, known once moto runs. */
  forwardTo(motoEndpoint: string): void;
  close(): Promise<void>;
}

function noWorld(what: string): ServiceError {
  // A request of no scenario (a harness fault): the run sees a refusal it cannot mistake for a service answer.
  return { name: 'NoScenario', message: `no scenario serves ${what}`, $metadata: { httpStatusCode: 400 } };
}

/** Passes a request on to moto unchanged, and moto's answer back. */
function forward(target: string | undefined, request: http.IncomingMessage, body: string, response: http.ServerResponse): Promise<void> {
  if (!target) {
    response.writeHead(503).end('moto is not running yet');
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const upstream = http.request(new URL(request.url ?? '/', target), { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response).on('finish', resolve);
    });
    upstream.on('error', (error) => {
      response.writeHead(502).end(error.message);
      resolve();
    });
    upstream.end(body);
  });
}

export async function startFront(): Promise<Front> {
  const worlds: RunWorld[] = [];
  let moto: string | undefined;
  const endpoint = await startEndpoint({
    now: () => Date.now(),
    sagemaker: async (operation, input) => {
      const name = (input as { CompilationJobName?: string }).CompilationJobName;
      // A scenario's job, or a retry of it (a name derived from the job's, lambda/compilation-job/retry.ts).
      const world = worlds.find((w) => [0, 1, 2, 3, 4, 5].some((attempt) => attemptNameOf(w.options.jobName, attempt) === name));
      if (!world) throw noWorld(`SageMaker ${operation} of job ${name}`);
      return world.sagemaker(operation, input);
    },
    cloudformation: async (action, input) => {
      const world = worlds.find((w) => w.stackId === input.StackName);
      if (!world) throw noWorld(`CloudFormation ${action} of stack ${input.StackName}`);
      return world.cloudformationCall(action, input);
    },
    // No custom resource here: nothing PUTs a response to CloudFormation.
    response: () => undefined,
    other: (request, body, response) => forward(moto, request, body, response),
  });
  return {
    port: endpoint.port,
    add: (world) => worlds.push(world),
    forwardTo: (motoEndpoint) => { moto = motoEndpoint; },
    close: () => endpoint.close(),
  };
}
