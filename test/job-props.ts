import { App, Stack } from 'aws-cdk-lib';
import { CompilationJob, CompilationJobProps, CompilationTarget, DataInputConfig, Framework, ModelInput, TargetAccelerator, TargetArch, TargetDevice, TargetOs } from '../src';
import { MODEL_ARCHIVE, newStack } from './util';

/** A valid job: ONNX on ml_c5 with one input. Tests override what they are about. */
export const BASE: CompilationJobProps = {
  model: ModelInput.fromAsset(MODEL_ARCHIVE),
  framework: Framework.ONNX,
  dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] }),
  target: CompilationTarget.device(TargetDevice.ML_C5),
};

export const device = (d: TargetDevice) => CompilationTarget.device(d);
export const platform = (os: TargetOs, arch: TargetArch, accelerator?: TargetAccelerator) => CompilationTarget.platform({ os, arch, accelerator });

export type PropsOverride = Partial<CompilationJobProps> | ((stack: Stack) => Partial<CompilationJobProps>);

function synth(props: PropsOverride): void {
  const stack = newStack();
  new CompilationJob(stack, 'Job', { ...BASE, ...(typeof props === 'function' ? props(stack) : props) });
  (stack.node.root as App).synth(); // tag rules run at synthesis, after Tags.of
}

/** The synth-time error of a job built from BASE plus `props` (fails the test if there is none). */
export function errorOf(props: PropsOverride): string {
  try {
    synth(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

/** Fails the test if a job built from BASE plus `props` does not synthesize. */
export function accepts(props: PropsOverride): void {
  expect(() => synth(props)).not.toThrow();
}

/** One test per case: a job from BASE plus the case's props fails synth with the case's message. */
export function rejectsEach(cases: Array<[string, Partial<CompilationJobProps>, string]>): void {
  test.each(cases)('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });
}
