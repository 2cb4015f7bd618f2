/**
 * Greengrass component versions on the driver: the shipped component version bundle inside
 * aws-cdk-lib's own Provider framework runtime, CloudFormation's paths (./driver.ts) and a
 * Greengrass v2 stand-in modelled from its API reference and botocore's model (../driver/greengrass.ts).
 * What these scenarios leave behind is what the README's "Versions" paragraph says remains.
 */
import * as path from 'path';
import { VirtualClock } from './fake-sagemaker';
import { takeGateFindings } from './model-gate';
import type { OnEventRequest } from '../../lambda/compilation-job/cloudformation';
import type { CreateEvent, DeleteEvent, UpdateEvent } from '../../lambda/component-version';
import type { ComponentVersionAttributes, ComponentVersionSpec } from '../../src/private/edge/component-contract';
import { COMPONENT_VERSION_RESOURCE_TYPE } from '../../src/private/edge/component-contract';
import type { DeploymentResult, DeployOptions } from '../driver/driver';
import { deleteEventOf, Driver } from '../driver/driver';
import { GreengrassStandIn } from '../driver/greengrass';
import { ROOT } from '../driver/lambda';
import { componentProviderSettings } from '../driver/template';

const BUNDLE = path.join(ROOT, 'assets', 'component-version', 'index.js');
const NAME = 'com.example.Detector';
const COMPONENT_ARN = `arn:aws:greengrass:us-east-1:123456789012:components:${NAME}`;
const arnOf = (version: string) => `${COMPONENT_ARN}:versions:${version}`;
const MODEL_A = 's3://out/compiled/NeoStack-Job-a1b2/model-rasp4b.tar.gz';
const MODEL_B = 's3://out/compiled/NeoStack-Job-c3d4/model-rasp4b.tar.gz';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/NeoStack/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7';

function recipe(uri: string) {
  return {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: NAME,
    ComponentPublisher: 'cdk-sagemaker-neo',
    Manifests: [{
      Platform: { os: 'linux', architecture: 'arm' },
      Lifecycle: { Install: { Script: 'tar -xzf {artifacts:path}/*.tar.gz -C {work:path}/model', RequiresPrivilege: false } },
      Artifacts: [{ Uri: uri, Unarchive: 'NONE' }],
    }],
  };
}
/** A mixed fleet's recipe: one manifest per job, most specific first, as EdgeModelComponent builds it. */
function fleetRecipe(...uris: string[]) {
  const platforms = [{ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'amd64' }];
  return {
    ...recipe(uris[0]),
    Manifests: uris.map((uri, i) => ({ ...recipe(uri).Manifests[0], Platform: platforms[i] })),
  };
}
const fleetSpec = (...uris: string[]): ComponentVersionSpec => ({ componentArn: COMPONENT_ARN, componentName: NAME, recipe: fleetRecipe(...uris) });
const spec = (uri: string, componentVersion?: string): ComponentVersionSpec =>
  ({ componentArn: COMPONENT_ARN, componentName: NAME, recipe: recipe(uri), ...(componentVersion ? { componentVersion } : {}) });

const base = (requestId: string) => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:NeoStack-frameworkonEvent',
  ResponseURL: 'http://replaced-by-the-driver',
  StackId: STACK_ID,
  RequestId: requestId,
  LogicalResourceId: 'DetectorComponentA1B2C3D4',
  ResourceType: COMPONENT_VERSION_RESOURCE_TYPE,
});
const props = (s: ComponentVersionSpec) => ({ ServiceToken: base('').ServiceToken, Spec: JSON.stringify(s) });
const create = (s: ComponentVersionSpec, requestId = 'create-1'): CreateEvent => ({ ...base(requestId), RequestType: 'Create', ResourceProperties: props(s) });
const update = (s: ComponentVersionSpec, physicalId: string, old: ComponentVersionSpec, requestId = 'update-1'): UpdateEvent =>
  ({ ...base(requestId), RequestType: 'Update', PhysicalResourceId: physicalId, ResourceProperties: props(s), OldResourceProperties: props(old) });
