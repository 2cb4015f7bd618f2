import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MAX_JOB_NAME_LENGTH, MAX_LONG_RUN_TIMEOUT_SECONDS, MAX_RETRIES_LIMIT } from './contract';
import { frameworkVersionFindings } from './framework-version-rules';
import { JobContext, jobContextOf } from './job-context';
import { API_LIMITS, MAX_BUCKET_NAME_LENGTH, wholeMatch } from './limits';
import { PropErrors } from './prop-errors';
import { jobRemovalOf } from './removal-policy';
import { roleFindings } from './role-rules';
import { warn } from './warnings';
import type { CompilationJobProps } from '../compilation-job';

/** Targets the documentation ties to one region. */
const SINGLE_REGION_TARGETS: Record<string, string> = { ml_trn1: 'us-east-1', ml_inf2: 'us-east-2' };

/** Characters of `s3://<bucket>/` plus `/<job name>` that the output location adds to the prefix. */
const OUTPUT_LOCATION_OVERHEAD = 's3://'.length + 1 + 1 + MAX_JOB_NAME_LENGTH;

/**
 * Targets whose AWS service has ended; the members that name them are deprecated (src/target.ts,
 * CompilerOptions.elasticInference). Neo may still compile for them; nothing runs the result.
 */
const END_OF_LIFE_TARGETS: Record<string, string> = {
  ml_eia2: 'ml_eia2 is for Amazon Elastic Inference, which ended on 2024-04-15 (https://docs.aws.amazon.com/cli/latest/reference/elastic-inference/index.html): ' +
    'compile for ml_inf2 or a GPU instance family (ml_g4dn) instead',
  deeplens: 'AWS DeepLens reached its end of life on 2024-01-31 (https://docs.aws.amazon.com/deeplens/latest/dg/what-is-deeplens.html): ' +
    'compile for the device that replaces it',
};

/** Core ML's converter takes TensorFlow and PyTorch models only. */
const COREML_FRAMEWORKS = ['TENSORFLOW', 'PYTORCH'];

/** The props the rules read, as the user gave them (a type-only import: no construct code here). */
export type JobSettings = Pick<CompilationJobProps,
  'model' | 'framework' | 'frameworkVersion' | 'dataInputConfig' | 'target' | 'compilerOptions' |
  'outputPrefix' | 'vpc' | 'vpcSubnets' | 'securityGroups' | 'removalPolicy' | 'role' | 'maxRetries'>;

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
  checkModel(scope, errors, props, context);
  checkFrameworkVersion(scope, errors, props, context);
  checkTarget(scope, errors, props, context);
  checkDurations(errors, resolved);
  checkOutput(errors, props, resolved);
  checkVpc(errors, props);
  checkRole(scope, props);
  errors.checkValue(props.maxRetries, 'maxRetries', (n) => Number.isInteger(n) && n >= 0 && n <= MAX_RETRIES_LIMIT,
    (n) => `must be a whole number from 0 (no retries) to ${MAX_RETRIES_LIMIT} (got ${n}): each retry of a job that SageMaker failed with an internal error is a new job within the same timeout`);
  const rejected = jobRemovalOf(props.removalPolicy).rejected;
  errors.check(rejected === undefined, 'removalPolicy', rejected ?? '');
  errors.throwIfAny('CompilationJob', scope);
}

