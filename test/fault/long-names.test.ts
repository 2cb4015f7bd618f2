/**
 * The longest names a user can write (../extreme-names.ts: a 128-character stack name, jobs deep
 * in a Stage and nested constructs, construct ids whose job names take all 63 characters, an id
 * that sanitises to nothing), deployed on the driver on every path at once: the one-hour path,
 * the long path (the real definition on the aws-local-stepfunctions stand-in) and a component
 * version. Every service stand-in refuses what AWS refuses (the SageMaker fake checks each request
 * against botocore's model; the CloudFormation model refuses a signal's UniqueId over the model's
 * length), so a name too long for any API fails the deployment here as it would in AWS.
 * The same names run on moto's interpreter in ../wire/long-run-moto.wire.test.ts (scenario longNames).
 */
import * as path from 'path';
import { FakeSageMaker, VirtualClock } from './fake-sagemaker';
import type { OnEventRequest } from '../../lambda/compilation-job/cloudformation';
import { runNameOf } from '../../lambda/compilation-job/long-run';
import type { CompilationJobSpec } from '../../src/private/contract';
import { MAX_JOB_NAME_LENGTH } from '../../src/private/contract';
import type { ComponentVersionAttributes, ComponentVersionSpec } from '../../src/private/edge/component-contract';
import { COMPONENT_VERSION_RESOURCE_TYPE } from '../../src/private/edge/component-contract';
import { Driver } from '../driver/driver';
import { GreengrassStandIn } from '../driver/greengrass';
import { ROOT } from '../driver/lambda';
import { LongPath, STATE_MACHINE_ARN, waitConditionIdOf } from '../driver/long-path';
import { longRunDefinitionFromTemplate, StepFunctions } from '../driver/step-functions';
import { componentProviderSettings } from '../driver/template';
import { EXTREME_JOBS, extremeComponentSpec, extremeSpecs, LONGEST_COMPONENT_NAME, LONGEST_STACK_NAME } from '../extreme-names';
import { createEvent, nameOf, specOf } from '../handler/fixtures';

jest.setTimeout(120_000);