const remove = (s: ComponentVersionSpec, physicalId: string, requestId = 'delete-1'): DeleteEvent =>
  ({ ...base(requestId), RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: props(s) });

let driver: Driver | undefined;
let gg: GreengrassStandIn;

async function start(): Promise<Driver> {
  const clock = new VirtualClock();
  gg = new GreengrassStandIn(clock, (text) => driver?.note(text));
  driver = await Driver.start({ clock, greengrass: gg, bundle: BUNDLE, settings: componentProviderSettings() });
  return driver;
}

/** The driver's events are typed for the compilation job handler; these carry the component's properties. */
const deploy = (event: CreateEvent | UpdateEvent | DeleteEvent, options?: DeployOptions) =>
  driver!.deploy(event as unknown as OnEventRequest, options);

function expectVersion(result: DeploymentResult, version: string): void {
  const { status, reason, physicalResourceId } = result.outcome;
  expect({ status, reason, physicalResourceId }).toEqual({ status: 'SUCCESS', reason: undefined, physicalResourceId: arnOf(version) });
  const data = result.outcome.data as unknown as ComponentVersionAttributes;
  expect(data).toEqual({ Arn: arnOf(version), ComponentName: NAME, ComponentVersion: version });
}

/** Each version with the artifact URIs its stored recipe carries. */
function published(): Record<string, string[]> {
  type Manifests = Array<{ Artifacts: Array<{ Uri: string }> }>;
  const urisOf = (v: string) => (gg.components.get(COMPONENT_ARN)!.get(v)!.recipe.Manifests as Manifests)
    .flatMap((m) => m.Artifacts.map((a) => a.Uri));
  return Object.fromEntries(gg.versionsOf(COMPONENT_ARN).map((v) => [v, urisOf(v)]));
}

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  // Every request the handler sent fits botocore's model of Greengrass v2.
  expect(gg.invalidRequests).toEqual([]);
  // Every request any stand-in refused, every answer outside its model (../fault/model-gate.ts).
  expect(takeGateFindings()).toEqual([]);
});

