/**
 * The Amazon States Language definition of the long path's state machine: one execution per job
 * and WaitCondition, fed a {@link LongRunInput} by the start resource.
 *
 * Two branches race: the compilation (create, retried while the concurrent-job quota is full, then
 * describe every poll until the job ends) and the deadline (a Wait until `deadline`). Whichever
 * ends first ends the race with an error its Catch routes: a deadline stops the job. Either way the
 * run then signals the WaitCondition SUCCESS, which means "the wait is over", not "it compiled":
 * the result resource that follows reads the job and fails the deployment with SageMaker's reason,
 * as the one-hour path does. Only SDK service integrations: no Lambda runs while a job runs.
 *
 * Error names, as the AWS SDK integration produces them
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):
 * - an error the service's API model declares is `<Service>.<Name>` with `Exception` appended when
 *   the name lacks it. SageMaker's model (botocore `sagemaker/2017-07-24/service-2.json`) declares
 *   only ConflictException, ResourceInUse, ResourceLimitExceeded and ResourceNotFound;
 * - every other code is the generic `<Service>.<Service>Exception`, here `SageMaker.SageMakerException`
 *   and `CloudFormation.CloudFormationException` (CloudFormation declares none of the codes its
 *   DescribeStackResource and SignalResource answer: ValidationError, Throttling). The code is
 *   not in the error: the Cause is the service's message, then `(Service: <Service>, Status Code:
 *   <http status>, Request ID: ...)`, as in `Ec2.Ec2Exception: Request limit exceeded. ... (Service:
 *   Ec2, Status Code: 503, ...` (https://github.com/CloudSnorkel/cdk-github-runners/issues/946).
 * So a Retry cannot tell SageMaker's throttling or 5xx from a ValidationException: a Catch of the
 * generic name routes to a Choice on the Cause ({@link transientCause}), which loops back after a
 * random wait or fails the branch with the service's own words.
 */
import {
  LONG_RUN_FAST_POLL_SECONDS, LONG_RUN_SLOW_POLL_SECONDS, POLL_INTERVAL_SECONDS, QUOTA_RETRY_SECONDS, RUN_DEADLINE_ERROR, RUN_ENDED_ERROR,
  RUN_NOT_SIGNALLED_ERROR,
} from './contract';

const SDK = 'arn:aws:states:::aws-sdk';

/** Every SageMaker error its API model does not declare (throttling, 5xx, ValidationException, AccessDenied). */
export const SAGEMAKER_GENERIC_ERROR = 'SageMaker.SageMakerException';
/** Every CloudFormation error of DescribeStackResource and SignalResource (ValidationError, Throttling). */
export const CLOUDFORMATION_GENERIC_ERROR = 'CloudFormation.CloudFormationException';

/** Ends the signalling race once the WaitCondition took the signal. */
const SIGNALLED = 'Compilation.Signalled';

/**
 * A Choice rule: the Cause at `path` is a transient fault. SageMaker's and CloudFormation's
 * throttling answer HTTP 400 `Rate exceeded` (ThrottlingException, Throttling); their server
 * faults (InternalFailure, ServiceUnavailable) answer 5xx, which the Cause's `Status Code` shows.
 * AWS's words: SageMaker `(ThrottlingException) when calling the DescribeProcessingJob operation
 * ...: Rate exceeded` (datahub-project/datahub#6357); the Coral services' `Throttling` is
 * `{"Message"=>"Rate exceeded", "Code"=>"Throttling", "Type"=>"Sender"}` (pcorliss/ruby_route_53#27).
 * A fault worded otherwise is not retried here: the branch fails with the service's words (bounded).
 */
function transientCause(path: string): object {
  return {
    And: [
      { Variable: path, IsPresent: true },
      { Or: [{ Variable: path, StringMatches: '*Rate exceeded*' }, { Variable: path, StringMatches: '*Status Code: 5*' }] },
    ],
  };
}

/**
 * A random wait of 1 to about `seconds` seconds (States.MathRandom: full jitter, which a Retry's
 * JitterStrategy gives but a Catch loop does not), then `next`: spreads the tries of a fleet that
 * a throttle hit at once.
 */
function backOff(name: string, seconds: number, next: string): Record<string, object> {
  return {
    [name]: { Type: 'Pass', Parameters: { 'Seconds.$': `States.MathRandom(1, ${seconds})` }, ResultPath: '$.backOff', Next: `${name}Wait` },
    [`${name}Wait`]: { Type: 'Wait', SecondsPath: '$.backOff.Seconds', Next: next },
  };
}

