import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MAX_JOB_NAME_LENGTH, MAX_LONG_RUN_TIMEOUT_SECONDS, MAX_RETRIES_LIMIT } from './contract';
import { frameworkVersionFindings } from './framework-version-rules';
import { JobContext, jobContextOf } from './job-context';
import { API_LIMITS, MAX_BUCKET_NAME_LENGTH, wholeMatch } from './limits';
import { PropErrors } from './prop-errors';
import { jobRemovalOf } from './removal-policy';
import type { CompilationJobProps } from '../compilation-job';

/** Targets the documentation ties to one region. */
const SINGLE_REGION_TARGETS: Record<string, string> = { ml_trn1: 'us-east-1', ml_inf2: 'us-east-2' };

/** Characters of `s3://<bucket>/` plus `/<job name>` that the output location adds to the prefix. */
const OUTPUT_LOCATION_OVERHEAD = 's3://'.length + 1 + 1 + MAX_JOB_NAME_LENGTH;

/** Core ML's converter takes TensorFlow and PyTorch models only. */
const COREML_FRAMEWORKS = ['TENSORFLOW', 'PYTORCH'];

/** The props the rules read, as the user gave them (a type-only import: no construct code here). */
export type JobSettings = Pick<CompilationJobProps,
  'model' | 'framework' | 'frameworkVersion' | 'dataInputConfig' | 'target' | 'compilerOptions' |
  'outputPrefix' | 'vpc' | 'vpcSubnets' | 'securityGroups' | 'removalPolicy' | 'maxRetries'>;

/** What the job resolved from its props before validating them. */
export interface ResolvedProps {
  readonly maxRuntime: Duration;
  readonly timeout: Duration;
  readonly outputBucket: s3.IBucket;
  readonly outputPrefix: string;
}

/** The rest of the job, for settings whose validity depends on it (tokens left out). */
function contextOf(props: JobSettings): JobContext {
  const platform = props.target.targetPlatform;
  return jobContextOf({
    framework: props.framework?.name,
    frameworkVersion: props.frameworkVersion,
    device: props.target.targetDevice?.name,
    os: platform?.os.name,
    arch: platform?.arch.name,
    accelerator: platform?.accelerator?.name,
  });
}

/**
 * Every rule of the CreateCompilationJob API that can be checked at synth time. All problems are
 * collected and thrown as one error; values that are unresolved tokens are skipped.
 */
export function validateJob(scope: Construct, props: JobSettings, resolved: ResolvedProps): void {
  const errors = new PropErrors();
  const context = contextOf(props);
  checkModel(errors, props, context);
  checkFrameworkVersion(scope, errors, props, context);
  checkTarget(scope, errors, props, context);
  checkDurations(errors, resolved);
  checkOutput(errors, props, resolved);
  checkVpc(errors, props);
  errors.checkValue(props.maxRetries, 'maxRetries', (n) => Number.isInteger(n) && n >= 0 && n <= MAX_RETRIES_LIMIT,
    (n) => `must be a whole number from 0 (no retries) to ${MAX_RETRIES_LIMIT} (got ${n}): each retry of a job that SageMaker failed with an internal error is a new job within the same timeout`);
  const rejected = jobRemovalOf(props.removalPolicy).rejected;
  errors.check(rejected === undefined, 'removalPolicy', rejected ?? '');
  errors.throwIfAny('CompilationJob', scope);
}

