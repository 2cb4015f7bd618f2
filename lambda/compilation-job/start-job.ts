import { CreateCompilationJobCommand } from '@aws-sdk/client-sagemaker';
import { copyInput } from './copy-input';
import { DeploymentError } from './errors';
import { describeJob, isInUse, isRetryable, JobDescription, sagemaker } from './sagemaker';
import { createRequestOf, outputLocationOf } from './spec';
import type { CompilationJobSpec } from '../../src/private/contract';

/**
 * Creates the job. Never fails on a transient fault or on the concurrent-job quota: the job is
 * then created by a later poll (isComplete creates a job it cannot find).
 * A job of the same name that exists already is adopted when it was made from the same request
 * (a duplicate delivery, a retry, or a job RETAINed by an earlier stack): no recompilation.
 */
export async function startJob(spec: CompilationJobSpec, jobName: string): Promise<void> {
  try {
    if (spec.inputCopy) await copyInput(spec.inputCopy);
    await sagemaker.send(new CreateCompilationJobCommand(createRequestOf(spec, jobName)));
    console.info('Compilation job created', { job: jobName });
  } catch (error) {
    if (isInUse(error)) return adoptJob(spec, jobName);
    if (isRetryable(error)) {
      console.warn('Compilation job not created yet; will retry on the next poll', { job: jobName, error: String(error) });
      return;
    }
    throw error;
  }
}

async function adoptJob(spec: CompilationJobSpec, jobName: string): Promise<void> {
  const existing = await describeJob(jobName);
  if (!existing) return; // deleted in between: the next poll creates it
  const differences = differencesFrom(spec, jobName, existing);
  if (differences.length > 0) {
    throw new DeploymentError(
      `A compilation job named ${jobName} already exists with a different request (${differences.join(', ')}). ` +
      'Job names are derived from the construct and its request, so another tool or stack made it. ' +
      'Delete that job (aws sagemaker delete-compilation-job) or rename the construct.');
  }
  console.info('Adopted existing compilation job made from the same request', { job: jobName, status: existing.CompilationJobStatus });
}

/** The fields that identify what a job compiles, where to, and as whom. */
function differencesFrom(spec: CompilationJobSpec, jobName: string, job: JobDescription): string[] {
  const request = spec.request;
  const trim = (uri?: string) => uri?.replace(/\/+$/, '');
  const expected: Record<string, unknown> = {
    'RoleArn': request.RoleArn,
    'InputConfig.S3Uri': request.InputConfig?.S3Uri,
    'InputConfig.Framework': request.InputConfig?.Framework,
    'ModelPackageVersionArn': request.ModelPackageVersionArn,
    'OutputConfig.S3OutputLocation': trim(outputLocationOf(spec, jobName)),
    'OutputConfig.TargetDevice': request.OutputConfig.TargetDevice,
    'OutputConfig.TargetPlatform': JSON.stringify(request.OutputConfig.TargetPlatform),
  };
  const actual: Record<string, unknown> = {
    'RoleArn': job.RoleArn,
    'InputConfig.S3Uri': job.InputConfig?.S3Uri,
    'InputConfig.Framework': job.InputConfig?.Framework,
    'ModelPackageVersionArn': job.ModelPackageVersionArn,
    'OutputConfig.S3OutputLocation': trim(job.OutputConfig?.S3OutputLocation),
    'OutputConfig.TargetDevice': job.OutputConfig?.TargetDevice,
    'OutputConfig.TargetPlatform': JSON.stringify(job.OutputConfig?.TargetPlatform),
  };
  return Object.keys(expected).filter((field) => (expected[field] ?? undefined) !== (actual[field] ?? undefined));
}
