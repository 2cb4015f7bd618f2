// Why a job failed, in its own log: the tail of the job's log stream, read once the job has
// failed (never while it runs), errors first, trimmed to what CloudFormation shows.
import { logsLocation } from './cloudformation';
import { runtimeClient } from './runtime-sdk';
import { COMPILATION_JOB_LOG_GROUP } from '../../src/private/contract';
import { fitJson, jsonBytes, MAX_MESSAGE_JSON_BYTES } from '../shared/custom-resource';
import { errorName, isTransientSdkError } from '../shared/sdk-errors';

/**
 * The CloudWatch Logs client of the Lambda runtime (its Node.js runtimes ship the whole AWS SDK
 * for JavaScript v3, https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html), loaded on
 * the first failure. Two tries at most: a failure's reason waits on this read.
 */
const logsClient = runtimeClient(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs'),
  (m) => new m.CloudWatchLogsClient({ maxAttempts: 2 }),
);

/** The last lines of the job's log stream, or why they could not be read. */
export type LogTail = { readonly lines: readonly string[] } | { readonly unreadable: string };

/**
 * How many of the stream's last events are read: one GetLogEvents call (it returns up to 10,000
 * events or 1 MB, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html),
 * enough for the compiler's error to be among them after a long trace of its passes.
 */
export const TAIL_EVENTS = 1000;
/** The longest a failure's reason waits for the log. */
const READ_TIMEOUT_MS = 5000;
/** The longest one quoted line. */
const MAX_LINE_CHARS = 400;

/** Lines that say what went wrong: the compiler's and the framework's errors and tracebacks. */
const ERROR_LINE = /\b(error|exception|traceback|fail(ed|ure)?|fatal|unsupported|not supported|invalid)\b/i;

/**
 * The last TAIL_EVENTS events of the stream SageMaker names after the job in
 * /aws/sagemaker/CompilationJobs (GetLogEvents, newest page: startFromHead false). Never throws:
 * a stream not written yet, throttling or a missing permission become the reason it is missing.
 */
export async function readLogTail(jobName: string): Promise<LogTail> {
  try {
    const { module, client } = logsClient();
    const { events = [] } = await client.send(new module.GetLogEventsCommand({
      logGroupName: COMPILATION_JOB_LOG_GROUP,
      logStreamName: jobName,
      startFromHead: false,
      limit: TAIL_EVENTS,
    }), { abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    return { lines: events.map((event) => oneLine(event.message ?? '')).filter((line) => line.length > 0) };
  } catch (error) {
    console.warn('The job\'s log could not be read', { job: jobName, error: String(error) });
    return { unreadable: unreadableBecause(error) };
  }
}

function unreadableBecause(error: unknown): string {
  const name = errorName(error);
  if (name === 'ResourceNotFoundException') return 'the job wrote no log stream';
  if (name === 'AccessDeniedException') return 'the handler may not read it (AccessDenied)';
  if (name === 'ThrottlingException' || isTransientSdkError(error)) return `CloudWatch Logs did not answer in time (${name ?? 'no answer'})`;
  if (name === 'AbortError' || name === 'TimeoutError') return 'CloudWatch Logs did not answer in time';
  return `CloudWatch Logs answered ${name ?? String(error)}`;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}...` : line;
}

/**
 * `head` (what failed, SageMaker's reasons), then the log tail, then where the whole log is, in
 * CloudFormation's budget: the tail gets what `head` and the location leave, error lines first
 * (the newest of them), then the last lines; each part in the log's order.
 */
export function withLogTail(head: string, jobName: string, tail: LogTail): string {
  const location = logsLocation(jobName);
  const fixedHead = fitJson(head, MAX_MESSAGE_JSON_BYTES - jsonBytes(location) - 200);
  if ('unreadable' in tail) return `${fixedHead} The job's log could not be read (${tail.unreadable}). ${location}`;
  if (tail.lines.length === 0) return `${fixedHead} The job's log stream is empty. ${location}`;
  let budget = MAX_MESSAGE_JSON_BYTES - jsonBytes(`${fixedHead} ${location}`) - 60;
  const indexed = tail.lines.map((line, index) => ({ line, index }));
  const errors = indexed.filter(({ line }) => ERROR_LINE.test(line));
  const chosen = new Set<number>();
  // Newest first within each group, until the budget is spent.
  for (const { line, index } of [...errors.reverse(), ...indexed.slice().reverse()]) {
    if (chosen.has(index)) continue;
    const cost = jsonBytes(line) + 1;
    if (cost > budget) continue;
    budget -= cost;
    chosen.add(index);
  }
  const errorLines = indexed.filter(({ line, index }) => chosen.has(index) && ERROR_LINE.test(line)).map(({ line }) => line);
  const otherLines = indexed.filter(({ line, index }) => chosen.has(index) && !ERROR_LINE.test(line)).map(({ line }) => line);
  const parts = [
    errorLines.length > 0 ? `Errors in the job's log: ${errorLines.join(' | ')}` : '',
    otherLines.length > 0 ? `Last lines: ${otherLines.join(' | ')}` : '',
  ].filter((part) => part.length > 0);
  return `${fixedHead} ${parts.join(' || ')} ${location}`;
}
