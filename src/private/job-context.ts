import { Token } from 'aws-cdk-lib';

/**
 * What a setting's validity depends on: the rest of the job. A value that is an unresolved token
 * is left out (undefined), so that no rule judges a value known only at deploy time.
 */
export interface JobContext {
  readonly framework?: string;
  readonly frameworkVersion?: string;
  /** The target device; with `os` undefined too, the target is unknown. */
  readonly device?: string;
  readonly os?: string;
  readonly arch?: string;
  readonly accelerator?: string;
}

/** The context of a job whose values may be tokens: each token becomes unknown. */
export function jobContextOf(values: JobContext): JobContext {
  const known = (value?: string) => (value === undefined || Token.isUnresolved(value) ? undefined : value);
  // A platform with one unknown field is an unknown target: rules about the target skip it.
  const platformKnown = [values.os, values.arch, values.accelerator].every((v) => v === undefined || !Token.isUnresolved(v));
  return {
    framework: known(values.framework),
    frameworkVersion: known(values.frameworkVersion),
    device: known(values.device),
    os: platformKnown ? values.os : undefined,
    arch: platformKnown ? values.arch : undefined,
    accelerator: platformKnown ? values.accelerator : undefined,
  };
}

/** Whether the target is known at synth time. */
export function targetKnown(context: JobContext): boolean {
  return context.device !== undefined || context.os !== undefined;
}

/** Whether the target is a SageMaker cloud instance family (ml_*). */
export function isCloudDevice(context: JobContext): boolean {
  return context.device?.startsWith('ml_') ?? false;
}

/** The targets whose compiler options are Neuron compiler flags (AWS Inferentia and Trainium). */
export const NEURON_DEVICES = ['ml_inf1', 'ml_inf2', 'ml_trn1'];

/** The target as an error message names it: 'ml_c5', 'a LINUX/ARM64/NVIDIA platform'. */
export function describeTarget(context: JobContext): string {
  if (context.device !== undefined) return context.device;
  return `a ${[context.os, context.arch, context.accelerator].filter((v) => v !== undefined).join('/')} platform`;
}