/** A Fail state that ends its branch with the caught error, as the service worded it. */
function failWith(path: string): object {
  return { Type: 'Fail', ErrorPath: `${path}.Error`, CausePath: `${path}.Cause` };
}

/**
 * A poll loop, its states' names prefixed: a Wait of `seconds`, DescribeJob, then Ended
 * (RUN_ENDED_ERROR) once the job has ended, or round again.
 */
function pollLoop(prefix: string, seconds: number, failedNext?: string): { StartAt: string; States: Record<string, object> } {
  const name = (state: string) => `${prefix}${state}`;
  // A FAILED job may be retried: the retry states decide (a healthy job's run takes no extra state).
  const failed = failedNext ?? name('Failed');
  return {
    StartAt: name('Poll'),
    States: {
      [name('Poll')]: { Type: 'Wait', Seconds: seconds, Next: name('DescribeJob') },
      [name('DescribeJob')]: {
        Type: 'Task',
        Resource: `${SDK}:sagemaker:describeCompilationJob`,
        Parameters: { 'CompilationJobName.$': '$.request.CompilationJobName' },
        ResultSelector: { 'Status.$': '$.CompilationJobStatus' },
        ResultPath: '$.job',
        Catch: [{ ErrorEquals: [SAGEMAKER_GENERIC_ERROR], ResultPath: '$.fault', Next: name('DescribeFault') }],
        Next: name('HasEnded'),
      },
      // Throttled or a server fault: polled again, through any number of them: the deadline branch
      // bounds the wait. Giving up would end the race with the job still running: no stop at the
      // deadline, and a result resource waiting for the job until its own hour runs out. A retry
      // within a poll interval: a throttled Describe that would have seen the end delays the signal little.
      [name('DescribeFault')]: { Type: 'Choice', Choices: [{ ...transientCause('$.fault.Cause'), Next: name('DescribeLater') }], Default: name('DescribeRefused') },
      ...backOff(name('DescribeLater'), POLL_INTERVAL_SECONDS, name('DescribeJob')),
      [name('DescribeRefused')]: failWith('$.fault'),
      [name('HasEnded')]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.job.Status', StringEquals: 'FAILED', Next: failed },
          ...['COMPLETED', 'STOPPING', 'STOPPED'].map((status) => ({ Variable: '$.job.Status', StringEquals: status, Next: name('Ended') })),
        ],
        Default: name('Poll'),
      },
      [name('Ended')]: { Type: 'Fail', Error: RUN_ENDED_ERROR, Cause: 'The compilation job has ended.' },
      ...(failedNext ? {} : { [name('Failed')]: { Type: 'Fail', Error: JOB_FAILED, Cause: 'The compilation job failed.' } }),
    },
  };
}

/** Ends the first, fast phase of polling. */
const FAST_POLLS_OVER = 'Compilation.FastPollsOver';

/** Ends the fast polls' branch when the job FAILED: the retry states decide what follows. */
const JOB_FAILED = 'Compilation.JobFailed';

const slowPolls = pollLoop('Slow', LONG_RUN_SLOW_POLL_SECONDS, 'JobFailed');

/**
 * A FailureReason of SageMaker's own fault, as the handler reads it (lambda/compilation-job/retry.ts,
 * where the evidence is cited): `ServerError:`, `InternalServerError:`, or "internal (server) error"
 * in the words; never a `ClientError:`. StringMatches is case-sensitive: the usual casings are listed.
 */
const SERVER_SIDE_REASONS = [
  'ServerError*', 'InternalServerError*', 'InternalFailure*', 'ServiceUnavailable*',
  '*internal server error*', '*Internal server error*', '*Internal Server Error*', '*internal error*', '*Internal error*',
];

/**
 * After the job FAILED: SageMaker failed it with an internal error and a retry is left (the start
 * resource lists them in `retry`, one link each) -> wait the retry's back-off, create the job
 * again under the retry's name, and poll it; anything else ends the branch (RUN_ENDED_ERROR). The
 * deadline branch bounds the retries. Pass states with InputPath/ResultPath only: no intrinsic.
 */
