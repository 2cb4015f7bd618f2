/**
 * A run that moto's interpreter executed, replayed on the repo's own Step Functions stand-in
 * (../driver/step-functions.ts, aws-local-stepfunctions on virtual time): every service call is
 * answered as moto's run was answered, in the same order (the same statuses, the same refusals with
 * the same messages), so the definition takes the same path. The stand-in's count of history events
 * can then be compared with the history moto recorded (GetExecutionHistory) for that run: the
 * 25,000-event budget of the long path (src/private/contract.ts) rests on that count.
 *
 * The stand-in installs fake timers globally: replay only once no real-time run is in flight.
 */
import type { RunWorld, WorldCall } from './long-run-world';
import { serviceError } from './long-run-world';
import { longRunDefinitionFromTemplate, StepFunctions } from '../driver/step-functions';
import { FakeSageMaker } from '../fault/fake-sagemaker';

/** The answers a run got, per service operation, in order. */
class Answers {
  private readonly queues = new Map<string, WorldCall[]>();

  constructor(calls: readonly WorldCall[]) {
    for (const call of calls) this.queues.set(call.operation, [...this.queues.get(call.operation) ?? [], call]);
  }

  next(operation: string): WorldCall {
    const call = this.queues.get(operation)?.shift();
    if (!call) throw new Error(`the replay has no more answers to ${operation}: the stand-in took another path than moto`);
    if (call.result !== 'ok') throw serviceError(call.result, call.message ?? '');
    return call;
  }

  /** Operations with answers left over (the stand-in stopped earlier than moto). */
  leftOver(): string[] {
    return [...this.queues].filter(([, calls]) => calls.length > 0).map(([operation, calls]) => `${operation} x${calls.length}`);
  }
}

/** SageMaker answering from a recorded run. */
class ReplayedSageMaker extends FakeSageMaker {
  constructor(private readonly answers: Answers) {
    super();
  }

  override async call(_service: 'sagemaker' | 's3', operation: string): Promise<object> {
    return this.answers.next(operation).output ?? {};
  }
}

export interface Replay {
  /** History events the stand-in counted for the run. */
  readonly historyEvents: number;
  readonly status: string;
  /** Answers the stand-in did not ask for (empty when it took moto's path). */
  readonly leftOver: string[];
}

/** Replays one of moto's runs on the stand-in; `input` is the run's input. */
export async function replayOnStandIn(world: RunWorld, input: object, runName: string): Promise<Replay> {
  const answers = new Answers(world.calls);
  const fake = new ReplayedSageMaker(answers);
  // Moto's deadlines were in real time; here they are hours ahead on the replay's clock, so the
  // race ends with the job, as moto's did (a run whose path depends on its deadline is not replayed).
  const replayInput = { ...input, deadline: fake.clock.dateAt(3 * 3600).toISOString(), signalBy: fake.clock.dateAt(4 * 3600).toISOString() };
  const sfn = new StepFunctions({
    fake,
    definition: longRunDefinitionFromTemplate(),
    signal: () => {
      answers.next('SignalResource');
    },
    describeStackResource: () => ({ ResourceStatus: answers.next('DescribeStackResource').resourceStatus ?? 'CREATE_IN_PROGRESS' }),
  });
  try {
    const { executionArn } = await sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: runName, input: JSON.stringify(replayInput) });
    for (let at = 60; (await sfn.describeExecution({ executionArn })).status === 'RUNNING' && at <= 5 * 3600; at += 60) await sfn.advanceTo(at);
    const { status } = await sfn.describeExecution({ executionArn });
    return { historyEvents: sfn.historyEvents(executionArn), status, leftOver: answers.leftOver() };
  } finally {
    sfn.close();
  }
}
