import { AddTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-sagemaker';
import { describeJob, sagemaker } from './sagemaker';
import type { JobTag } from '../../src/private/contract';

/** Brings the job's tags from `oldTags` to `newTags` in place (no new job). */
export async function updateTags(jobName: string, oldTags: JobTag[], newTags: JobTag[]): Promise<void> {
  const current = new Map(newTags.map((tag) => [tag.Key, tag.Value]));
  const previous = new Map(oldTags.map((tag) => [tag.Key, tag.Value]));
  const toAdd = newTags.filter((tag) => previous.get(tag.Key) !== tag.Value);
  const toRemove = oldTags.filter((tag) => !current.has(tag.Key)).map((tag) => tag.Key);
  if (toAdd.length === 0 && toRemove.length === 0) return;

  const job = await describeJob(jobName);
  if (!job) return; // isComplete creates it, with the new tags
  const arn = job.CompilationJobArn!;
  if (toRemove.length > 0) await sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: toRemove }));
  if (toAdd.length > 0) await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: toAdd }));
  console.info('Tags updated in place', { job: jobName, added: toAdd.map((t) => t.Key), removed: toRemove });
}
