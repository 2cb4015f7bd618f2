import { DeleteCompilationJobCommand } from '@aws-sdk/client-sagemaker';
import { forEachAttempt } from './retry';
import { isNotFound, JobDescription, listJobs, RUNNING_STATUSES, sagemaker, stopJob } from './sagemaker';
import { isJobOfRequest, isOurJobName, requestNamePrefix } from './spec';
import type { CompilationJobSpec, JobRemovalPolicy } from '../../src/private/contract';
import { JOB_NAME_SCOPE_ENV, MAX_JOB_TIMEOUT_SECONDS } from '../../src/private/contract';

/**
 * The jobs an operation may have started for this request and that CloudFormation never heard
 * of: created within the longest time an operation lasts, so an older job of the same request
 * (a COMPLETED record kept by RETAIN) is left alone.
 */
export async function recentJobsOf(spec: CompilationJobSpec, except?: string): Promise<string[]> {
  if (!inScope(requestNamePrefix(spec))) return [];
  const since = new Date(Date.now() - (MAX_JOB_TIMEOUT_SECONDS + 60) * 1000);
  const jobs = await listJobs(requestNamePrefix(spec), since);
  return jobs.map((job) => job.name).filter((name) => isJobOfRequest(spec, name) && name !== except);
}

/**
 * Whether the handler's role may act on the job: its name starts with the stack's scope. An
 * earlier release named jobs without the stack's hash; after an upgrade, the cleanup Delete of
 * such a job leaves it (its record, COMPLETED, costs nothing) instead of failing on AccessDenied.
 */
function inScope(jobName: string): boolean {
  const scope = process.env[JOB_NAME_SCOPE_ENV];
  if (!scope || jobName.startsWith(scope)) return true;
  console.warn('Job outside this handler\'s permissions (named by an earlier release); left as it is', { job: jobName, scope });
  return false;
}

/**
 * The jobs a Delete is about. The physical id is the job name, except when CloudFormation invented
 * one (a Create cancelled before it answered): then the jobs that Create may have started.
 */
export async function deleteTargetsOf(spec: CompilationJobSpec, physicalResourceId: string): Promise<string[]> {
  if (!isOurJobName(spec, physicalResourceId)) return recentJobsOf(spec);
  return inScope(physicalResourceId) ? [physicalResourceId] : [];
}

/**
 * The long path's runs a Delete is about: the job's, or, for a physical id CloudFormation invented,
 * every run of the request (one may wait for a slot of the quota and have created no job yet).
 */
export function runPrefixesOf(spec: CompilationJobSpec, physicalResourceId: string): string[] {
  return [isOurJobName(spec, physicalResourceId) ? `${physicalResourceId}-` : requestNamePrefix(spec)];
}

/** Asks SageMaker to stop those of the jobs that run. */
export async function stopRunning(jobNames: string[]): Promise<void> {
  for (const jobName of jobNames) {
    await forEachAttempt(jobName, async (job) => {
      if (RUNNING_STATUSES.has(job.CompilationJobStatus!)) await stopJob(job.CompilationJobName!);
    });
  }
}

/**
 * One poll of retiring jobs: stops those that run, waits for them to end, then deletes their
 * records unless the removal policy retains them. True once every one has ended (or is gone).
 */
export async function retired(jobNames: string[], removalPolicy: JobRemovalPolicy): Promise<boolean> {
  let done = true;
  // Each job with its retries (jobs SageMaker failed with an internal error were created again).
  for (const first of jobNames) {
    const attempts: JobDescription[] = [];
    await forEachAttempt(first, async (job) => void attempts.push(job));
    // The last attempt first: a retry is found through the records of the attempts before it, so
    // theirs are deleted only once it has ended (only the last attempt can be running).
    for (const job of attempts.reverse()) {
      if (await retiredOne(job, removalPolicy)) continue;
      done = false;
      break;
    }
  }
  return done;
}

/** One poll of retiring one job: true once it has ended (and its record is deleted unless retained). */
async function retiredOne(job: JobDescription, removalPolicy: JobRemovalPolicy): Promise<boolean> {
  const jobName = job.CompilationJobName!;
  if (RUNNING_STATUSES.has(job.CompilationJobStatus!)) {
    await stopJob(jobName); // again: the first request may have been throttled away
    return false;
  }
  if (job.CompilationJobStatus === 'STOPPING') return false;
  if (removalPolicy === 'destroy') {
    try {
      await sagemaker.send(new DeleteCompilationJobCommand({ CompilationJobName: jobName }));
      console.info('Compilation job record deleted (artifacts are kept)', { job: jobName });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return true;
}
