/**
 * Which model each real device installs, for every fleet shape docs/greengrass.md shows: the
 * recipe the construct synthesizes, read by a port of the nucleus's own manifest selection
 * (./nucleus/platform.ts, with its sources), on a table of real devices as their nucleus detects
 * them. The rule under test: a device runs the model compiled for it, or none (its deployment then
 * fails loudly); it never runs a model compiled for another device, unless the user declared that
 * model the fallback.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { renderIntrinsics } from '../docs/example/print-requests';
import {
  CompilationJob, CompilationTarget, EdgeModel, EdgeModelComponent, EdgePlatform, TargetArch, TargetDevice, TargetOs,
} from '../src';
import { currentPlatform, DeviceFacts, findBestMatch } from './nucleus/platform';
import { newStack } from './util';
import { tinyOnnxModel } from '../integ/model/tiny-onnx';
import { COMPONENT_VERSION_RESOURCE_TYPE, ComponentVersionSpec } from '../src/private/edge/component-contract';

const ATTRIBUTE = EdgePlatform.TARGET_DEVICE_ATTRIBUTE;
const provisioned = (device: string) => ({ [ATTRIBUTE]: device });

/*
 * The devices, as the JVM and `uname -m` report them to the nucleus:
 * - Jetson (JetPack, Ubuntu arm64) and Graviton (Amazon Linux 2023 arm64): a 64-bit JVM, os.arch aarch64.
 * - Raspberry Pi OS 32-bit (armhf userland, also on a Pi 4 with the 64-bit kernel): a 32-bit JVM, os.arch arm;
 *   `uname -m` armv7l on the 32-bit kernel, aarch64 on the 64-bit one (then no architecture.detail).
 * - Raspberry Pi OS 64-bit: os.arch aarch64.
 * - x86_64 Linux and Windows x64: a 64-bit JVM reports os.arch amd64.
 */
