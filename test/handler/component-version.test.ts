/**
 * The component version handler, call by call (aws-sdk-client-mock): which version onEvent
 * chooses, what the polls create and wait for, and the faults (throttling, a version created
 * meanwhile, a version Greengrass refuses or fails). The SDK's own retries of onEvent's calls
 * (which the mock bypasses) run on the driver: test/fault/component-version.test.ts.
 */
import {
  ConflictException,
  CreateComponentVersionCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  GreengrassV2Client,
  ListComponentVersionsCommand,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-greengrassv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { CreateEvent, DeleteEvent, IsCompleteRequest, OnEventResponse, UpdateEvent } from '../../lambda/component-version';
import { isComplete, onEvent } from '../../lambda/component-version';
import { compareVersions, nextPatch, recipeDifference, sameRecipe, withVersion } from '../../lambda/component-version/versions';
import type { ComponentVersionSpec } from '../../src/private/edge/component-contract';
import { COMPONENT_VERSION_RESOURCE_TYPE } from '../../src/private/edge/component-contract';

const gg = mockClient(GreengrassV2Client);
const NAME = 'com.example.Detector';
const COMPONENT_ARN = `arn:aws:greengrass:us-east-1:123456789012:components:${NAME}`;
const arnOf = (version: string) => `${COMPONENT_ARN}:versions:${version}`;
const MODEL_A = 's3://out/compiled/NeoStack-Job-a1/model-rasp4b.tar.gz';
const MODEL_B = 's3://out/compiled/NeoStack-Job-b2/model-rasp4b.tar.gz';

function recipe(uri: string, extra: object = {}) {
  return {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: NAME,
    Manifests: [{ Platform: { os: 'linux', architecture: 'arm' }, Artifacts: [{ Uri: uri, Unarchive: 'NONE', ...extra }] }],
  };
}

function spec(uri = MODEL_A, componentVersion?: string): ComponentVersionSpec {
  return { componentArn: COMPONENT_ARN, componentName: NAME, recipe: recipe(uri), ...(componentVersion ? { componentVersion } : {}) };
}

const base = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent',
  ResponseURL: 'https://example.com/response',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/NeoStack/5f0e8d60-4c1b-11ef-9a3e-0affd3c1b5a7',
  RequestId: 'c7a3e0c2-6d0b-4b8e-9b57-3f2f5e1c9a11',
  LogicalResourceId: 'DetectorComponent1A2B3C4D',
  ResourceType: COMPONENT_VERSION_RESOURCE_TYPE,
};
const props = (s: ComponentVersionSpec) => ({ ServiceToken: base.ServiceToken, Spec: JSON.stringify(s) });
const createEvent = (s: ComponentVersionSpec): CreateEvent => ({ ...base, RequestType: 'Create', ResourceProperties: props(s) });
const updateEvent = (s: ComponentVersionSpec, physicalId: string, old = s): UpdateEvent =>
  ({ ...base, RequestType: 'Update', PhysicalResourceId: physicalId, ResourceProperties: props(s), OldResourceProperties: props(old) });
const deleteEvent = (s: ComponentVersionSpec, physicalId: string): DeleteEvent =>
  ({ ...base, RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: props(s) });
const poll = (event: CreateEvent | UpdateEvent, response: OnEventResponse): IsCompleteRequest => ({ ...event, ...response });

const notFound = () => new ResourceNotFoundException({ message: 'not found', resourceId: 'x', resourceType: 'component', $metadata: {} });
const stored = (r: object) => ({ recipeOutputFormat: 'JSON' as const, recipe: Buffer.from(JSON.stringify(r)) });

