import { createHash } from 'crypto';
import type { CreateCompilationJobCommandInput } from '@aws-sdk/client-sagemaker';
import { JOB_NAME_HASH_LENGTH } from '../../src/private/contract';
import type { CompilationJobResourceProperties, CompilationJobSpec } from '../../src/private/contract';

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

/**
 * The job's name: deterministic from the construct and its request, so a retried or duplicated
 * Create finds its own job, any change of the request gets a new job, and a Delete can recompute
 * the name when CloudFormation hands over a physical id that is not a job name.
 */
export function jobNameOf(spec: CompilationJobSpec): string {
  const hash = createHash('sha256')
    .update(`${spec.constructAddress}\n${canonicalJson(spec.request)}`)
    .digest('hex')
    .slice(0, JOB_NAME_HASH_LENGTH);
  return `${spec.jobNamePrefix}-${hash}`;
}

/**
 * The job a Delete is about. The physical id is the job name, except when the framework or
 * CloudFormation invented one (a Create that failed or was cancelled before it returned): then
 * the job, if any, carries the name computed from the properties.
 */
export function deleteTargetOf(spec: CompilationJobSpec, physicalResourceId: string): string {
  const ours = new RegExp(`^${spec.jobNamePrefix}-[0-9a-f]{${JOB_NAME_HASH_LENGTH}}$`);
  return ours.test(physicalResourceId) ? physicalResourceId : jobNameOf(spec);
}

/** Each job writes under its own folder: a replacement never overwrites the artifact in use. */
export function outputLocationOf(spec: CompilationJobSpec, jobName: string): string {
  return `${spec.request.OutputConfig.S3OutputLocation.replace(/\/+$/, '')}/${jobName}`;
}

export function createRequestOf(spec: CompilationJobSpec, jobName: string): CreateCompilationJobCommandInput {
  const request = spec.request;
  // The construct validated enum-like values at synth time; the SDK types them as literal unions.
  return {
    ...request,
    CompilationJobName: jobName,
    OutputConfig: {
      ...request.OutputConfig,
      S3OutputLocation: outputLocationOf(spec, jobName),
    },
    Tags: spec.tags.length > 0 ? spec.tags : undefined,
  } as CreateCompilationJobCommandInput;
}
