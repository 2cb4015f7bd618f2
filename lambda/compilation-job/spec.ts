import { createHash } from 'crypto';
import type { CreateCompilationJobCommandInput } from '@aws-sdk/client-sagemaker';
import { JOB_NAME_HASH_LENGTH, OPERATION_TAG_LENGTH, REQUEST_HASH_LENGTH } from '../../src/private/contract';
import type { CompilationJobResourceProperties, CompilationJobSpec } from '../../src/private/contract';
import * as requests from '../../src/private/create-request';

export function parseSpec(properties: CompilationJobResourceProperties): CompilationJobSpec {
  return JSON.parse(properties.Spec) as CompilationJobSpec;
}

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * What every job name of this construct and request starts with: `<prefix>-<hash of the request>`.
 * ListCompilationJobs(NameContains) with it finds every job ever made for the request: at most
 * 46 + 1 + 12 = 59 letters, digits and '-', where NameContains takes 63 of them
 * (NAME_LIMITS.nameContains, botocore sagemaker/2017-07-24 shape NameContains).
 */
export function requestNamePrefix(spec: CompilationJobSpec): string {
  const hash = sha256(`${spec.constructAddress}\n${canonicalJson(spec.request)}`).slice(0, REQUEST_HASH_LENGTH);
  return `${spec.jobNamePrefix}-${hash}`;
}

/**
 * The job name for one CloudFormation operation: the request's prefix, then a tag from the
 * operation's RequestId. A duplicate delivery of the operation computes the same name; any other
 * operation gets a name no job ever had, so a FAILED or STOPPED record, or the name of a job
 * deleted a moment ago (which SageMaker may refuse for a while), never blocks it.
 */
export function jobNameOf(spec: CompilationJobSpec, requestId: string): string {
  return `${requestNamePrefix(spec)}${sha256(requestId).slice(0, OPERATION_TAG_LENGTH)}`;
}

/** Whether `name` is a job this handler made for this construct (any request). */
export function isOurJobName(spec: CompilationJobSpec, name: string): boolean {
  return new RegExp(`^${spec.jobNamePrefix}-[0-9a-f]{${JOB_NAME_HASH_LENGTH}}$`).test(name);
}

/** Whether `name` is a job this handler made for exactly this request. */
export function isJobOfRequest(spec: CompilationJobSpec, name: string): boolean {
  return isOurJobName(spec, name) && name.startsWith(requestNamePrefix(spec));
}

/** Each job writes under its own folder: a replacement never overwrites the artifact in use. */
export function outputLocationOf(spec: CompilationJobSpec, jobName: string): string {
  return requests.outputLocationOf(spec.request, jobName);
}

/** The request sent for this job (the construct shows the same, made by the same function, in the cloud assembly). */
export function createRequestOf(spec: CompilationJobSpec, jobName: string): CreateCompilationJobCommandInput {
  // Only the enum-like strings narrow here: the construct checked them at synth time, and the
  // SDK types them as the literal unions it knew when it was built.
  return requests.createRequestOf(spec.request, spec.tags, jobName) as CreateCompilationJobCommandInput;
}