function checkModel(scope: Construct, errors: PropErrors, props: JobSettings, context: JobContext): void {
  const fromPackage = props.model.isModelPackage;
  errors.check(fromPackage || props.framework !== undefined, 'framework',
    'is required when the model comes from S3 or an asset');
  for (const [prop, value] of Object.entries({
    framework: props.framework, frameworkVersion: props.frameworkVersion, dataInputConfig: props.dataInputConfig,
  })) {
    errors.check(!fromPackage || value === undefined, prop,
      'must not be set with ModelInput.fromModelPackage (the model package brings its own)');
  }
  for (const problem of props.model._problems(Stack.of(scope).region)) errors.check(false, 'model', problem);

  const framework = context.framework;
  const version = props.frameworkVersion;
  const { min, max, pattern } = API_LIMITS.frameworkVersion;
  errors.checkValue(version, 'frameworkVersion', (v) => v.length >= min && v.length <= max && wholeMatch(pattern).test(v),
    (v) => `must be ${min} to ${max} characters like '2.0' (pattern ${pattern}), got '${v}'`);

  const data = props.dataInputConfig;
  if (data === undefined) {
    errors.check(fromPackage || !needsDataInputConfig(context), 'dataInputConfig',
      `is required for ${framework} models (only XGBOOST, and PYTORCH 2.0 or later on ml_* targets, may omit it; ` +
      'a PYTORCH job without frameworkVersion counts as 2.0 or later): add DataInputConfig.fromShapes({ <input name>: [<sizes>] })');
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
    warn(scope, 'cdk-sagemaker-neo:framework-version', `frameworkVersion: ${warning}`);
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
  if (device !== undefined && END_OF_LIFE_TARGETS[device]) {
    warn(scope, 'cdk-sagemaker-neo:end-of-life', `target: ${END_OF_LIFE_TARGETS[device]}`);
  }
  const region = Stack.of(scope).region;
  if (device !== undefined && SINGLE_REGION_TARGETS[device] && !Token.isUnresolved(region) && region !== SINGLE_REGION_TARGETS[device]) {
    warn(scope, 'cdk-sagemaker-neo:single-region-target',
      `target: ${device} is documented for ${SINGLE_REGION_TARGETS[device]} only; this stack is in ${region}.`);
  }
}

/** MAX_LONG_RUN_TIMEOUT_SECONDS in words. */
const LONGEST_TIMEOUT = `${Math.floor(MAX_LONG_RUN_TIMEOUT_SECONDS / 3600)} hours ${(MAX_LONG_RUN_TIMEOUT_SECONDS % 3600) / 60} minutes`;

function checkDurations(errors: PropErrors, { maxRuntime, timeout }: ResolvedProps): void {
  const maxRuntimeSeconds = maxRuntime.toSeconds({ integral: false });
  const timeoutSeconds = timeout.toSeconds({ integral: false });
  errors.checkValue(maxRuntimeSeconds, 'maxRuntime', (s) => s >= API_LIMITS.maxRuntimeInSeconds.min && Number.isInteger(s),
    () => `must be a whole number of seconds, at least 1 (got ${durationText(maxRuntime)})`);
  errors.checkValue(timeoutSeconds, 'timeout', (s) => s >= 60 && s <= MAX_LONG_RUN_TIMEOUT_SECONDS,
    () => `must be from 1 minute to ${LONGEST_TIMEOUT}, the longest CloudFormation can wait (got ${durationText(timeout)})`);
  if (!Token.isUnresolved(maxRuntimeSeconds) && !Token.isUnresolved(timeoutSeconds)) {
    errors.check(maxRuntimeSeconds <= timeoutSeconds, 'maxRuntime',
      `(${durationText(maxRuntime)}) is longer than the deployment waits for the job (timeout: ${durationText(timeout)}). ` +
      `Lower maxRuntime, or raise timeout (at most ${LONGEST_TIMEOUT}); ` +
      'compile longer-running models outside the deployment');
  }
}

/**
 * A duration as the user wrote it, then in seconds: `Duration.hours(13)` is '13 hours (46800
 * seconds)'. Duration keeps its unit private; its toString() is the factory call that made it.
 */
export function durationText(duration: Duration): string {
  const seconds = duration.toSeconds({ integral: false });
  const written = /^Duration\.(\w+)\((.+)\)$/.exec(duration.toString());
  if (!written || written[1] === 'seconds') return `${seconds} seconds`;
  const [, unit, amount] = written;
  const name = unit === 'millis' ? 'milliseconds' : unit;
  return `${amount} ${amount === '1' ? name.replace(/s$/, '') : name} (${seconds} seconds)`;
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

function checkRole(scope: Construct, props: JobSettings): void {
  // Trust statements may be added to the role after the job is made: judged at synth (roleProblems).
  if (roleFindings(props.role).imported) {
    warn(scope, 'cdk-sagemaker-neo:imported-role', 'role: an imported role. The construct cannot read its trust policy (it must trust ' +
      'sagemaker.amazonaws.com), and adds the job\'s permissions only to a mutable role of this account: an immutable role ' +
      '(mutable: false) or a role of another account gets none, so it must already read the model and write under the output prefix.');
  }
}

/** The problems of the job's role, as they stand when the app is synthesized. */
export function roleProblems(role: iam.IRole | undefined): string[] {
  return roleFindings(role).errors.map((error) => `role: ${error}`);
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
