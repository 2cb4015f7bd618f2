import type { DeleteEvent, OnEventRequest, OnEventResponse, UpdateEvent } from './events';
import { describeJob, isRetryable, RUNNING_STATUSES, stopJob } from './sagemaker';
import { deleteTargetOf, jobNameOf, parseSpec } from './spec';
import { startJob } from './start-job';
import type { CompilationJobSpec } from '../../src/private/contract';

/** Starts the work for a CloudFormation event; isComplete then waits for it. */
export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  const spec = parseSpec(event.ResourceProperties);
  switch (event.RequestType) {
    case 'Create':
      return create(spec);
    case 'Update':
      return update(spec, event);
    case 'Delete':
      return remove(spec, event);
  }
}

async function create(spec: CompilationJobSpec): Promise<OnEventResponse> {
  const jobName = jobNameOf(spec);
  await startJob(spec, jobName);
  return { PhysicalResourceId: jobName };
}

/**
 * A changed request is a new job under a new name (CloudFormation then deletes the old one).
 * The same request keeps the job; isComplete brings its tags up to date.
 */
async function update(spec: CompilationJobSpec, event: UpdateEvent): Promise<OnEventResponse> {
  const jobName = jobNameOf(spec);
  if (jobName !== event.PhysicalResourceId) return create(spec);
  return { PhysicalResourceId: jobName };
}

/** Stops a running job; isComplete waits for it to end and deletes the record. */
async function remove(spec: CompilationJobSpec, event: DeleteEvent): Promise<OnEventResponse> {
  const jobName = deleteTargetOf(spec, event.PhysicalResourceId);
  try {
    const job = await describeJob(jobName);
    if (job && RUNNING_STATUSES.has(job.CompilationJobStatus!)) await stopJob(jobName);
  } catch (error) {
    // isComplete stops the job on its first poll; a transient fault must not fail the delete.
    if (!isRetryable(error)) throw error;
    console.warn('Transient error; isComplete will stop the job', { job: jobName, error: String(error) });
  }
  return { PhysicalResourceId: event.PhysicalResourceId };
}