/** Greengrass holds these versions, each with its recipe and state. */
function holds(versions: Record<string, { uri: string; state?: string }>, pages = 1): void {
  const names = Object.keys(versions);
  if (names.length === 0) gg.on(ListComponentVersionsCommand).rejects(notFound());
  const per = Math.ceil(names.length / pages);
  for (let p = 0; p < pages && names.length > 0; p++) {
    const items = names.slice(p * per, (p + 1) * per).map((v) => ({ componentName: NAME, componentVersion: v, arn: arnOf(v) }));
    gg.on(ListComponentVersionsCommand, { nextToken: p === 0 ? undefined : `page${p}` })
      .resolves({ componentVersions: items, nextToken: p + 1 < pages ? `page${p + 1}` : undefined });
  }
  gg.on(GetComponentCommand).rejects(notFound());
  gg.on(DescribeComponentCommand).rejects(notFound());
  for (const [v, { uri, state }] of Object.entries(versions)) {
    // Greengrass adds each artifact's digest to the recipe it stores.
    gg.on(GetComponentCommand, { arn: arnOf(v) }).resolves(stored({ ...recipe(uri, { Digest: `digest-of-${uri}`, Algorithm: 'SHA-256' }), ComponentVersion: v }));
    gg.on(DescribeComponentCommand, { arn: arnOf(v) }).resolves({ arn: arnOf(v), status: { componentState: (state ?? 'DEPLOYABLE') as never } });
  }
}

beforeEach(() => gg.reset());