describe('versions that never collide', () => {
  test('first deploy: 1.0.0, answered once Greengrass can deploy it', async () => {
    const d = await start();
    const result = await deploy(create(spec(MODEL_A)));
    expectVersion(result, '1.0.0');
    expect(gg.stateOf(COMPONENT_ARN, '1.0.0')).toBe('DEPLOYABLE');
    expect(result.outcome.finishedAt).toBeGreaterThanOrEqual(gg.settleSeconds);
    expect(published()).toEqual({ '1.0.0': [MODEL_A] });
    expect(d.invocations('IsComplete')).toBeGreaterThan(1); // it waited for REQUESTED to pass
  });

  test('redeploy unchanged: the same version, nothing created; a new stack with the same model reuses it too', async () => {
    await start();
    await deploy(create(spec(MODEL_A)));
    expectVersion(await deploy(update(spec(MODEL_A), arnOf('1.0.0'), spec(MODEL_A))), '1.0.0');
    expectVersion(await deploy(create(spec(MODEL_A), 'another-stack')), '1.0.0');
    expect(gg.count('CreateComponentVersion')).toBe(1);
  });

  test('model changed: the next patch; the replaced version stays after CloudFormation\'s cleanup', async () => {
    await start();
    await deploy(create(spec(MODEL_A)));
    const changed = update(spec(MODEL_B), arnOf('1.0.0'), spec(MODEL_A));
    expectVersion(await deploy(changed), '1.0.1');
    const cleanup = await deploy(deleteEventOf(changed as unknown as OnEventRequest, arnOf('1.0.0')));
    expect(cleanup.outcome.status).toBe('SUCCESS');
    expect(published()).toEqual({ '1.0.1': [MODEL_B], '1.0.0': [MODEL_A] });
  });

  test('a mixed fleet: redeployed unchanged, the same version; one job compiled anew, the next patch with every manifest', async () => {
    const [JETSON, PI, GATEWAY] = ['Jetson-a1', 'Pi-b2', 'Gateway-c3'].map((job) => `s3://out/compiled/NeoStack-${job}/model.tar.gz`);
    const PI_NEW = 's3://out/compiled/NeoStack-Pi-d4/model.tar.gz';
    await start();
    expectVersion(await deploy(create(fleetSpec(JETSON, PI, GATEWAY))), '1.0.0');
    expectVersion(await deploy(update(fleetSpec(JETSON, PI, GATEWAY), arnOf('1.0.0'), fleetSpec(JETSON, PI, GATEWAY))), '1.0.0');
    expect(gg.count('CreateComponentVersion')).toBe(1);
    expectVersion(await deploy(update(fleetSpec(JETSON, PI_NEW, GATEWAY), arnOf('1.0.0'), fleetSpec(JETSON, PI, GATEWAY), 'update-2')), '1.0.1');
    expect(published()).toEqual({ '1.0.1': [JETSON, PI_NEW, GATEWAY], '1.0.0': [JETSON, PI, GATEWAY] });
  });

  test('the next patch comes after the newest version of every page', async () => {
    await start();
    for (let patch = 0; patch < 120; patch++) gg.publish(COMPONENT_ARN, `1.0.${patch}`, recipe(MODEL_B));
    gg.publish(COMPONENT_ARN, '0.9.0', recipe(MODEL_A)); // the same artifacts, but not the newest
    expectVersion(await deploy(create(spec(MODEL_A))), '1.0.120');
    expect(gg.count('ListComponentVersions', 'ok')).toBe(2);
  });

  test('a version Greengrass failed is never reused: the next deploy of the same model takes the next patch', async () => {
    await start();
    gg.failingArtifacts.set(MODEL_A, 'Failed to calculate the artifact digest');
    const failed = await deploy(create(spec(MODEL_A)));
    expect(failed.outcome.reason).toBe(`Greengrass could not create component ${NAME} version 1.0.0: Failed to calculate the artifact digest`);
    gg.failingArtifacts.clear();
    expectVersion(await deploy(create(spec(MODEL_A), 'create-2')), '1.0.1');
  });
});

describe('a version the user states', () => {
  test('exists with other artifacts: a clear error, and the version is left as it was', async () => {
    await start();
    gg.publish(COMPONENT_ARN, '1.0.0', recipe(MODEL_B));
    const result = await deploy(create(spec(MODEL_A, '1.0.0')));
    expect(result.outcome.status).toBe('FAILED');
    expect(result.outcome.reason).toBe(`Greengrass component ${NAME} version 1.0.0 exists already with another recipe (it differs at manifests[0].artifacts[0].uri; ` +
      `its artifacts: ${MODEL_B}; this deployment ships ${MODEL_A}). ` +
      'Component versions are immutable, so it was left unchanged. Raise componentVersion, or omit it to let the deployment choose the next patch version.');
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect(published()).toEqual({ '1.0.0': [MODEL_B] });
    expect(gg.count('CreateComponentVersion')).toBe(0);
  });

  test('does not exist: created as stated, and kept by an unchanged redeploy', async () => {
    await start();
    expectVersion(await deploy(create(spec(MODEL_A, '2.0.0'))), '2.0.0');
    expectVersion(await deploy(update(spec(MODEL_A, '2.0.0'), arnOf('2.0.0'), spec(MODEL_A, '2.0.0'))), '2.0.0');
    expect(gg.count('CreateComponentVersion')).toBe(1);
  });

  test('exists with the same artifacts: reused, not refused', async () => {
    await start();
    gg.publish(COMPONENT_ARN, '1.0.0', recipe(MODEL_A));
    gg.publish(COMPONENT_ARN, '1.0.1', recipe(MODEL_B));
    expectVersion(await deploy(create(spec(MODEL_A, '1.0.0'))), '1.0.0');
    expect(gg.count('CreateComponentVersion')).toBe(0);
  });

  test('created meanwhile by another deployment with other artifacts: refused at the create, nothing overwritten', async () => {
    const d = await start();
    gg.settleSeconds = 30;
    // Another pipeline publishes 1.0.0 between this deployment's onEvent and its first poll.
    const publishFirst = gg.handle.bind(gg);
    let raced = false;
    gg.handle = async (method, p, query, body) => {
      if (!raced && method === 'POST') {
        raced = true;
        gg.publish(COMPONENT_ARN, '1.0.0', recipe(MODEL_B));
      }
      return publishFirst(method, p, query, body);
    };
    const result = await deploy(create(spec(MODEL_A)));
    expect(result.outcome.reason).toContain(`Greengrass component ${NAME} version 1.0.0 exists already with another recipe (it differs at manifests[0].artifacts[0].uri; its artifacts: ${MODEL_B};`);
    expect(result.outcome.reason).toContain('Another deployment published it meanwhile: deploy again to get the next patch version.');
    expect(gg.count('CreateComponentVersion', 'ConflictException')).toBe(1);
    expect(published()).toEqual({ '1.0.0': [MODEL_B] });
    d.note('done');
  });
});

