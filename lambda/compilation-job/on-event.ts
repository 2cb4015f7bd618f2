import { lookUp, lookUpUnchanged } from './cache';
import type { CreateEvent, DeleteEvent, OnEventRequest, OnEventResponse, UpdateEvent } from './cloudformation';
import { stopRuns } from './long-run';
import { copyInput } from './model-files';
import { deleteTargetsOf, recentJobsOf, runPrefixesOf, stopRunning } from './retire';
import { isRetryable, listJobs, RUNNING_STATUSES } from './sagemaker';
import { isJobOfRequest, jobNameOf, parseSpec, requestNamePrefix } from './spec';
import type { CompilationJobSpec } from '../../src/private/contract';

/**
 * Starts the work for a CloudFormation event; isComplete then waits for it.
 *
 * onEvent never creates a job: the first isComplete poll does, which the framework runs at once.
 * So when the framework fails after onEvent (and answers the Delete of its CREATE_FAILED marker
 * itself, without calling this handler), no job exists that nothing would stop.
 */
export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  const spec = parseSpec(event.ResourceProperties);
  const startedAt = Date.now();
  switch (event.RequestType) {
    case 'Create':
      return start(spec, event, startedAt);
    case 'Update':
      return update(spec, event, startedAt);
    case 'Delete':
      return remove(spec, event, startedAt);
  }
}

/** The job of a new request: one made from it that completed or runs, else a new name. */
async function start(spec: CompilationJobSpec, event: CreateEvent | UpdateEvent, startedAt: number): Promise<OnEventResponse> {
  const adopted = await adoptable(spec);
  // Compile once: a hit is copied in and answered; nothing to compile, so no model to stage.
  const cached = adopted ? {} : await lookUp(spec, jobNameOf(spec, event.RequestId));
  if (cached.CacheHit) return { PhysicalResourceId: jobNameOf(spec, event.RequestId), OperationStartedAt: startedAt, ...cached };
  let inputReady = false;
  if (spec.inputCopy && !adopted) {
    try {
      await copyInput(spec.inputCopy);
      inputReady = true;
    } catch (error) {
      // Throttled: the first poll copies before it creates the job.
      if (!isRetryable(error)) throw error;
    }
  }
  const physicalId = adopted ?? jobNameOf(spec, event.RequestId);
  return { PhysicalResourceId: physicalId, OperationStartedAt: startedAt, InputReady: inputReady, NewJob: !adopted, ...cached };
}

/**
 * A job of this request that completed (kept by RETAIN, or reverted to) or still runs (a
 * duplicate delivery): no need to compile again. A FAILED or STOPPED one is never adopted.
 */
async function adoptable(spec: CompilationJobSpec): Promise<string | undefined> {
  try {
    const jobs = (await listJobs(requestNamePrefix(spec))).filter((job) => isJobOfRequest(spec, job.name));
    return (jobs.find((job) => job.status === 'COMPLETED') ?? jobs.find((job) => RUNNING_STATUSES.has(job.status)))?.name;
  } catch (error) {
    if (!isRetryable(error)) throw error;
    return undefined; // adoption saves a compilation; a throttled listing only costs one
  }
}

/**
 * A changed request is a new job under a new name (CloudFormation then deletes the old one).
 * The same request keeps the job; isComplete brings its tags up to date. When the old properties
 * name another request although the job is of this one, this Update is CloudFormation rolling
 * back a replacing Update it cancelled: it never learnt that update's job, and no Delete will
 * name it, so it is stopped here (and deleted by isComplete unless retained).
 */
async function update(spec: CompilationJobSpec, event: UpdateEvent, startedAt: number): Promise<OnEventResponse> {
  if (!isJobOfRequest(spec, event.PhysicalResourceId)) return start(spec, event, startedAt);
  const oldSpec = parseSpec(event.OldResourceProperties);
  if (isJobOfRequest(oldSpec, event.PhysicalResourceId)) {
    return { PhysicalResourceId: event.PhysicalResourceId, OperationStartedAt: startedAt, ...await lookUpUnchanged(spec, event.PhysicalResourceId) };
  }
  await bestEffort(async () => {
    await stopRuns(oldSpec, [requestNamePrefix(oldSpec)]);
    await stopRunning(await recentJobsOf(oldSpec, event.PhysicalResourceId));
  });
  // Tells the polls (whose event carries only the kept physical id) to end those jobs first.
  // A resource that a cache hit made has no job of its name: the rollback answers from the cache again.
  const cached = await lookUpUnchanged(spec, event.PhysicalResourceId);
  return { PhysicalResourceId: event.PhysicalResourceId, OperationStartedAt: startedAt, RetiresCancelledUpdate: true, ...cached };
}

/** Stops a running job (and first its run, on the long path); isComplete waits for it to end and deletes the record. */
async function remove(spec: CompilationJobSpec, event: DeleteEvent, startedAt: number): Promise<OnEventResponse> {
  let runsStopped = false;
  await bestEffort(async () => {
    await stopRuns(spec, runPrefixesOf(spec, event.PhysicalResourceId));
    runsStopped = true;
    await stopRunning(await deleteTargetsOf(spec, event.PhysicalResourceId));
  });
  const response = { PhysicalResourceId: event.PhysicalResourceId };
  // The long path looks for a job a stopped run may still create, for a while after this start;
  // its polls list the runs again only when this listing was throttled (100 deletes list at once).
  return spec.longRun ? { ...response, OperationStartedAt: startedAt, RunsStopped: runsStopped } : response;
}

/** isComplete stops the jobs on its first poll: a transient fault must not fail the operation. */
async function bestEffort(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isRetryable(error)) throw error;
    console.warn('Transient error; isComplete will stop the jobs', { error: String(error) });
  }
}