const retryStates = {
  JobFailed: { Type: 'Choice', Choices: [{ Variable: '$.retry.request', IsPresent: true, Next: 'ReadFailure' }], Default: 'RunEnded' },
  ReadFailure: {
    Type: 'Task',
    Resource: `${SDK}:sagemaker:describeCompilationJob`,
    Parameters: { 'CompilationJobName.$': '$.request.CompilationJobName' },
    ResultPath: '$.ended',
    // Unreadable: the run ends; the result resource reads the job itself.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'RunEnded' }],
    Next: 'FailedWithReason',
  },
  FailedWithReason: {
    Type: 'Choice',
    Choices: [{
      And: [{ Variable: '$.ended.CompilationJobStatus', StringEquals: 'FAILED' }, { Variable: '$.ended.FailureReason', IsPresent: true }],
      Next: 'ServerSideFailure',
    }],
    Default: 'RunEnded',
  },
  ServerSideFailure: {
    Type: 'Choice',
    Choices: [{
      And: [
        { Not: { Variable: '$.ended.FailureReason', StringMatches: 'ClientError*' } },
        { Or: SERVER_SIDE_REASONS.map((pattern) => ({ Variable: '$.ended.FailureReason', StringMatches: pattern })) },
      ],
      Next: 'RetryJob',
    }],
    Default: 'RunEnded',
  },
  RetryJob: { Type: 'Pass', InputPath: '$.retry', ResultPath: '$.attempt', Next: 'RetryBackOff' },
  RetryBackOff: { Type: 'Wait', SecondsPath: '$.attempt.backOffSeconds', Next: 'RetryRequest' },
  RetryRequest: { Type: 'Pass', InputPath: '$.attempt.request', ResultPath: '$.request', Next: 'RetryLeft' },
  RetryLeft: { Type: 'Choice', Choices: [{ Variable: '$.attempt.retry', IsPresent: true, Next: 'NextRetry' }], Default: 'NoRetryLeft' },
  NextRetry: { Type: 'Pass', InputPath: '$.attempt.retry', ResultPath: '$.retry', Next: 'CreateJob' },
  NoRetryLeft: { Type: 'Pass', Result: {}, ResultPath: '$.retry', Next: 'CreateJob' },
  RunEnded: { Type: 'Fail', Error: RUN_ENDED_ERROR, Cause: 'The compilation job has ended.' },
};