describe('onEvent chooses the version', () => {
  test('a new component: 1.0.0, created by the first poll', async () => {
    holds({});
    await expect(onEvent(createEvent(spec()))).resolves.toEqual({ PhysicalResourceId: arnOf('1.0.0'), ComponentVersion: '1.0.0', CreateVersion: true });
    expect(gg).not.toHaveReceivedCommand(CreateComponentVersionCommand);
  });

  test('the newest version has the same artifacts: reused, nothing created', async () => {
    holds({ '1.0.0': { uri: MODEL_B }, '1.0.1': { uri: MODEL_A } });
    await expect(onEvent(createEvent(spec()))).resolves.toEqual({ PhysicalResourceId: arnOf('1.0.1'), ComponentVersion: '1.0.1', CreateVersion: false });
  });

  test('the newest version has other artifacts: the next patch after the newest of every page', async () => {
    holds({ '1.0.10-rc.1': { uri: MODEL_B }, '1.0.9': { uri: MODEL_B }, '1.0.10': { uri: MODEL_B }, '0.9.0': { uri: MODEL_A } }, 3);
    await expect(onEvent(createEvent(spec()))).resolves.toMatchObject({ ComponentVersion: '1.0.11', CreateVersion: true });
    expect(gg).toHaveReceivedCommandTimes(ListComponentVersionsCommand, 3);
  });

  test('the newest version has the same artifacts but FAILED: the next patch', async () => {
    holds({ '1.0.0': { uri: MODEL_A, state: 'FAILED' } });
    await expect(onEvent(createEvent(spec()))).resolves.toMatchObject({ ComponentVersion: '1.0.1', CreateVersion: true });
  });

  test('a stated version that exists with other artifacts: an error that names component, version and what to do', async () => {
    holds({ '1.0.0': { uri: MODEL_B } });
    await expect(onEvent(createEvent(spec(MODEL_A, '1.0.0')))).rejects.toThrow(
      `Greengrass component ${NAME} version 1.0.0 exists already with another recipe (it differs at manifests[0].artifacts[0].uri; ` +
      `its artifacts: ${MODEL_B}; this deployment ships ${MODEL_A}). ` +
      'Component versions are immutable, so it was left unchanged. Raise componentVersion, or omit it to let the deployment choose the next patch version.');
  });

  test.each<[string, (r: any) => void, string]>([
    ['only a platform changed (a manifest fixed to its devices)', (r) => { r.Manifests[0].Platform.architecture = 'aarch64'; }, 'manifests[0].platform.architecture'],
    ['only the install step changed', (r) => { r.Manifests[0].Lifecycle = { Install: { Script: 'tar -xzf "{artifacts:path}/m.tar.gz"' } }; }, 'manifests[0].lifecycle'],
    ['only the configuration changed', (r) => { r.ComponentConfiguration = { DefaultConfiguration: { Threshold: 0.5 } }; }, 'componentconfiguration'],
  ])('%s: the newest version is not reused, the next patch is created', async (_, change, where) => {
    holds({ '1.0.0': { uri: MODEL_A } });
    const changed = spec(MODEL_A);
    change(changed.recipe);
    await expect(onEvent(createEvent(changed))).resolves.toMatchObject({ ComponentVersion: '1.0.1', CreateVersion: true });
    await expect(onEvent(createEvent({ ...changed, componentVersion: '1.0.0' }))).rejects.toThrow(`exists already with another recipe (it differs at ${where}`);
  });

  test('an update that changed only a platform publishes a new version (the fix reaches the devices)', async () => {
    holds({ '1.0.0': { uri: MODEL_A } });
    const fixed = spec(MODEL_A);
    (fixed.recipe as any).Manifests[0].Platform = { os: 'linux', architecture: 'aarch64' };
    await expect(onEvent(updateEvent(fixed, arnOf('1.0.0'), spec(MODEL_A)))).resolves.toMatchObject({ PhysicalResourceId: arnOf('1.0.1'), CreateVersion: true });
  });

  test('a stated version that exists in state FAILED: a clear error at once, no create, no polling until the timeout', async () => {
    holds({ '1.0.0': { uri: MODEL_A, state: 'FAILED' } });
    gg.on(GetComponentCommand, { arn: arnOf('1.0.0') }).rejects(notFound()); // Greengrass may not return a FAILED version's recipe
    await expect(onEvent(createEvent(spec(MODEL_A, '1.0.0')))).rejects.toThrow(
      `Greengrass component ${NAME} version 1.0.0 exists in state FAILED (FAILED). A FAILED version stays and cannot be published again: ` +
      'raise componentVersion, or omit it to let the deployment choose the next patch version.');
    expect(gg).not.toHaveReceivedCommand(CreateComponentVersionCommand);
  });

  test('a stated version that exists with the same artifacts: reused', async () => {
    holds({ '1.0.0': { uri: MODEL_A }, '1.0.1': { uri: MODEL_B } });
    await expect(onEvent(createEvent(spec(MODEL_A, '1.0.0')))).resolves.toEqual({ PhysicalResourceId: arnOf('1.0.0'), ComponentVersion: '1.0.0', CreateVersion: false });
  });

  test('a stated version that does not exist: created, whatever exists above it', async () => {
    holds({ '3.0.0': { uri: MODEL_B } });
    await expect(onEvent(createEvent(spec(MODEL_A, '2.0.0')))).resolves.toEqual({ PhysicalResourceId: arnOf('2.0.0'), ComponentVersion: '2.0.0', CreateVersion: true });
  });

  test('an update that keeps the artifacts keeps its version, though a newer one exists (rollback of a cancelled update)', async () => {
    holds({ '1.0.0': { uri: MODEL_A }, '1.0.1': { uri: MODEL_B } });
    await expect(onEvent(updateEvent(spec(MODEL_A), arnOf('1.0.0'), spec(MODEL_B)))).resolves.toEqual({ PhysicalResourceId: arnOf('1.0.0'), ComponentVersion: '1.0.0', CreateVersion: false });
  });

  test('an update with a new model: the next patch', async () => {
    holds({ '1.0.0': { uri: MODEL_A } });
    await expect(onEvent(updateEvent(spec(MODEL_B), arnOf('1.0.0'), spec(MODEL_A)))).resolves.toMatchObject({ PhysicalResourceId: arnOf('1.0.1'), CreateVersion: true });
  });

  test('Delete never deletes a version and calls nothing', async () => {
    await expect(onEvent(deleteEvent(spec(), arnOf('1.0.0')))).resolves.toEqual({ PhysicalResourceId: arnOf('1.0.0') });
    await expect(isComplete({ ...deleteEvent(spec(), arnOf('1.0.0')) })).resolves.toEqual({ IsComplete: true });
    expect(gg.calls()).toHaveLength(0);
  });
});

