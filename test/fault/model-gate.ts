/**
 * The one door every AWS stand-in of the tests answers through: each request is checked against
 * botocore's model of its service before the stand-in sees it, and each answer against the
 * operation's output shape before the caller sees it.
 *
 * - A request that breaks the model's constraints (required members, lengths, patterns, enums,
 *   ranges, at any depth) is refused as AWS refuses it: HTTP 400, the service's validation error
 *   code, and AWS's wording (`1 validation error detected: Value '...' at 'uniqueId' failed to
 *   satisfy constraint: Member must have length less than or equal to 64`; sources at
 *   {@link awsValidationMessage}). AWS validates server-side; boto3 checks only minimums and the
 *   AWS SDK for JavaScript v3 nothing, so a stand-in that skips this accepts what AWS refuses.
 * - An answer outside the output shape (a missing required member, a wrong type, a value not in an
 *   enum) is the stand-in's bug, not AWS's behaviour: it throws a plain Error, and the test fails.
 * - Both are also kept for {@link takeGateFindings}, which the suites assert empty after each
 *   test: a refusal is a request the product (or a test) sent that AWS would have refused.
 *
 * Without botocore (python3 or the package missing) nothing is checked, with the notice
 * {@link loadApiModel} prints (and a failure under CI_TOOLS_REQUIRED=1).
 */
import { awsValidationMessage, formatViolations, loadApiModel, ServiceName, Violation } from './api-model';

/**
 * The error code each service answers a request its validation refuses with. SageMaker, Step
 * Functions, Lambda and Greengrass (JSON protocols) answer `ValidationException` (getmoto/moto#6438 for
 * Step Functions, aws-samples/sagemaker-ml-workflow-with-apache-airflow#3 for SageMaker);
 * awsQuery services answer `ValidationError` (`<Code>ValidationError</Code>`, NixOS/nixops#328;
 * CloudFormation's own, boto/boto3#2807). S3 has no such validation layer: it answers a bad
 * argument with `InvalidArgument` (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
export const VALIDATION_ERROR_CODE: Readonly<Record<ServiceName, string>> = {
  sagemaker: 'ValidationException',
  stepfunctions: 'ValidationException',
  lambda: 'ValidationException',
  greengrassv2: 'ValidationException',
  cloudformation: 'ValidationError',
  s3: 'InvalidArgument',
  // CloudWatch Logs answers a constraint violation with InvalidParameterException and the same wording:
  // "InvalidParameterException: 1 validation error detected: Value '…' at 'logStreamName' failed to satisfy
  // constraint: Member must satisfy regular expression pattern: [^:*]*" (github.com/cisagov/crossfeed/issues/374).
  logs: 'InvalidParameterException',
};

/**
 * Members an output shape marks required that the service leaves out until they exist:
 * DescribeCompilationJob has no FailureReason before a job fails, no ModelArtifacts before it
 * completes, and no InputConfig for a job compiled from a model package
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeCompilationJob.html).
 */
const SOMETIMES_ABSENT: Readonly<Partial<Record<ServiceName, Readonly<Record<string, readonly string[]>>>>> = {
  sagemaker: { DescribeCompilationJob: ['FailureReason', 'ModelArtifacts', 'InputConfig'] },
};

/** A request the model refuses, shaped as the SDK's deserializer and the stand-ins' fronts read errors. */
export class ModelValidationError extends Error {
  readonly $fault = 'client' as const;
  readonly $metadata = { httpStatusCode: 400 };
  /** The fields the AWS SDK for JavaScript v3 gives a service error (for stand-ins called in process). */
  readonly Message: string;

  constructor(readonly service: ServiceName, readonly operation: string, readonly violations: readonly Violation[]) {
    const aws = awsValidationMessage(violations);
    // What AWS answers otherwise (an unknown member is dropped, a wrong type is a SerializationException)
    // is still refused here: such a request is a bug of its sender, and the test must see it.
    super(aws ?? `The stand-in refuses a request AWS would not take as sent: ${formatViolations(operation, violations)}`);
    this.name = aws ? VALIDATION_ERROR_CODE[service] : 'SerializationException';
    this.Message = this.message;
  }
}

/** Requests refused and answers outside the model, since the last take. */
const findings: string[] = [];

/**
 * What the gate found since the last take: every request refused (`service.Operation: code:
 * message`) and every answer outside its output shape. The suites assert it is empty after each
 * test; a test that sends invalid requests on purpose takes its own findings.
 */
export function takeGateFindings(): string[] {
  return findings.splice(0, findings.length);
}

/** Throws {@link ModelValidationError} when `input` breaks `operation`'s input shape. */
export function refuseInvalid(service: ServiceName, operation: string, input: unknown): void {
  const model = loadApiModel(service);
  if (!model) return;
  const violations = model.validateInput(operation, input);
  if (violations.length === 0) return;
  const error = new ModelValidationError(service, operation, violations);
  findings.push(`${service}.${operation} refused: ${error.name}: ${error.message}`);
  throw error;
}

/** Throws (a plain Error: the stand-in's bug) when `output` breaks `operation`'s output shape. */
export function checkAnswer(service: ServiceName, operation: string, output: unknown): void {
  const model = loadApiModel(service);
  if (!model) return;
  const absent = new Set(SOMETIMES_ABSENT[service]?.[operation] ?? []);
  const violations = model.validateOutput(operation, output).filter((v) => !(absent.has(v.path) && /is required/.test(v.rule)));
  if (violations.length === 0) return;
  const message = `the ${service} stand-in answered ${operation} outside botocore's model: ${formatViolations(operation, violations)}`;
  findings.push(message);
  throw new Error(message);
}

/**
 * One request through the door: refused when invalid, else answered by `serve`, whose answer is
 * checked before it is returned.
 */
export async function served<T>(service: ServiceName, operation: string, input: unknown, serve: () => T | Promise<T>): Promise<T> {
  refuseInvalid(service, operation, input);
  const output = await serve();
  checkAnswer(service, operation, output);
  return output;
}