function checkModel(errors: PropErrors, props: JobSettings, context: JobContext): void {
  const fromPackage = props.model.isModelPackage;
  errors.check(fromPackage || props.framework !== undefined, 'framework',
    'is required when the model comes from S3 or an asset');
  for (const [prop, value] of Object.entries({
    framework: props.framework, frameworkVersion: props.frameworkVersion, dataInputConfig: props.dataInputConfig,
  })) {
    errors.check(!fromPackage || value === undefined, prop,
      'must not be set with ModelInput.fromModelPackage (the model package brings its own)');
  }
  for (const problem of props.model._problems()) errors.check(false, 'model', problem);

  const framework = context.framework;
  const version = props.frameworkVersion;
  const { min, max, pattern } = API_LIMITS.frameworkVersion;
  errors.checkValue(version, 'frameworkVersion', (v) => v.length >= min && v.length <= max && wholeMatch(pattern).test(v),
    (v) => `must be ${min} to ${max} characters like '2.0' (pattern ${pattern}), got '${v}'`);

  const data = props.dataInputConfig;
  if (data === undefined) {
    errors.check(fromPackage || !needsDataInputConfig(context), 'dataInputConfig',
      `is required for ${framework} models (only XGBOOST, and PYTORCH 2.0 or later on ml_* targets, may omit it)`);
  } else {
    for (const problem of data._problems(context)) errors.check(false, 'dataInputConfig', problem);
    const { min: minLength, max: maxLength } = API_LIMITS.dataInputConfig;
    errors.checkValue(data._length(), 'dataInputConfig', (n) => n >= minLength && n <= maxLength,
      (n) => `must be ${minLength} to ${maxLength} characters of JSON (got ${n})`);
  }
}

/** XGBOOST needs no shapes; PyTorch 2.0+ infers them on cloud targets. */
function needsDataInputConfig(context: JobContext): boolean {
  const { framework, frameworkVersion, device } = context;
  if (framework === undefined) return false;
  if (framework === 'XGBOOST') return false;
  if (framework === 'PYTORCH' && device?.startsWith('ml_')) {
    const major = frameworkVersion === undefined ? undefined : Number.parseInt(frameworkVersion, 10);
    return major !== undefined && major < 2;
  }
  return true;
}

function checkFrameworkVersion(scope: Construct, errors: PropErrors, props: JobSettings, context: JobContext): void {
  const findings = frameworkVersionFindings(props.frameworkVersion, context);
  for (const error of findings.errors) errors.check(false, 'frameworkVersion', error);
  for (const warning of findings.warnings) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-neo:framework-version', `frameworkVersion: ${warning}`);
  }
}

function checkTarget(scope: Construct, errors: PropErrors, props: JobSettings, context: JobContext): void {
  if (props.compilerOptions) {
    for (const problem of props.compilerOptions._problems(context)) errors.check(false, 'compilerOptions', problem);
  } else {
    errors.check(context.accelerator !== 'NVIDIA', 'compilerOptions',
      'are required with an NVIDIA accelerator (gpu-code, trt-ver, cuda-ver: use CompilerOptions.nvidia)');
  }
  errors.check(context.device !== 'coreml' || context.framework === undefined || COREML_FRAMEWORKS.includes(context.framework), 'framework',
    `Core ML (TargetDevice.COREML) converts ${COREML_FRAMEWORKS.join(' and ')} models only (framework is ${context.framework})`);
  const device = context.device;
  const region = Stack.of(scope).region;
  if (device !== undefined && SINGLE_REGION_TARGETS[device] && !Token.isUnresolved(region) && region !== SINGLE_REGION_TARGETS[device]) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-neo:single-region-target',
      `target: ${device} is documented for ${SINGLE_REGION_TARGETS[device]} only; this stack is in ${region}.`);
  }
}

/** MAX_LONG_RUN_TIMEOUT_SECONDS in words. */
const LONGEST_TIMEOUT = `${Math.floor(MAX_LONG_RUN_TIMEOUT_SECONDS / 3600)} hours ${(MAX_LONG_RUN_TIMEOUT_SECONDS % 3600) / 60} minutes`;

function checkDurations(errors: PropErrors, { maxRuntime, timeout }: ResolvedProps): void {
  const maxRuntimeSeconds = maxRuntime.toSeconds({ integral: false });
  const timeoutSeconds = timeout.toSeconds({ integral: false });
  errors.checkValue(maxRuntimeSeconds, 'maxRuntime', (s) => s >= API_LIMITS.maxRuntimeInSeconds.min && Number.isInteger(s),
    (s) => `must be a whole number of seconds, at least 1 (got ${s} seconds)`);
  errors.checkValue(timeoutSeconds, 'timeout', (s) => s >= 60 && s <= MAX_LONG_RUN_TIMEOUT_SECONDS,
    (s) => `must be from 1 minute to ${LONGEST_TIMEOUT}, the longest CloudFormation can wait (got ${s} seconds)`);
  if (!Token.isUnresolved(maxRuntimeSeconds) && !Token.isUnresolved(timeoutSeconds)) {
    errors.check(maxRuntimeSeconds <= timeoutSeconds, 'maxRuntime',
      `(${maxRuntimeSeconds} seconds) is longer than the deployment waits for the job (timeout: ${timeoutSeconds} seconds). ` +
      `Lower maxRuntime, or raise timeout (at most ${LONGEST_TIMEOUT}); ` +
      'compile longer-running models outside the deployment');
  }
}

