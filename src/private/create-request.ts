/**
 * The whole CreateCompilationJob request, made from the construct's part of it and the job name.
 *
 * One function for both sides: the handler sends what it returns, and the construct writes what
 * it returns (with the deploy-time name written as its rule) into the cloud assembly, so what a
 * user reads after `cdk synth` is what the deployment sends. No aws-cdk-lib here: the handler
 * bundle imports this file.
 */
import type { CompilationJobCreateRequest, CompilationJobRequest, JobTag } from './contract';
import { OPERATION_TAG_LENGTH, REQUEST_HASH_LENGTH } from './contract';

/** Each job writes under its own folder: a replacement never overwrites the artifact in use. */
export function outputLocationOf(request: CompilationJobRequest, jobName: string): string {
  return `${request.OutputConfig.S3OutputLocation.replace(/\/+$/, '')}/${jobName}`;
}

/** The request the handler sends for a job of this name. */
export function createRequestOf(request: CompilationJobRequest, tags: JobTag[], jobName: string): CompilationJobCreateRequest {
  return {
    CompilationJobName: jobName,
    ...request,
    OutputConfig: { ...request.OutputConfig, S3OutputLocation: outputLocationOf(request, jobName) },
    Tags: tags.length > 0 ? tags : undefined,
  } satisfies CompilationJobCreateRequest; // a misspelt or missing field is a compile error
}

/** Type of the cloud assembly metadata entry with a job's request (in `<stack>.metadata.json`). */
export const REQUEST_METADATA_TYPE = 'cdk-sagemaker-neo:CreateCompilationJobRequest';

/** What the shown request has in place of the job name wherever the name is part of a value. */
export const DEPLOY_TIME_JOB_NAME = '<deploy time: CompilationJobName>';

/**
 * The request as a user reads it before deployment: the job name, which the handler computes at
 * deploy time (see `jobNameOf` in the handler's spec.ts), written as its rule.
 */
export function shownRequestOf(
  request: CompilationJobRequest, tags: JobTag[], jobNamePrefix: string, constructAddress: string,
): Record<string, unknown> {
  const rule = `<deploy time: "${jobNamePrefix}-", then the first ${REQUEST_HASH_LENGTH} hex digits of the SHA-256 of ` +
    `"${constructAddress}", a line feed and this request (deploy-time values resolved) without CompilationJobName and Tags as JSON with sorted keys, ` +
    `then the first ${OPERATION_TAG_LENGTH} of the SHA-256 of the CloudFormation operation's RequestId>`;
  return { ...createRequestOf(request, tags, DEPLOY_TIME_JOB_NAME), CompilationJobName: rule };
}