describe('isComplete creates and waits', () => {
  const created = { PhysicalResourceId: arnOf('1.0.0'), ComponentVersion: '1.0.0', CreateVersion: true };

  test('creates the version with the recipe and a client token, then waits for DEPLOYABLE', async () => {
    const event = poll(createEvent(spec()), created);
    gg.on(GetComponentCommand).rejects(notFound());
    gg.on(CreateComponentVersionCommand).resolves({ arn: arnOf('1.0.0') });
    gg.on(DescribeComponentCommand).resolves({ status: { componentState: 'REQUESTED' } });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    const input = gg.commandCalls(CreateComponentVersionCommand)[0].args[0].input;
    expect(JSON.parse(Buffer.from(input.inlineRecipe!).toString())).toEqual({ ...recipe(MODEL_A), ComponentVersion: '1.0.0' });
    expect(input.clientToken).toMatch(/^[a-zA-Z0-9-]{1,64}$/);

    gg.reset();
    gg.on(GetComponentCommand).resolves(stored({ ...recipe(MODEL_A, { Digest: 'd', Algorithm: 'SHA-256' }), ComponentVersion: '1.0.0' }));
    gg.on(DescribeComponentCommand).resolves({ status: { componentState: 'DEPLOYABLE' } });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true, Data: { Arn: arnOf('1.0.0'), ComponentName: NAME, ComponentVersion: '1.0.0' } });
    expect(gg).not.toHaveReceivedCommand(CreateComponentVersionCommand);
  });

  test('the same client token for every poll and delivery of one operation, another for another operation', async () => {
    gg.on(GetComponentCommand).rejects(notFound());
    gg.on(CreateComponentVersionCommand).resolves({});
    gg.on(DescribeComponentCommand).resolves({ status: { componentState: 'INITIATED' } });
    await isComplete(poll(createEvent(spec()), created));
    await isComplete(poll(createEvent(spec()), created));
    await isComplete(poll({ ...createEvent(spec()), RequestId: 'another' }, created));
    const tokens = gg.commandCalls(CreateComponentVersionCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  test('a throttled or conflicting create is tried again on the next poll', async () => {
    gg.on(GetComponentCommand).rejects(notFound());
    gg.on(CreateComponentVersionCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    await expect(isComplete(poll(createEvent(spec()), created))).resolves.toEqual({ IsComplete: false });
    gg.on(CreateComponentVersionCommand).rejects(new ConflictException({ message: 'exists', resourceId: arnOf('1.0.0'), resourceType: 'component', $metadata: {} }));
    gg.on(DescribeComponentCommand).resolves({ status: { componentState: 'REQUESTED' } }); // another create is under way
    await expect(isComplete(poll(createEvent(spec()), created))).resolves.toEqual({ IsComplete: false });
  });

  test('a create that conflicts with a FAILED version whose recipe cannot be read: an error, not a retry', async () => {
    gg.on(GetComponentCommand).rejects(notFound());
    gg.on(CreateComponentVersionCommand).rejects(new ConflictException({ message: 'exists', resourceId: arnOf('1.0.0'), resourceType: 'component', $metadata: {} }));
    gg.on(DescribeComponentCommand).resolves({ status: { componentState: 'FAILED', message: 'Failed to calculate the artifact digest' } });
    await expect(isComplete(poll(createEvent(spec(MODEL_A, '1.0.0')), created))).rejects.toThrow(
      `Greengrass component ${NAME} version 1.0.0 exists in state FAILED (Failed to calculate the artifact digest).`);
  });

  test('a version created meanwhile with other artifacts fails the deployment and is left unchanged', async () => {
    gg.on(GetComponentCommand).resolves(stored({ ...recipe(MODEL_B), ComponentVersion: '1.0.0' }));
    await expect(isComplete(poll(createEvent(spec()), created))).rejects.toThrow(
      `Greengrass component ${NAME} version 1.0.0 exists already with another recipe (it differs at manifests[0].artifacts[0].uri; ` +
      `its artifacts: ${MODEL_B}; this deployment ships ${MODEL_A}). ` +
      'Component versions are immutable, so it was left unchanged. Another deployment published it meanwhile: deploy again to get the next patch version.');
    expect(gg).not.toHaveReceivedCommand(CreateComponentVersionCommand);
  });

  test('FAILED: Greengrass\'s message', async () => {
    gg.on(GetComponentCommand).resolves(stored(recipe(MODEL_A)));
    gg.on(DescribeComponentCommand).resolves({ status: { componentState: 'FAILED', message: 'Artifact digest mismatch', errors: { [MODEL_A]: 'checksum' } } });
    await expect(isComplete(poll(createEvent(spec()), created))).rejects.toThrow(
      `Greengrass could not create component ${NAME} version 1.0.0: Artifact digest mismatch {"${MODEL_A}":"checksum"}`);
  });

  test('a recipe Greengrass refuses: its error, in one line', async () => {
    gg.on(GetComponentCommand).rejects(notFound());
    gg.on(CreateComponentVersionCommand).rejects(new ValidationException({
      message: `Invalid Input: Encountered following errors in Artifacts: {${MODEL_A} = Specified artifact resource cannot be accessed}`, $metadata: {},
    }));
    await expect(isComplete(poll(createEvent(spec()), created))).rejects.toThrow(
      `Greengrass refused component ${NAME} version 1.0.0: ValidationException: Invalid Input: Encountered following errors in Artifacts: {${MODEL_A} = Specified artifact resource cannot be accessed}`);
  });

  test('a reused version that vanished: an error, no create', async () => {
    gg.on(GetComponentCommand).rejects(notFound());
    await expect(isComplete(poll(createEvent(spec()), { ...created, CreateVersion: false }))).rejects.toThrow(`Greengrass component ${NAME} version 1.0.0 was deleted during the deployment`);
    expect(gg).not.toHaveReceivedCommand(CreateComponentVersionCommand);
  });
});

describe('versions and artifacts', () => {
  test.each([
    ['1.0.0', '1.0.1', -1], ['1.0.10', '1.0.9', 1], ['1.0.0-rc.1', '1.0.0', -1], ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1], ['1.0.0-2', '1.0.0-11', -1], ['1.0.0+build.1', '1.0.0', 0], ['2.0.0', '10.0.0', -1],
  ])('semver precedence: %s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  test.each([
    ['1.0.0', '1.0.1'], ['1.2.9', '1.2.10'], ['1.0.1-rc.1', '1.0.2'], ['2.0.0+build', '2.0.1'],
    // Past 2^53 a Number would round (9007199254740993 is not one); semver numbers have no bound.
    ['1.0.9007199254740992', '1.0.9007199254740993'],
    // The longest version Greengrass takes (64 characters), and its next patch when that still fits.
    [`1.0.${'9'.repeat(60)}`, undefined], [`1.0.${'8'.repeat(60)}`, `1.0.${'8'.repeat(59)}9`], [`1.0.0-${'r'.repeat(58)}`, '1.0.1'],
  ])('next patch of %s is %s', (v, next) => {
    expect(nextPatch(v)).toBe(next);
  });

  test('precedence of numbers past 2^53', () => {
    expect(Math.sign(compareVersions('1.0.9007199254740993', '1.0.9007199254740992'))).toBe(1);
    expect(Math.sign(compareVersions('1.0.0-9007199254740993', '1.0.0-9007199254740992'))).toBe(1);
  });

  test('same recipe: keys of any case, the digest and defaults Greengrass adds left aside, digests compared where both hold one', () => {
    expect(sameRecipe(recipe(MODEL_A, { Digest: 'x', Algorithm: 'SHA-256' }), recipe(MODEL_A))).toBe(true);
    expect(sameRecipe(recipe(MODEL_A, { Digest: 'x' }), recipe(MODEL_A, { Digest: 'y' }))).toBe(false);
    expect(sameRecipe(recipe(MODEL_A), recipe(MODEL_B))).toBe(false);
    expect(sameRecipe(recipe(MODEL_A, { Permission: { Read: 'OWNER', Execute: 'NONE' } }), recipe(MODEL_A))).toBe(true);
    expect(sameRecipe(recipe(MODEL_A, { Permission: { Read: 'ALL' } }), recipe(MODEL_A))).toBe(false);
    const lower = { recipeformatversion: '2020-01-25', componentname: NAME, manifests: [{ platform: { os: 'linux', architecture: 'arm' }, artifacts: [{ uri: MODEL_A }] }] };
    expect(sameRecipe(recipe(MODEL_A), lower)).toBe(true);
    expect(sameRecipe({ ...recipe(MODEL_A), ComponentVersion: '1.0.7' }, recipe(MODEL_A))).toBe(true);
    // what a stored recipe may spell out: the default type, empty sections
    expect(sameRecipe({ ...recipe(MODEL_A), ComponentType: 'aws.greengrass.generic', Lifecycle: {}, ComponentDependencies: {} }, recipe(MODEL_A))).toBe(true);
    expect(sameRecipe({ ...recipe(MODEL_A), ComponentType: 'aws.greengrass.plugin' }, recipe(MODEL_A))).toBe(false);
    expect(sameRecipe(recipe(MODEL_A), { Manifests: [{ Artifacts: [{ Uri: MODEL_A }] }, { Artifacts: [] }] })).toBe(false);
  });

  test('same recipe: platform values and attribute names compare exactly (the nucleus does)', () => {
    const withPlatform = (platform: object) => ({ ...recipe(MODEL_A), Manifests: [{ ...recipe(MODEL_A).Manifests[0], Platform: platform }] });
    expect(recipeDifference(withPlatform({ os: 'linux', architecture: 'arm' }), withPlatform({ os: 'linux', architecture: 'ARM' }))).toBe('manifests[0].platform.architecture');
    expect(recipeDifference(withPlatform({ 'os': 'linux', 'com.example.Board': 'x' }), withPlatform({ 'os': 'linux', 'com.example.board': 'x' }))).toBe('manifests[0].platform.com.example.Board');
  });

  test('a mixed fleet: the same URIs and platforms manifest by manifest, in the same order', () => {
    const fleet = (...uris: string[]) => ({
      Manifests: uris.map((uri, i) => ({ Platform: { os: 'linux', architecture: ['aarch64', 'arm', 'amd64'][i] }, Artifacts: [{ Uri: uri, Unarchive: 'NONE' }] })),
    });
    const digested = (r: ReturnType<typeof fleet>) => ({
      Manifests: r.Manifests.map((m) => ({ ...m, Artifacts: m.Artifacts.map((a) => ({ ...a, Digest: `digest-of-${a.Uri}`, Algorithm: 'SHA-256' })) })),
    });
    const MODEL_C = 's3://out/compiled/NeoStack-Gateway-c3/model-x86.tar.gz';
    expect(sameRecipe(digested(fleet(MODEL_A, MODEL_B, MODEL_C)), fleet(MODEL_A, MODEL_B, MODEL_C))).toBe(true);
    // one job compiled anew
    expect(sameRecipe(digested(fleet(MODEL_A, MODEL_B, MODEL_C)), fleet(MODEL_A, 's3://out/compiled/NeoStack-Pi-d4/model.tar.gz', MODEL_C))).toBe(false);
    // the same models on other manifests: devices would install another model (first match wins)
    expect(sameRecipe(fleet(MODEL_A, MODEL_B, MODEL_C), fleet(MODEL_B, MODEL_A, MODEL_C))).toBe(false);
    // two platforms swapped by mistake, then fixed: the fix is another recipe
    const swapped = fleet(MODEL_A, MODEL_B);
    [swapped.Manifests[0].Platform, swapped.Manifests[1].Platform] = [swapped.Manifests[1].Platform, swapped.Manifests[0].Platform];
    expect(recipeDifference(digested(swapped), fleet(MODEL_A, MODEL_B))).toBe('manifests[0].platform.architecture');
    // a job more or less
    expect(sameRecipe(fleet(MODEL_A, MODEL_B), fleet(MODEL_A, MODEL_B, MODEL_C))).toBe(false);
  });

  test('the recipe sent to Greengrass carries the version; the construct\'s recipe is left as it was', () => {
    const r = recipe(MODEL_A);
    expect(withVersion(r, '1.0.3')).toEqual({ ...recipe(MODEL_A), ComponentVersion: '1.0.3' });
    expect(r).not.toHaveProperty('ComponentVersion');
  });
});
