import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LONG_RUN_DEFINITION } from './long-run-definition';
import { acknowledgeNag, acknowledgeWildcardResources } from './nag';

/** The SageMaker calls of a run; AddTags because CreateCompilationJob sends the job's tags. */
const RUN_SAGEMAKER_ACTIONS = [
  'sagemaker:CreateCompilationJob',
  'sagemaker:DescribeCompilationJob',
  'sagemaker:StopCompilationJob',
  'sagemaker:AddTags',
];

export interface LongRunStateMachineProps {
  /** ARN pattern of the stack's compilation jobs (the handler's scope). */
  readonly sagemakerJobs: string;
  /** The role of the handler, which starts, stops and reads runs. */
  readonly handlerRole: iam.IRole;
}

/**
 * The stack's state machine for compilations longer than a custom resource may wait: one per stack,
 * created with the first such job. Its role may act on the stack's jobs and read and signal its own
 * stack's resources, nothing else; PassRole comes from the provider, as the handler's does.
 */
export class LongRunStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: LongRunStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Creates, polls and stops the stack\'s long SageMaker Neo compilation jobs and signals their WaitConditions',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: RUN_SAGEMAKER_ACTIONS, resources: [props.sagemakerJobs] }));
    // DescribeStackResource: a run signals its WaitCondition only once CloudFormation has begun it
    // (long-run-definition.ts); both on its own stack only.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStackResource', 'cloudformation:SignalResource'], resources: [stack.stackId] }));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(LONG_RUN_DEFINITION)),
      role,
      comment: LONG_RUN_DEFINITION.Comment,
    });

    // The handler starts a run per job and WaitCondition, and stops and reads the runs of a job it retires.
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    props.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['states:StartExecution', 'states:ListExecutions'],
      resources: [this.stateMachine.stateMachineArn],
    }));
    props.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['states:StopExecution', 'states:DescribeExecution'],
      resources: [executions],
    }));

    acknowledgeWildcardResources(role, [props.sagemakerJobs],
      'Job names end in a hash computed at deploy time; the prefix, unique to this stack and ended by a separator, limits them to this stack.');
    acknowledgeWildcardResources(props.handlerRole, [executions],
      'Execution names are made at deploy time from the job name; the ARN limits them to this state machine.');
    acknowledgeNag(this.stateMachine, 'SF1',
      'A run polls its job every 5 seconds; logging ALL events would log each poll. A run\'s outcome reaches the deployment through the result resource.');
    acknowledgeNag(this.stateMachine, 'SF2', 'A run makes only AWS SDK calls, which its execution history records; X-Ray would add nothing.');
  }
}