const HOUR = 3600;
const STACK_ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${LONGEST_STACK_NAME}/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7`;

/** A synthesized job's names and timeout with the fixtures' request (its model is in the fake's bucket). */
function deployable(job: keyof typeof EXTREME_JOBS): CompilationJobSpec {
  const { spec } = extremeSpecs()[job];
  return specOf({
    jobNamePrefix: spec.jobNamePrefix,
    constructAddress: spec.constructAddress,
    timeoutSeconds: spec.timeoutSeconds,
    ...(spec.longRun
      ? { longRun: { stateMachineArn: STATE_MACHINE_ARN }, request: { StoppingCondition: { MaxRuntimeInSeconds: spec.timeoutSeconds } } }
      : {}),
  });
}

let fake: FakeSageMaker | undefined;
let driver: Driver | undefined;
let sfn: StepFunctions | undefined;
let gg: GreengrassStandIn | undefined;

async function start(fakeSageMaker: FakeSageMaker): Promise<Driver> {
  fake = fakeSageMaker;
  driver = await Driver.start({
    fake,
    stepFunctions: (services) => {
      sfn = new StepFunctions({
        fake: services.fake!,
        definition: longRunDefinitionFromTemplate(),
        stateMachineArn: STATE_MACHINE_ARN,
        signal: services.signalResource,
        describeStackResource: services.describeStackResource,
      });
      return sfn;
    },
  });
  return driver;
}

afterEach(async () => {
  const running = sfn ? (await sfn.listExecutions({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING' })).executions.map((e) => e.name) : [];
  await driver?.close();
  driver = undefined;
  sfn = undefined;
  expect(running).toEqual([]);
  // Every Greengrass request fits botocore's model of Greengrass v2.
  expect(gg?.invalidRequests ?? []).toEqual([]);
  gg = undefined;
  const f = fake;
  fake = undefined;
  if (!f) return;
  // Nothing still runs, and every request the handler and the runs sent is one SageMaker's model accepts.
  expect(f.leftovers()).toEqual({ running: [], violations: [] });
});

describe('the longest names, every path', () => {
  test('one-hour path: a 63-character job name and a job whose id sanitises to nothing, in a 128-character stack, compile', async () => {
    const d = await start(new FakeSageMaker({ objects: ['model-bucket/models/resnet18.tar.gz'], script: { compileSeconds: 120 } }));
    for (const job of ['oneHour', 'nothing'] as const) {
      const spec = deployable(job);
      const result = await d.deploy({ ...createEvent(spec, { requestId: `create-${job}` }), StackId: STACK_ID, LogicalResourceId: `${job}Job1A2B3C4D` });
      expect(result.outcome.status).toBe('SUCCESS');
      expect(result.outcome.physicalResourceId).toBe(nameOf(spec, `create-${job}`));
      expect(fake!.job(result.outcome.physicalResourceId!)!.status).toBe('COMPLETED');
    }
    expect(nameOf(deployable('oneHour'), 'create-oneHour')).toHaveLength(MAX_JOB_NAME_LENGTH);
  });

  test('long path, two jobs at once: a 63-character job name and an id that sanitises to nothing; each WaitCondition takes its run\'s first signal', async () => {
    const d = await start(new FakeSageMaker({ objects: ['model-bucket/models/resnet18.tar.gz'], script: { startingSeconds: 10, compileSeconds: 2 * HOUR } }));
    const long = { spec: deployable('long'), logicalId: 'ResNet50CompiledForTheWholeEdgeFleet1A2B3C4D', stackId: STACK_ID };
    // The same id on the long path: a timeout above 59 minutes.
    const nothingSpec = deployable('nothing');
    const nothing = {
      spec: {
        ...nothingSpec,
        timeoutSeconds: 3 * HOUR,
        longRun: { stateMachineArn: STATE_MACHINE_ARN },
        request: { ...nothingSpec.request, StoppingCondition: { MaxRuntimeInSeconds: 3 * HOUR } },
      },
      logicalId: 'Job5E6F7A8B',
      stackId: STACK_ID,
    };
    const op = await new LongPath(d).create([long, nothing]);
    const name = op.outcomes.find((o) => o.resource === 'start' && o.outcome.physicalResourceId?.startsWith(long.spec.jobNamePrefix))!.outcome.physicalResourceId!;
    const run = runNameOf(name, waitConditionIdOf(long), op.startEvents.get(long.logicalId)!.RequestId);
    // The run's name is longer than a signal's UniqueId may be: the signal must not be named after it alone.
    expect({ job: name.length, run: run.length }).toEqual({ job: MAX_JOB_NAME_LENGTH, run: MAX_JOB_NAME_LENGTH + 9 });
    const signals = d.cloudformation.signals;
    expect({ refused: signals.filter((s) => s.result !== 'ok').length, accepted: signals.filter((s) => s.result === 'ok').length }).toEqual({ refused: 0, accepted: 2 });
    expect(op.status).toBe('SUCCESS');
    expect(op.waits.map((w) => w.status)).toEqual(['SUCCESS', 'SUCCESS']);
    // Within one slow poll of the jobs' end, not at the WaitConditions' timeout.
    for (const state of op.states) {
      const signalledAt = op.waits.find((w) => w.logicalId === state.waitCondition)!.at;
      expect(signalledAt - fake!.job(state.start.physicalId)!.endedAt!).toBeLessThanOrEqual(30);
    }
  });

  describe('component version of the longest name, shipping the artifact of a 63-character job', () => {
    const ARTIFACT = `s3://out-bucket/compiled/${nameOf(deployable('long'), 'create-long')}/model-jetson_xavier.tar.gz`;
    const spec = () => extremeComponentSpec(ARTIFACT);

    const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:EdgeFleet-frameworkonEvent';

    /** A driver with the component version provider; `deploy` creates the component version of `componentSpec`. */
    async function deployComponent(componentSpec: ComponentVersionSpec) {
      const clock = new VirtualClock();
      gg = new GreengrassStandIn(clock);
      const bundle = path.join(ROOT, 'assets', 'component-version', 'index.js');
      const d = await Driver.start({ clock, greengrass: gg, bundle, settings: componentProviderSettings() });
      driver = d;
      const event = {
        ServiceToken: SERVICE_TOKEN,
        ResponseURL: 'http://replaced-by-the-driver',
        StackId: STACK_ID,
        RequestId: 'create-component',
        LogicalResourceId: 'ModelComponentForEveryJetsonInTheFleetA1B2C3D4',
        ResourceType: COMPONENT_VERSION_RESOURCE_TYPE,
        RequestType: 'Create',
        ResourceProperties: { ServiceToken: SERVICE_TOKEN, Spec: JSON.stringify(componentSpec) },
      };
      return { d, deploy: () => d.deploy(event as unknown as OnEventRequest) };
    }

    test('a new component: version 1.0.0', async () => {
      expect(spec().componentName).toBe(LONGEST_COMPONENT_NAME);
      const { deploy } = await deployComponent(spec());
      const result = await deploy();
      expect(result.outcome.status).toBe('SUCCESS');
      expect((result.outcome.data as unknown as ComponentVersionAttributes).ComponentVersion).toBe('1.0.0');
      expect(gg!.versionsOf(spec().componentArn)).toEqual(['1.0.0']);
    });

    test('its newest version is 64 characters and its next patch would not fit: a clear error, nothing created', async () => {
      const { deploy } = await deployComponent(spec());
      const newest = `1.0.${'9'.repeat(60)}`;
      gg!.publish(spec().componentArn, newest, { ...spec().recipe, Manifests: [] });
      const result = await deploy();
      expect(result.outcome.status).toBe('FAILED');
      expect(result.outcome.reason).toContain(`the next patch after its newest version ${newest} would be longer than the 64 characters Greengrass takes. State componentVersion.`);
      expect(gg!.count('CreateComponentVersion')).toBe(0);
    });
  });
});
