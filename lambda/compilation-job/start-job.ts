import { CreateCompilationJobCommand } from '@aws-sdk/client-sagemaker';
import { copyInput } from './copy-input';
import { DeploymentError } from './errors';
import { isInUse, isRetryable, JobDescription, sagemaker } from './sagemaker';
import { canonicalJson, createRequestOf, outputLocationOf } from './spec';
import type { CompilationJobSpec } from '../../src/private/contract';

/**
 * Creates the job. Never fails on a transient fault or on the concurrent-job quota: the job is
 * then created by a later poll (isComplete creates a job it cannot find).
 * A job of that name that exists already is left to isComplete, which adopts it when it was made
 * from the same request (a duplicate delivery, a retry, or a job RETAINed by an earlier stack).
 */
export async function startJob(spec: CompilationJobSpec, jobName: string): Promise<void> {
  try {
    if (spec.inputCopy) await copyInput(spec.inputCopy);
    await sagemaker.send(new CreateCompilationJobCommand(createRequestOf(spec, jobName)));
    console.info('Compilation job created', { job: jobName });
  } catch (error) {
    if (isInUse(error)) {
      console.info('A job of this name exists already; it is adopted if it was made from the same request', { job: jobName });
      return;
    }
    if (isRetryable(error)) {
      console.warn('Compilation job not created yet; will retry on the next poll', { job: jobName, error: String(error) });
      return;
    }
    throw error;
  }
}

/**
 * Fails when the job of this name was not made from this request: job names are derived from the
 * construct and its request, so another tool or stack made it.
 */
export function assertSameRequest(spec: CompilationJobSpec, job: JobDescription): void {
  const differences = differencesFrom(spec, job);
  if (differences.length > 0) {
    throw new DeploymentError(
      `A compilation job named ${job.CompilationJobName} already exists with a different request (${differences.join(', ')}). ` +
      'Job names are derived from the construct and its request, so another tool or stack made it. ' +
      'Delete that job (aws sagemaker delete-compilation-job) or rename the construct.');
  }
}

/** The fields that identify what a job compiles, where to, and as whom. */
function differencesFrom(spec: CompilationJobSpec, job: JobDescription): string[] {
  const request = spec.request;
  // SageMaker may echo the location with a trailing slash.
  const trim = (uri?: string) => uri?.replace(/\/+$/, '');
  const platform = (value?: object) => (value === undefined ? undefined : canonicalJson(value));
  const fields: Array<[string, unknown, unknown]> = [
    ['RoleArn', request.RoleArn, job.RoleArn],
    ['InputConfig.S3Uri', request.InputConfig?.S3Uri, job.InputConfig?.S3Uri],
    ['InputConfig.Framework', request.InputConfig?.Framework, job.InputConfig?.Framework],
    ['ModelPackageVersionArn', request.ModelPackageVersionArn, job.ModelPackageVersionArn],
    ['OutputConfig.S3OutputLocation', outputLocationOf(spec, job.CompilationJobName!), trim(job.OutputConfig?.S3OutputLocation)],
    ['OutputConfig.TargetDevice', request.OutputConfig.TargetDevice, job.OutputConfig?.TargetDevice],
    ['OutputConfig.TargetPlatform', platform(request.OutputConfig.TargetPlatform), platform(job.OutputConfig?.TargetPlatform)],
  ];
  return fields.filter(([, expected, actual]) => (expected ?? undefined) !== (actual ?? undefined)).map(([field]) => field);
}