describe('a change that reaches the devices publishes a new version', () => {
  test('two platforms swapped by mistake, deployed, then fixed: the fix is 1.0.1, not a reuse of 1.0.0', async () => {
    await start();
    const swapped = fleetSpec(MODEL_A, MODEL_B);
    const manifests = (swapped.recipe as any).Manifests;
    [manifests[0].Platform, manifests[1].Platform] = [manifests[1].Platform, manifests[0].Platform];
    expectVersion(await deploy(create(swapped)), '1.0.0');
    expectVersion(await deploy(update(fleetSpec(MODEL_A, MODEL_B), arnOf('1.0.0'), swapped)), '1.0.1');
    expect(gg.components.get(COMPONENT_ARN)!.get('1.0.1')!.recipe.Manifests.map((m: any) => m.Platform.architecture)).toEqual(['aarch64', 'arm']);
  });

  test('a corrected install step alone: a new version', async () => {
    await start();
    expectVersion(await deploy(create(spec(MODEL_A))), '1.0.0');
    const corrected = spec(MODEL_A);
    (corrected.recipe as any).Manifests[0].Lifecycle.Install.Script = 'tar -xzf "{artifacts:path}/model-rasp4b.tar.gz" -C "{work:path}/model"';
    expectVersion(await deploy(update(corrected, arnOf('1.0.0'), spec(MODEL_A))), '1.0.1');
    // and the unchanged redeploy after it reuses 1.0.1
    expectVersion(await deploy(update(corrected, arnOf('1.0.1'), corrected, 'update-2')), '1.0.1');
    expect(gg.count('CreateComponentVersion')).toBe(2);
  });

  test('a stated version that exists FAILED, whose recipe Greengrass does not return: a clear error at once, not 15 minutes of conflicts', async () => {
    await start();
    gg.hideFailedRecipes = true;
    gg.publish(COMPONENT_ARN, '1.0.0', recipe(MODEL_A), 'Failed to calculate the artifact digest');
    const result = await deploy(create(spec(MODEL_A, '1.0.0')));
    expect(result.outcome.reason).toBe(`Greengrass component ${NAME} version 1.0.0 exists in state FAILED (Failed to calculate the artifact digest). ` +
      'A FAILED version stays and cannot be published again: raise componentVersion, or omit it to let the deployment choose the next patch version.');
    expect(gg.count('CreateComponentVersion')).toBe(0);
    expect(result.outcome.polls).toBe(0); // refused by onEvent
  });
});