/** The compilation branch: ends with RUN_ENDED_ERROR once the job has ended, however it ended. */
const compilation = {
  StartAt: 'CreateJob',
  States: {
    CreateJob: {
      Type: 'Task',
      Resource: `${SDK}:sagemaker:createCompilationJob`,
      // The start resource built the whole request; it is the call's input as it is.
      InputPath: '$.request',
      ResultPath: null,
      // Every slot of the concurrent-job quota is taken: try again until SageMaker takes the job
      // (the deadline branch ends the wait). Full jitter spreads the tries of a waiting fleet.
      Retry: [{
        ErrorEquals: ['SageMaker.ResourceLimitExceededException'],
        IntervalSeconds: QUOTA_RETRY_SECONDS,
        BackoffRate: 1,
        MaxAttempts: 99999999,
        JitterStrategy: 'FULL',
      }],
      Catch: [
        // The start resource created it already, or adopted a job of this request.
        { ErrorEquals: ['SageMaker.ResourceInUseException'], ResultPath: null, Next: 'FastPolls' },
        { ErrorEquals: [SAGEMAKER_GENERIC_ERROR], ResultPath: '$.fault', Next: 'CreateFault' },
      ],
      Next: 'FastPolls',
    },
    // Throttled or a server fault: try again (through the quota wait, until the deadline). Any
    // other undeclared error (ValidationException: SageMaker refuses the request) ends the run now.
    CreateFault: { Type: 'Choice', Choices: [{ ...transientCause('$.fault.Cause'), Next: 'CreateLater' }], Default: 'CreateRefused' },
    ...backOff('CreateLater', QUOTA_RETRY_SECONDS, 'CreateJob'),
    CreateRefused: failWith('$.fault'),
    // Every POLL_INTERVAL_SECONDS for the first LONG_RUN_FAST_POLL_SECONDS, then every
    // LONG_RUN_SLOW_POLL_SECONDS: a run's history stays below Step Functions' 25,000 events.
    FastPolls: {
      Type: 'Parallel',
      Branches: [
        pollLoop('', POLL_INTERVAL_SECONDS),
        { StartAt: 'FastPollsFor', States: { FastPollsFor: { Type: 'Wait', Seconds: LONG_RUN_FAST_POLL_SECONDS, Next: 'FastPollsOver' }, FastPollsOver: { Type: 'Fail', Error: FAST_POLLS_OVER } } },
      ],
      ResultPath: null,
      Catch: [
        { ErrorEquals: [FAST_POLLS_OVER], ResultPath: null, Next: slowPolls.StartAt },
        { ErrorEquals: [JOB_FAILED], ResultPath: null, Next: 'JobFailed' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.fault', Next: 'PollsEnded' },
      ],
      Next: slowPolls.StartAt,
    },
    // The job ended (RUN_ENDED_ERROR), or a Describe was refused: the branch ends with it.
    PollsEnded: failWith('$.fault'),
    ...slowPolls.States,
    ...retryStates,
  },
};

/** The deadline branch: ends with RUN_DEADLINE_ERROR at `deadline`. */
const deadline = {
  StartAt: 'UntilDeadline',
  States: {
    UntilDeadline: { Type: 'Wait', TimestampPath: '$.deadline', Next: 'DeadlinePassed' },
    DeadlinePassed: { Type: 'Fail', Error: RUN_DEADLINE_ERROR, Cause: 'The job did not end before its deadline.' },
  },
};

/**
 * The signalling branch: signals the WaitCondition once it waits, and ends with SIGNALLED once
 * CloudFormation took the signal.
 *
 * CloudFormation begins creating the WaitCondition only after the start resource completed, and
 * schedules it (seconds to minutes later); until then it refuses a signal with a ValidationError,
 * the same error it answers once the WaitCondition no longer waits. So the run asks first:
 * DescribeStackResource tells "not begun" (no such resource yet) from "no longer waits" (any status
 * but CREATE_IN_PROGRESS: signalled, timed out, rolled back, deleted) by its status rather than by
 * a message, and a deleted stack still answers it by its id (statuses DELETE_*). Every
 * CloudFormation refusal (not begun yet, throttled, a signal refused between the two calls) is
 * tried again after 5 s; the signalling deadline branch bounds the loop.
 */
const signalling = {
  StartAt: 'SignalCheck',
  States: {
    SignalCheck: {
      Type: 'Task',
      Resource: `${SDK}:cloudformation:describeStackResource`,
      Parameters: { 'StackName.$': '$.signal.StackName', 'LogicalResourceId.$': '$.signal.LogicalResourceId' },
      ResultSelector: { 'Status.$': '$.StackResourceDetail.ResourceStatus' },
      ResultPath: '$.waitCondition',
      Catch: [{ ErrorEquals: [CLOUDFORMATION_GENERIC_ERROR], ResultPath: '$.fault', Next: 'SignalCheckFault' }],
      Next: 'IsWaiting',
    },
    SignalCheckFault: {
      Type: 'Choice',
      // A stack id CloudFormation does not know at all: nothing will ever wait. CloudFormation's
      // words: `ValidationError: Stack with id foo does not exist` (boto/boto3#2807). Worded
      // otherwise, the run asks again every 5 s until `signalBy`: bounded.
      Choices: [{ Variable: '$.fault.Cause', StringMatches: 'Stack with id * does not exist*', Next: 'NoLongerWaits' }],
      Default: 'SignalLater',
    },
    IsWaiting: {
      Type: 'Choice',
      Choices: [{ Variable: '$.waitCondition.Status', StringEquals: 'CREATE_IN_PROGRESS', Next: 'Signal' }],
      Default: 'NoLongerWaits',
    },
    Signal: {
      Type: 'Task',
      Resource: `${SDK}:cloudformation:signalResource`,
      Parameters: {
        'StackName.$': '$.signal.StackName',
        'LogicalResourceId.$': '$.signal.LogicalResourceId',
        // Not $$.Execution.Name: a run's name reaches 72 characters and SignalResource's UniqueId
        // takes 64 (botocore cloudformation/2010-05-15, shape ResourceSignalUniqueId); the start
        // resource derives one that fits (signalOf in lambda/compilation-job/long-run.ts).
        'UniqueId.$': '$.signal.UniqueId',
        'Status': 'SUCCESS',
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: [CLOUDFORMATION_GENERIC_ERROR], ResultPath: '$.fault', Next: 'SignalLater' }],
      Next: 'Signalled',
    },
    SignalLater: { Type: 'Wait', Seconds: POLL_INTERVAL_SECONDS, Next: 'SignalCheck' },
    Signalled: { Type: 'Fail', Error: SIGNALLED, Cause: 'CloudFormation took the signal.' },
    NoLongerWaits: { Type: 'Fail', Error: RUN_NOT_SIGNALLED_ERROR, Cause: 'The WaitCondition no longer waits (signalled, timed out, rolled back or deleted); it was not signalled by this run.' },
  },
};

