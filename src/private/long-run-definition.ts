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
 * Error names: `<Service>.<Error>` with `Exception` appended when the service's own name lacks it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 */
import { POLL_INTERVAL_SECONDS, QUOTA_RETRY_SECONDS, RUN_DEADLINE_ERROR, RUN_ENDED_ERROR } from './contract';

const SDK = 'arn:aws:states:::aws-sdk';

/** Throttling and server faults of SageMaker: retried with backoff, as the SDK would. */
const SAGEMAKER_TRANSIENT = {
  ErrorEquals: ['SageMaker.ThrottlingException', 'SageMaker.InternalFailureException', 'SageMaker.ServiceUnavailableException'],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  MaxAttempts: 10,
  JitterStrategy: 'FULL',
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
      // Every slot of the concurrent-job quota is taken, or SageMaker throttles or fails: try again
      // until it takes the job (the deadline branch ends the wait). One retrier for all of them: a
      // retrier counts its attempts for as long as the state retries, so a separate throttling
      // retrier of 10 attempts would end an hours-long quota wait at its tenth throttled try. Full
      // jitter spreads the tries of a waiting fleet.
      Retry: [{
        ErrorEquals: ['SageMaker.ResourceLimitExceededException', ...SAGEMAKER_TRANSIENT.ErrorEquals],
        IntervalSeconds: QUOTA_RETRY_SECONDS,
        BackoffRate: 1,
        MaxAttempts: 99999999,
        JitterStrategy: 'FULL',
      }],
      // The start resource created it already, or adopted a job of this request.
      Catch: [{ ErrorEquals: ['SageMaker.ResourceInUseException'], ResultPath: null, Next: 'Poll' }],
      Next: 'Poll',
    },
    Poll: { Type: 'Wait', Seconds: POLL_INTERVAL_SECONDS, Next: 'DescribeJob' },
    DescribeJob: {
      Type: 'Task',
      Resource: `${SDK}:sagemaker:describeCompilationJob`,
      Parameters: { 'CompilationJobName.$': '$.request.CompilationJobName' },
      ResultSelector: { 'Status.$': '$.CompilationJobStatus' },
      ResultPath: '$.job',
      // Retried for as long as it takes: the deadline branch bounds the wait. Giving up after 10
      // tries (a few minutes of throttling, likely with a fleet polling every 5 s) would end the
      // race with the job still running: no stop at the deadline, and a result resource waiting
      // for the job until its own hour runs out.
      Retry: [{ ...SAGEMAKER_TRANSIENT, MaxAttempts: 99999999 }],
      Next: 'HasEnded',
    },
    HasEnded: {
      Type: 'Choice',
      Choices: ['COMPLETED', 'FAILED', 'STOPPING', 'STOPPED'].map((status) => ({ Variable: '$.job.Status', StringEquals: status, Next: 'Ended' })),
      Default: 'Poll',
    },
    Ended: { Type: 'Fail', Error: RUN_ENDED_ERROR, Cause: 'The compilation job has ended.' },
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

/** The definition, as a JSON-compatible object. */
export const LONG_RUN_DEFINITION = {
  Comment: 'Waits for one SageMaker Neo compilation job (cdk-sagemaker-neo) and signals its WaitCondition.',
  StartAt: 'Race',
  // A WaitCondition waits 12 hours at most; no run outlives it.
  TimeoutSeconds: 12 * 3600,
  States: {
    Race: {
      Type: 'Parallel',
      Branches: [compilation, deadline],
      ResultPath: null,
      Catch: [
        { ErrorEquals: [RUN_ENDED_ERROR], ResultPath: '$.outcome', Next: 'Signal' },
        { ErrorEquals: [RUN_DEADLINE_ERROR], ResultPath: '$.outcome', Next: 'StopJob' },
        // Anything else (a request SageMaker refuses after a quota wait, a missing permission):
        // signal, then fail with it; the result resource reads it from the execution.
        { ErrorEquals: ['States.ALL'], ResultPath: '$.outcome', Next: 'Signal' },
      ],
      Next: 'Signal',
    },
    StopJob: {
      Type: 'Task',
      Resource: `${SDK}:sagemaker:stopCompilationJob`,
      Parameters: { 'CompilationJobName.$': '$.request.CompilationJobName' },
      ResultPath: null,
      Retry: [SAGEMAKER_TRANSIENT],
      // Never created (the quota stayed full), or it ended meanwhile: nothing to stop.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Signal' }],
      Next: 'Signal',
    },
    Signal: {
      Type: 'Task',
      Resource: `${SDK}:cloudformation:signalResource`,
      Parameters: {
        'StackName.$': '$.signal.StackName',
        'LogicalResourceId.$': '$.signal.LogicalResourceId',
        'UniqueId.$': '$$.Execution.Name',
        'Status': 'SUCCESS',
      },
      ResultPath: null,
      Retry: [{
        ErrorEquals: ['CloudFormation.ThrottlingException'],
        IntervalSeconds: 1,
        BackoffRate: 2,
        MaxAttempts: 10,
        JitterStrategy: 'FULL',
      }],
      // The WaitCondition no longer waits (rolled back or deleted, or an earlier run signalled it).
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.signalError', Next: 'Outcome' }],
      Next: 'Outcome',
    },
    Outcome: {
      Type: 'Choice',
      Choices: [{ Variable: '$.outcome.Error', StringEquals: RUN_ENDED_ERROR, Next: 'Done' }],
      Default: 'RunFailed',
    },
    Done: { Type: 'Succeed' },
    RunFailed: { Type: 'Fail', ErrorPath: '$.outcome.Error', CausePath: '$.outcome.Cause' },
  },
};