describe('rollback and delete: what remains', () => {
  test('an update that fails: CloudFormation\'s cleanup leaves the failed version, the old one is current again', async () => {
    await start();
    await deploy(create(spec(MODEL_A)));
    gg.failingArtifacts.set(MODEL_B, 'Artifact could not be read');
    const result = await deploy(update(spec(MODEL_B), arnOf('1.0.0'), spec(MODEL_A)));
    expect(result.outcome.status).toBe('FAILED');
    expect(result.rollback.map((o) => `${o.requestType} ${o.physicalResourceId} ${o.status}`)).toEqual([`Delete ${arnOf('1.0.1')} SUCCESS`]);
    expect(published()).toEqual({ '1.0.1': [MODEL_B], '1.0.0': [MODEL_A] });
    expect(gg.stateOf(COMPONENT_ARN, '1.0.1')).toBe('FAILED');
  });

  test('an update CloudFormation cancels (another resource failed): the rollback keeps the old version; the new one remains', async () => {
    await start();
    await deploy(create(spec(MODEL_A)));
    gg.settleSeconds = 60;
    const result = await deploy(update(spec(MODEL_B), arnOf('1.0.0'), spec(MODEL_A)), { cancelAfterSeconds: 10 });
    expect(result.outcome.reason).toBe('Resource update cancelled');
    expect(result.rollback.map((o) => `${o.requestType} ${o.physicalResourceId} ${o.status}`)).toEqual([`Update ${arnOf('1.0.0')} SUCCESS`]);
    expect(published()).toEqual({ '1.0.1': [MODEL_B], '1.0.0': [MODEL_A] });
    // The next deployment of the new model reuses what the cancelled one published.
    expectVersion(await deploy(update(spec(MODEL_B), arnOf('1.0.0'), spec(MODEL_A), 'update-2')), '1.0.1');
  });

  test('a first deploy that fails elsewhere: the rollback\'s Delete leaves the version', async () => {
    await start();
    const result = await deploy(create(spec(MODEL_A)), { cancelAfterSeconds: 1 });
    expect(result.outcome.reason).toBe('Resource creation cancelled');
    expect(result.rollback.map((o) => o.status)).toEqual(['SUCCESS']);
    expect(published()).toEqual({ '1.0.0': [MODEL_A] });
  });

  test('stack delete: every version stays, and Greengrass is not called', async () => {
    await start();
    await deploy(create(spec(MODEL_A)));
    const calls = gg.calls.length;
    expect((await deploy(remove(spec(MODEL_A), arnOf('1.0.0')))).outcome.status).toBe('SUCCESS');
    expect(gg.calls.length).toBe(calls);
    expect(published()).toEqual({ '1.0.0': [MODEL_A] });
  });
});

describe('faults', () => {
  test.each([0, 1, 4])('CloudFormation delivers the Create again after %i s: one version, every answer names it', async (after) => {
    await start();
    const result = await deploy(create(spec(MODEL_A)), { duplicateDeliveryAfterSeconds: after });
    expectVersion(result, '1.0.0');
    expect(result.orphans.map((o) => `${o.status} ${o.physicalResourceId}`)).toEqual([`SUCCESS ${arnOf('1.0.0')}`]);
    expect(published()).toEqual({ '1.0.0': [MODEL_A] });
  });

  test('throttling: onEvent\'s calls are retried by the SDK, a poll\'s on the next poll', async () => {
    await start();
    gg.publish(COMPONENT_ARN, '1.0.0', recipe(MODEL_B));
    gg.throttleNext = 3;
    expectVersion(await deploy(create(spec(MODEL_A))), '1.0.1');
    expect(gg.count('ListComponentVersions', 'ThrottlingException')).toBe(3);
    // A poll's create throttled more often than the SDK retries within one invocation (6 attempts).
    gg.throttle.set('CreateComponentVersion', 8);
    expectVersion(await deploy(update(spec(MODEL_B), arnOf('1.0.1'), spec(MODEL_A))), '1.0.2');
    expect(gg.count('CreateComponentVersion', 'ThrottlingException')).toBe(8);
    expect(gg.count('CreateComponentVersion', 'ok')).toBe(2);
  });

  test('an artifact the handler may not read: Greengrass\'s words', async () => {
    await start();
    gg.unreadableArtifacts.add(MODEL_A);
    const result = await deploy(create(spec(MODEL_A)));
    expect(result.outcome.reason).toBe(`Greengrass refused component ${NAME} version 1.0.0: ValidationException: ` +
      `Invalid Input: Encountered following errors in Artifacts: {${MODEL_A} = Specified artifact resource cannot be accessed}`);
    expect(published()).toEqual({});
  });
});
