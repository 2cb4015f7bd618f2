/**
 * What SageMaker writes for a compilation job: its log stream, named after the job, in
 * /aws/sagemaker/CompilationJobs. The driver writes it into a CloudWatch Logs emulator (moto)
 * with the real SDK, where the handler reads it back after the job failed.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { COMPILATION_JOB_LOG_GROUP } from '../../src/private/contract';
import { REGION } from '../fault/fake-sagemaker';

export async function writeJobLog(endpoint: string, jobName: string, lines: readonly string[]): Promise<void> {
  const client = new CloudWatchLogsClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    await client.send(new CreateLogGroupCommand({ logGroupName: COMPILATION_JOB_LOG_GROUP }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  await client.send(new CreateLogStreamCommand({ logGroupName: COMPILATION_JOB_LOG_GROUP, logStreamName: jobName }));
  // Real time: CloudWatch Logs (and moto) refuse events more than 14 days old or 2 hours ahead.
  const start = Date.now() - lines.length;
  await client.send(new PutLogEventsCommand({
    logGroupName: COMPILATION_JOB_LOG_GROUP,
    logStreamName: jobName,
    logEvents: lines.map((message, i) => ({ timestamp: start + i, message })),
  }));
  client.destroy();
}
