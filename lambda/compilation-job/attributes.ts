import { DeploymentError } from './errors';
import { parseS3Uri } from './s3-uri';
import type { JobDescription } from './sagemaker';
import type { CompilationJobAttributes } from '../../src/private/contract';


/**
 * The attributes' share of CloudFormation's 4096-byte response, as JSON: the framework adds the
 * ids, status and reason around them (under 1 KB even with a 255-character logical id).
 */
export const MAX_ATTRIBUTES_JSON_BYTES = 3000;

/** The resource's attributes from a COMPLETED job. */
export function attributesOf(job: JobDescription): CompilationJobAttributes {
  const attributes = requiredAttributesOf(job);
  // The derived shapes are informational and can be long (up to 16 KB): return them only when
  // they fit, rather than fail a deployment whose job succeeded.
  const derived = job.DerivedInformation?.DerivedDataInputConfig ?? '';
  const withDerived = { ...attributes, DerivedDataInputConfig: derived };
  if (Buffer.byteLength(JSON.stringify(withDerived)) <= MAX_ATTRIBUTES_JSON_BYTES) return withDerived;
  console.warn(`DerivedDataInputConfig of ${job.CompilationJobName} left out of the attributes: ` +
    `${derived.length} characters do not fit CloudFormation's response (DescribeCompilationJob has it)`);
  return attributes;
}

function requiredAttributesOf(job: JobDescription): CompilationJobAttributes {
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
    DerivedDataInputConfig: '',
  };
}
