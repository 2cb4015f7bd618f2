import { AddTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-sagemaker';
import { sagemaker } from './sagemaker';
import type { JobTag } from '../../src/private/contract';

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
