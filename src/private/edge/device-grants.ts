import * as iam from 'aws-cdk-lib/aws-iam';
import type { CompilationJob } from '../../compilation-job';

/**
 * What the devices' token exchange role needs to download one compiled model: the nucleus's
 * S3Downloader asks S3 for the bucket's Region (`GetBucketLocation`) before it gets the object, and
 * does not retry a 403 (aws-greengrass-nucleus, componentmanager/builtins/S3Downloader.java,
 * getRegionClientForBucket; https://docs.aws.amazon.com/greengrass/v2/developerguide/device-service-role.html
 * lists s3:GetBucketLocation for component artifacts). `grantRead` adds `s3:GetObject` on the job's
 * object and `kms:Decrypt` with the job's and the bucket's keys.
 *
 * The returned grant combines both, so a deployment can wait for the policy (`applyBefore`).
 */
export function grantDownload(role: iam.IGrantable, job: CompilationJob): iam.Grant {
  const objectRead = job.grantRead(role);
  const location = iam.Grant.addToPrincipalOrResource({
    grantee: role,
    actions: ['s3:GetBucketLocation'],
    resourceArns: [job.outputBucket.bucketArn],
    resource: job.outputBucket,
  });
  return objectRead.combine(location);
}