/**
 * The signalling deadline: `signalBy` is the hand-off plus the WaitCondition's timeout, so a
 * WaitCondition that has not begun by then never will (one that began would have timed out).
 */
const signalDeadline = {
  StartAt: 'UntilSignalBy',
  States: {
    UntilSignalBy: { Type: 'Wait', TimestampPath: '$.signalBy', Next: 'SignalGaveUp' },
    SignalGaveUp: { Type: 'Fail', Error: RUN_NOT_SIGNALLED_ERROR, Cause: 'The WaitCondition did not take a signal within its timeout.' },
  },
};

/** The definition, as a JSON-compatible object. */
export const LONG_RUN_DEFINITION = {
  Comment: 'Waits for one SageMaker Neo compilation job (cdk-sagemaker-neo) and signals its WaitCondition.',
  StartAt: 'CacheHit',
  // A run signals by `signalBy` at the latest (at most 12 hours after it starts); a little more, so
  // that the run's own error, not a timeout, says why it gave up.
  TimeoutSeconds: 12 * 3600 + 300,
  States: {
    // Compile once: the start resource copied a cached artifact (input `cacheHit`); no job is
    // created or described, the run only signals. A run without `cacheHit` races as before.
    CacheHit: {
      Type: 'Choice',
      Choices: [{ And: [{ Variable: '$.cacheHit', IsPresent: true }, { Variable: '$.cacheHit', BooleanEquals: true }], Next: 'Copied' }],
      Default: 'Race',
    },
    // The outcome a job that ended would leave, so that Outcome ends the run SUCCEEDED once it signalled.
    Copied: { Type: 'Pass', Result: { Error: RUN_ENDED_ERROR, Cause: 'A cache hit: the start resource copied the cached artifact; no job ran.' }, ResultPath: '$.outcome', Next: 'Signalling' },
    Race: {
      Type: 'Parallel',
      Branches: [compilation, deadline],
      ResultPath: null,
      Catch: [
        { ErrorEquals: [RUN_ENDED_ERROR], ResultPath: '$.outcome', Next: 'Signalling' },
        { ErrorEquals: [RUN_DEADLINE_ERROR], ResultPath: '$.outcome', Next: 'StopJob' },
        // Anything else (a request SageMaker refuses, a missing permission): signal, then fail
        // with it; the result resource reads it from the execution.
        { ErrorEquals: ['States.ALL'], ResultPath: '$.outcome', Next: 'Signalling' },
      ],
      Next: 'Signalling',
    },
    StopJob: {
      Type: 'Task',
      Resource: `${SDK}:sagemaker:stopCompilationJob`,
      Parameters: { 'CompilationJobName.$': '$.request.CompilationJobName' },
      ResultPath: null,
      Catch: [
        { ErrorEquals: [SAGEMAKER_GENERIC_ERROR], ResultPath: '$.fault', Next: 'StopFault' },
        // Never created (the quota stayed full): nothing to stop.
        { ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Signalling' },
      ],
      Next: 'Signalling',
    },
    // Throttled or a server fault: stop again (the WaitCondition waits 5 minutes beyond the
    // deadline; the result resource stops a job still running too). Else (ValidationException:
    // the job ended meanwhile) there is nothing to stop.
    StopFault: { Type: 'Choice', Choices: [{ ...transientCause('$.fault.Cause'), Next: 'StopLater' }], Default: 'Signalling' },
    ...backOff('StopLater', 2 * POLL_INTERVAL_SECONDS, 'StopJob'),
    Signalling: {
      Type: 'Parallel',
      Branches: [signalling, signalDeadline],
      ResultPath: null,
      Catch: [
        { ErrorEquals: [SIGNALLED], ResultPath: null, Next: 'Outcome' },
        // Never SUCCEEDED without a signal CloudFormation took.
        { ErrorEquals: ['States.ALL'], ResultPath: '$.signalError', Next: 'NotSignalled' },
      ],
      Next: 'Outcome',
    },
    NotSignalled: failWith('$.signalError'),
    Outcome: {
      Type: 'Choice',
      Choices: [{ Variable: '$.outcome.Error', StringEquals: RUN_ENDED_ERROR, Next: 'Done' }],
      Default: 'RunFailed',
    },
    Done: { Type: 'Succeed' },
    RunFailed: failWith('$.outcome'),
  },
};