function checkOutput(errors: PropErrors, props: JobSettings, { outputBucket, outputPrefix }: ResolvedProps): void {
  errors.checkValue(props.outputPrefix, 'outputPrefix', (p) => !p.startsWith('/'), (p) => `must not start with '/' (got '${p}')`);
  const bucketName = Token.isUnresolved(outputBucket.bucketName) ? undefined : outputBucket.bucketName;
  const room = API_LIMITS.s3Uri.max - OUTPUT_LOCATION_OVERHEAD - (bucketName?.length ?? MAX_BUCKET_NAME_LENGTH);
  errors.checkValue(outputPrefix, 'outputPrefix', (p) => p.length <= room,
    (p) => `must be at most ${room} characters, so that s3://<bucket>/<prefix><job name> fits SageMaker's ${API_LIMITS.s3Uri.max} (got ${p.length})`);
}

function checkVpc(errors: PropErrors, props: JobSettings): void {
  errors.check(props.vpc !== undefined || (props.vpcSubnets === undefined && props.securityGroups === undefined),
    'vpcSubnets/securityGroups', 'need `vpc` to be set');
  const subnets = props.vpc?.selectSubnets(props.vpcSubnets).subnetIds;
  const { min: minSubnets, max: maxSubnets } = API_LIMITS.subnets;
  errors.checkValue(subnets?.length, 'vpcSubnets', (n) => n >= minSubnets && n <= maxSubnets,
    (n) => `must select ${minSubnets} to ${maxSubnets} subnets (selected ${n})`);
  const { min: minGroups, max: maxGroups } = API_LIMITS.securityGroupIds;
  errors.checkValue(props.securityGroups?.length, 'securityGroups', (n) => n >= minGroups && n <= maxGroups,
    (n) => `needs ${minGroups} to ${maxGroups} security groups (got ${n})`);
  const ids = [...(subnets ?? []), ...(props.securityGroups ?? []).map((sg) => sg.securityGroupId)];
  for (const id of ids) {
    errors.checkValue(id, 'vpcSubnets/securityGroups', (v) => v.length <= API_LIMITS.vpcId.max && wholeMatch(API_LIMITS.vpcId.pattern).test(v),
      (v) => `IDs must be at most ${API_LIMITS.vpcId.max} characters of letters, digits and '-' (got '${v}')`);
  }
}

/** The tag rules of the API, checked when the tags are known (after `Tags.of` aspects ran). */
export function tagProblems(tags: { Key: string; Value: string }[]): string[] {
  const problems: string[] = [];
  if (tags.length > API_LIMITS.tags.max) problems.push(`tags: at most ${API_LIMITS.tags.max} tags on a compilation job (got ${tags.length})`);
  const keyPattern = wholeMatch(API_LIMITS.tagKey.pattern);
  const valuePattern = wholeMatch(API_LIMITS.tagValue.pattern);
  for (const { Key: key, Value: value } of tags) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) continue;
    if (key.length < API_LIMITS.tagKey.min || key.length > API_LIMITS.tagKey.max || !keyPattern.test(key)) {
      problems.push(`tags: key '${key}' must be 1 to ${API_LIMITS.tagKey.max} letters, digits, spaces or _.:/=+-@`);
    }
    if (key.toLowerCase().startsWith('aws:')) problems.push(`tags: key '${key}' uses the reserved prefix 'aws:'`);
    if (value.length > API_LIMITS.tagValue.max || !valuePattern.test(value)) {
      problems.push(`tags: value of '${key}' must be at most ${API_LIMITS.tagValue.max} letters, digits, spaces or _.:/=+-@`);
    }
  }
  return problems;
}
