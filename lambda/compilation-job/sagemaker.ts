import {
  AddTagsCommand,
  DeleteTagsCommand,
  DescribeCompilationJobCommand,
  DescribeCompilationJobCommandOutput,
  ListCompilationJobsCommand,
  SageMakerClient,
  StopCompilationJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { JobTag } from '../../src/private/contract';
import { errorName, isTransientSdkError } from '../shared/sdk-errors';

/** One client per Lambda container; region and endpoint come from the environment. */
export const sagemaker = new SageMakerClient({});

export type JobDescription = DescribeCompilationJobCommandOutput;

export function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFound';
}

export function isInUse(error: unknown): boolean {
  return errorName(error) === 'ResourceInUse';
}

/**
 * Errors that go away by waiting: throttling, 5xx, network faults (as the SDK classifies them)
 * and SageMaker's concurrent-job quota. The handler never fails a deployment on these. Both are
 * decided by the error's code, never its words: `ResourceLimitExceeded` is declared by SageMaker's
 * model (botocore sagemaker/2017-07-24), and the SDK classifies throttling by code and status
 * (`ThrottlingException`, HTTP 400 `Rate exceeded`: aws/sagemaker-python-sdk#645,
 * "An error occurred (ThrottlingException) when calling the CreateTrainingJob operation ...: Rate exceeded").
 */
export function isRetryable(error: unknown): boolean {
  return errorName(error) === 'ResourceLimitExceeded' || isTransientSdkError(error);
}

/**
 * SageMaker's refusals while IAM propagates a role or a PassRole grant created moments before
 * (IAM is eventually consistent): they go away by waiting, for a while. The phrases are AWS's:
 * - `ValidationException: Could not assume role arn:aws:iam::...:role/.... Please ensure that the role
 *   exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`
 *   (SageMaker CreateTransformJob, awslabs/predictive-maintenance-using-machine-learning#3);
 * - `AccessDeniedException: User: arn:aws:sts::...:assumed-role/... is not authorized to perform:
 *   iam:PassRole on resource: arn:aws:iam::...:role/... because no identity-based policy allows the
 *   iam:PassRole action` (SageMaker CreateProject, aws/amazon-sagemaker-feedback#61).
 * Any other wording is not taken for propagation: the create fails at once with SageMaker's words
 * (test/fault/scenarios.test.ts, "an unseen wording"), which is safe: a wrong guess would only wait.
 */
export function isIamPropagation(error: unknown): boolean {
  const message = (error as { message?: string } | undefined)?.message ?? '';
  const name = errorName(error);
  return (name === 'ValidationException' && /could not assume role/i.test(message)) ||
    (name === 'AccessDeniedException' && /iam:PassRole/i.test(message));
}

/** The job, or undefined when SageMaker has no job of that name. */
export async function describeJob(name: string): Promise<JobDescription | undefined> {
  try {
    return await sagemaker.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Asks SageMaker to stop the job; false when it cannot be stopped because it finished or vanished
 * in between (the caller re-reads the status on its next poll).
 */
export async function stopJob(name: string): Promise<boolean> {
  try {
    await sagemaker.send(new StopCompilationJobCommand({ CompilationJobName: name }));
    console.info('Stop requested', { job: name });
    return true;
  } catch (error) {
    if (isRetryable(error)) throw error;
    console.warn('Stop not possible (the job may have finished meanwhile)', { job: name, error: String(error) });
    return false;
  }
}

export const RUNNING_STATUSES: ReadonlySet<string> = new Set(['STARTING', 'INPROGRESS']);

/**
 * The jobs whose name starts with `namePrefix` (created after `since`, when given), newest first,
 * with their status. Only the first page: one request never has more than a handful of jobs.
 */
export async function listJobs(namePrefix: string, since?: Date): Promise<Array<{ name: string; status: string }>> {
  const { CompilationJobSummaries: jobs = [] } = await sagemaker.send(new ListCompilationJobsCommand({
    NameContains: namePrefix,
    CreationTimeAfter: since,
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
    MaxResults: 100,
  }));
  return jobs
    .filter((job) => job.CompilationJobName!.startsWith(namePrefix))
    .map((job) => ({ name: job.CompilationJobName!, status: job.CompilationJobStatus! }));
}

/** Brings the job's tags from `oldTags` to `newTags` in place (idempotent: safe on every poll). */
export async function updateTags(jobArn: string, oldTags: JobTag[], newTags: JobTag[]): Promise<void> {
  const current = new Map(newTags.map((tag) => [tag.Key, tag.Value]));
  const previous = new Map(oldTags.map((tag) => [tag.Key, tag.Value]));
  const toAdd = newTags.filter((tag) => previous.get(tag.Key) !== tag.Value);
  const toRemove = oldTags.filter((tag) => !current.has(tag.Key)).map((tag) => tag.Key);
  if (toRemove.length > 0) await sagemaker.send(new DeleteTagsCommand({ ResourceArn: jobArn, TagKeys: toRemove }));
  if (toAdd.length > 0) await sagemaker.send(new AddTagsCommand({ ResourceArn: jobArn, Tags: toAdd }));
  if (toAdd.length + toRemove.length > 0) {
    console.info('Tags updated in place', { job: jobArn, added: toAdd.map((t) => t.Key), removed: toRemove });
  }
}