const DEVICES: Record<string, DeviceFacts> = {
  'Jetson Xavier, attribute provisioned': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64', platformOverride: provisioned('jetson_xavier') },
  'Jetson Xavier, no attribute': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64' },
  'Jetson Nano, attribute provisioned': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64', platformOverride: provisioned('jetson_nano') },
  'Jetson Nano, no attribute': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64' },
  'Raspberry Pi 3B, 32-bit OS, attribute provisioned': { osName: 'Linux', osArch: 'arm', unameM: 'armv7l', platformOverride: provisioned('rasp3b') },
  'Raspberry Pi 3B, 32-bit OS, no attribute': { osName: 'Linux', osArch: 'arm', unameM: 'armv7l' },
  'Raspberry Pi 4, 32-bit OS, attribute provisioned': { osName: 'Linux', osArch: 'arm', unameM: 'armv7l', platformOverride: provisioned('rasp4b') },
  'Raspberry Pi 4, 32-bit OS on the 64-bit kernel, no attribute': { osName: 'Linux', osArch: 'arm', unameM: 'aarch64' },
  'Raspberry Pi 4, 64-bit OS, attribute provisioned': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64', platformOverride: provisioned('rasp4b') },
  'Raspberry Pi 4, 64-bit OS, no attribute': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64' },
  'Graviton gateway': { osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64' },
  'x86_64 gateway': { osName: 'Linux', osArch: 'amd64', unameM: 'x86_64' },
  'Windows x64 PC': { osName: 'Windows Server 2019', osArch: 'amd64' },
};

const MODEL = tinyOnnxModel();
const job = (stack: Stack, id: string, target: CompilationTarget) => new CompilationJob(stack, id, { ...MODEL, target });
const gatewayTarget = CompilationTarget.platform({ os: TargetOs.LINUX, arch: TargetArch.X86_64 });

/** The fleet shapes of docs/greengrass.md, by the heading they appear under. */
const SHAPES: Record<string, (stack: Stack) => EdgeModel[]> = {
  'one Raspberry Pi 3 model': (stack) => [{ compilationJob: job(stack, 'Pi3', CompilationTarget.device(TargetDevice.RASP3B)) }],
  'a mixed fleet, every board told apart': (stack) => [
    { compilationJob: job(stack, 'Xavier', CompilationTarget.device(TargetDevice.JETSON_XAVIER)), platform: EdgePlatform.forTargetDevice(TargetDevice.JETSON_XAVIER) },
    { compilationJob: job(stack, 'Nano', CompilationTarget.device(TargetDevice.JETSON_NANO)), platform: EdgePlatform.forTargetDevice(TargetDevice.JETSON_NANO) },
    { compilationJob: job(stack, 'Pi4', CompilationTarget.device(TargetDevice.RASP4B)), platform: EdgePlatform.forTargetDevice(TargetDevice.RASP4B, 'arm') },
    { compilationJob: job(stack, 'Gateway', gatewayTarget) },
  ],
  'a mixed fleet with a declared aarch64 fallback': (stack) => [
    { compilationJob: job(stack, 'Xavier', CompilationTarget.device(TargetDevice.JETSON_XAVIER)), platform: EdgePlatform.forTargetDevice(TargetDevice.JETSON_XAVIER) },
    { compilationJob: job(stack, 'Nano', CompilationTarget.device(TargetDevice.JETSON_NANO)), fallback: true },
  ],
  'into the deployment you have (Jetson Xavier and Raspberry Pi 3)': (stack) => [
    { compilationJob: job(stack, 'Jetson', CompilationTarget.device(TargetDevice.JETSON_XAVIER)) },
    { compilationJob: job(stack, 'Pi', CompilationTarget.device(TargetDevice.RASP3B)) },
  ],
  'one model, many targets (Jetson Nano and Raspberry Pi 3)': (stack) => [
    { compilationJob: job(stack, 'Nano', CompilationTarget.device(TargetDevice.JETSON_NANO)) },
    { compilationJob: job(stack, 'Pi3', CompilationTarget.device(TargetDevice.RASP3B)) },
  ],
};

/*
 * What each device installs ('-': nothing, its deployment fails). A model without attributes serves
 * every device of its os and architecture that the deployment reaches (the shapes without attributes
 * are for fleets of one board per architecture, as docs/greengrass.md says); where two models share
 * one, only attributes or a declared fallback decide.
 */
const EXPECTED: Record<string, Record<string, string>> = {
  'one Raspberry Pi 3 model': {
    'Raspberry Pi 3B, 32-bit OS, attribute provisioned': 'Pi3',
    'Raspberry Pi 3B, 32-bit OS, no attribute': 'Pi3',
    'Raspberry Pi 4, 32-bit OS, attribute provisioned': 'Pi3',
    'Raspberry Pi 4, 32-bit OS on the 64-bit kernel, no attribute': 'Pi3',
  },
  'a mixed fleet, every board told apart': {
    'Jetson Xavier, attribute provisioned': 'Xavier',
    'Jetson Nano, attribute provisioned': 'Nano',
    'Raspberry Pi 4, 32-bit OS, attribute provisioned': 'Pi4',
    'x86_64 gateway': 'Gateway',
  },
  'a mixed fleet with a declared aarch64 fallback': {
    'Jetson Xavier, attribute provisioned': 'Xavier',
    'Jetson Xavier, no attribute': 'Nano',
    'Jetson Nano, attribute provisioned': 'Nano',
    'Jetson Nano, no attribute': 'Nano',
    'Raspberry Pi 4, 64-bit OS, attribute provisioned': 'Nano',
    'Raspberry Pi 4, 64-bit OS, no attribute': 'Nano',
    'Graviton gateway': 'Nano',
  },
  'into the deployment you have (Jetson Xavier and Raspberry Pi 3)': {
    'Jetson Xavier, attribute provisioned': 'Jetson',
    'Jetson Xavier, no attribute': 'Jetson',
    'Jetson Nano, attribute provisioned': 'Jetson',
    'Jetson Nano, no attribute': 'Jetson',
    'Raspberry Pi 3B, 32-bit OS, attribute provisioned': 'Pi',
    'Raspberry Pi 3B, 32-bit OS, no attribute': 'Pi',
    'Raspberry Pi 4, 32-bit OS, attribute provisioned': 'Pi',
    'Raspberry Pi 4, 32-bit OS on the 64-bit kernel, no attribute': 'Pi',
    'Raspberry Pi 4, 64-bit OS, attribute provisioned': 'Jetson',
    'Raspberry Pi 4, 64-bit OS, no attribute': 'Jetson',
    'Graviton gateway': 'Jetson',
  },
  'one model, many targets (Jetson Nano and Raspberry Pi 3)': {
    'Jetson Xavier, attribute provisioned': 'Nano',
    'Jetson Xavier, no attribute': 'Nano',
    'Jetson Nano, attribute provisioned': 'Nano',
    'Jetson Nano, no attribute': 'Nano',
    'Raspberry Pi 3B, 32-bit OS, attribute provisioned': 'Pi3',
    'Raspberry Pi 3B, 32-bit OS, no attribute': 'Pi3',
    'Raspberry Pi 4, 32-bit OS, attribute provisioned': 'Pi3',
    'Raspberry Pi 4, 32-bit OS on the 64-bit kernel, no attribute': 'Pi3',
    'Raspberry Pi 4, 64-bit OS, attribute provisioned': 'Nano',
    'Raspberry Pi 4, 64-bit OS, no attribute': 'Nano',
    'Graviton gateway': 'Nano',
  },
};

/** The stack's recipe, and the job id behind each manifest. */
function synthesize(shape: string): { manifests: any[]; jobOf: (manifest: number) => string } {
  const stack = newStack();
  const models = SHAPES[shape](stack);
  new EdgeModelComponent(stack, 'Component', { models, componentName: 'com.example.Model' });
  const [resource] = Object.values(Template.fromStack(stack).findResources(COMPONENT_VERSION_RESOURCE_TYPE));
  const recipe = (JSON.parse(renderIntrinsics(resource.Properties.Spec)) as ComponentVersionSpec).recipe as any;
  return {
    manifests: recipe.Manifests,
    jobOf: (i) => /^\$\{GetAtt:([A-Za-z0-9]+?)[0-9A-F]{8}\.ModelArtifactsS3Uri\}$/.exec(recipe.Manifests[i].Artifacts[0].Uri)![1],
  };
}

describe.each(Object.keys(SHAPES))('%s', (shape) => {
  const { manifests, jobOf } = synthesize(shape);
  test.each(Object.keys(DEVICES))('%s', (device) => {
    const i = findBestMatch(currentPlatform(DEVICES[device]), manifests);
    expect(i < 0 ? '-' : jobOf(i)).toBe(EXPECTED[shape][device] ?? '-');
  });
});

test('the fleet the README used to show (a Xavier told apart, a Nano without an attribute) no longer synthesizes', () => {
  // Its Nano manifest handed the Nano build to every aarch64 device without the attribute.
  const stack = newStack();
  expect(() => new EdgeModelComponent(stack, 'Component', {
    componentName: 'com.example.Model',
    models: [
      { compilationJob: job(stack, 'Xavier', CompilationTarget.device(TargetDevice.JETSON_XAVIER)), platform: { os: 'linux', architecture: 'aarch64', attributes: { 'com.example.board': 'jetson_xavier' } } },
      { compilationJob: job(stack, 'Nano', CompilationTarget.device(TargetDevice.JETSON_NANO)) },
      { compilationJob: job(stack, 'Pi', CompilationTarget.device(TargetDevice.RASP4B)), platform: { os: 'linux', architecture: 'arm' } },
      { compilationJob: job(stack, 'Gateway', gatewayTarget) },
    ],
  })).toThrow("job 'TestStack/Nano' (jetson_nano) [os=linux, architecture=aarch64] is a catch-all");
});

test('a nucleus lite device installs nothing: it considers only manifests whose Platform names runtime aws_nucleus_lite or *', () => {
  // aws-greengrass-lite, modules/ggl-recipe/src/recipe.c, manifest_selection: a manifest without
  // `runtime` is for the classic nucleus only. Lite ignores custom attributes, so a model chosen
  // there would ignore what tells a Nano from a Xavier (docs/greengrass.md, "Which nucleus").
  for (const shape of Object.keys(SHAPES)) {
    for (const manifest of synthesize(shape).manifests) expect(Object.keys(manifest.Platform)).not.toContain('runtime');
  }
});

describe('the port agrees with the nucleus source on the cases it documents', () => {
  test.each<[string, Record<string, string>, Record<string, unknown> | undefined, boolean]>([
    ['no Platform matches every device', { os: 'linux', architecture: 'arm' }, undefined, true],
    ["'*' is no wildcard (not a simple label)", { os: 'linux', architecture: 'arm' }, { architecture: '*' }, false],
    ["'//' matches any value the device has", { 'os': 'linux', 'com.example.x': 'a' }, { 'com.example.x': '//' }, true],
    ["'//' does not match a key the device lacks", { os: 'linux' }, { 'com.example.x': '//' }, false],
    ["'all' is a wildcard for architecture", { os: 'linux', architecture: 'x86' }, { architecture: 'all' }, true],
    ["'any' is no wildcard for a custom key", { 'os': 'linux', 'com.example.x': 'a' }, { 'com.example.x': 'any' }, false],
    ['values compare case-sensitively', { os: 'linux' }, { os: 'Linux' }, false],
    ['a regex matches the whole value', { architecture: 'aarch64' }, { architecture: '/arch/' }, false],
  ])('%s', (_, device, platform, matches) => {
    expect(findBestMatch(device, [{ Platform: platform }]) === 0).toBe(matches);
  });

  test('a Pi on 32-bit Raspberry Pi OS reports arm and armv7l; 64-bit reports aarch64 and no detail', () => {
    expect(currentPlatform({ osName: 'Linux', osArch: 'arm', unameM: 'armv7l' })).toEqual({ 'os': 'linux', 'architecture': 'arm', 'architecture.detail': 'armv7l' });
    expect(currentPlatform({ osName: 'Linux', osArch: 'aarch64', unameM: 'aarch64' })).toEqual({ os: 'linux', architecture: 'aarch64' });
    expect(currentPlatform({ osName: 'Windows 10', osArch: 'amd64' })).toEqual({ os: 'windows', architecture: 'amd64' });
  });
});
