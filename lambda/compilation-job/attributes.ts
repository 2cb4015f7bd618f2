import { DeploymentError } from './errors';
import type { JobDescription } from './sagemaker';
import type { CompilationJobAttributes } from '../../src/private/contract';

/** Splits `s3://bucket/key` into its parts. */
function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

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
