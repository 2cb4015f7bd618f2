import { DeploymentError } from './errors';
import { parseS3Uri } from './s3-uri';
import type { JobDescription } from './sagemaker';
import type { CompilationJobAttributes } from '../../src/private/contract';


/** The resource's attributes from a COMPLETED job. */
export function attributesOf(job: JobDescription): CompilationJobAttributes {
  const uri = job.ModelArtifacts?.S3ModelArtifacts ?? '';
  const location = parseS3Uri(uri);
  if (!location) {
    throw new DeploymentError(
      `Compilation job ${job.CompilationJobName} completed but reported no S3 model artifact (got '${uri}').`);
  }
  return {
    CompilationJobName: job.CompilationJobName!,
    CompilationJobArn: job.CompilationJobArn!,
    ModelArtifactsS3Uri: uri,
    ModelArtifactsObjectKey: location.key,
    InferenceImage: job.InferenceImage ?? '',
    ArtifactDigest: job.ModelDigests?.ArtifactDigest ?? '',
  };
}
