import { Token } from 'aws-cdk-lib';
import { describeTarget, isCloudDevice, JobContext, NEURON_DEVICES, targetKnown } from './job-context';

/**
 * The rules of `OutputConfig.CompilerOptions`, as the API reference documents them (see
 * ../shared/reference: OutputConfig and DescribeCompilationJob), in one table. The typed
 * factories of CompilerOptions and `CompilerOptions.fromJson` are both checked against it; keys
 * it does not know pass through unchecked.
 */

/** A group of targets the reference documents a key for. */
interface TargetFamily {
  /** The targets in words, for the error message. */
  readonly name: string;
  readonly includes: (context: JobContext) => boolean;
}

/** The rule of one key: the targets that take it, and what its value must be. */
interface KeyRule {
  readonly family: TargetFamily;
  /** The problem with the value, if any ('must be ...'). Tokens never reach it. */
  readonly value: (value: unknown) => string | undefined;
  /** Frameworks the key is for. */
  readonly frameworks?: string[];
}

const NVIDIA_DEVICES = /^(jetson_|ml_p2$|ml_p3$|ml_g4dn$)/;
const TARGETS = {
  cpu: { name: 'CPU, ARM and Android targets (not coreml or ml_eia2)', includes: (c) => c.device !== 'coreml' && c.device !== 'ml_eia2' },
  nvidia: {
    name: 'NVIDIA GPU targets (TargetAccelerator.NVIDIA, jetson_*, ml_p2, ml_p3, ml_g4dn)',
    includes: (c) => c.accelerator === 'NVIDIA' || NVIDIA_DEVICES.test(c.device ?? ''),
  },
  android: { name: 'platform targets with TargetOs.ANDROID', includes: (c) => c.os === 'ANDROID' },
  coreml: { name: 'TargetDevice.COREML', includes: (c) => c.device === 'coreml' },
  elasticInference: { name: 'TargetDevice.ML_EIA2 (Elastic Inference)', includes: (c) => c.device === 'ml_eia2' },
  cloudNotInferentia: { name: 'ml_* targets other than ml_inf*', includes: (c) => isCloudDevice(c) && !c.device!.startsWith('ml_inf') },
} satisfies Record<string, TargetFamily>;

const oneOf = (allowed: string[]) => (v: unknown) =>
  (typeof v === 'string' && allowed.includes(v) ? undefined : `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${JSON.stringify(v)})`);
const text = (what: string, pattern = /\S/) => (v: unknown) =>
  (typeof v === 'string' && pattern.test(v) ? undefined : `must be ${what} (got ${JSON.stringify(v)})`);
const list = (what: string, item: (v: unknown) => boolean) => (v: unknown) =>
  (Array.isArray(v) && v.length > 0 && v.every((i) => Token.isUnresolved(i) || item(i)) ? undefined : `must be a list of ${what} (got ${JSON.stringify(v)})`);

/** Every key the reference documents, with its targets and the form of its value. */
export const COMPILER_OPTION_RULES: Record<string, KeyRule> = {
  'dtype': { family: TARGETS.cloudNotInferentia, frameworks: ['PYTORCH'], value: oneOf(['float32', 'float', 'int64', 'long']) },
  'mcpu': { family: TARGETS.cpu, value: text("a CPU micro-architecture such as 'skylake-avx512'") },
  'mattr': { family: TARGETS.cpu, value: list("CPU flags that start with '+' or '-', such as [\"+neon\"]", (f) => typeof f === 'string' && /^[+-][A-Za-z0-9_.-]+$/.test(f)) },
  'gpu-code': { family: TARGETS.nvidia, value: text("a GPU architecture like 'sm_72'", /^sm_\d+$/) },
  'trt-ver': { family: TARGETS.nvidia, value: text("a TensorRT version in x.y.z format like '6.0.1'", /^\d+\.\d+\.\d+$/) },
  'cuda-ver': { family: TARGETS.nvidia, value: text("a CUDA version in x.y format like '10.1'", /^\d+\.\d+$/) },
  'ANDROID_PLATFORM': {
    family: TARGETS.android,
    value: (v) => (Number.isInteger(v) && (v as number) >= 21 && (v as number) <= 29 ? undefined : `must be an Android API level, an integer from 21 to 29 (got ${JSON.stringify(v)})`),
  },
  'class_labels': { family: TARGETS.coreml, value: text('the name of the labels file inside the model archive') },
  'precision_mode': { family: TARGETS.elasticInference, value: oneOf(['FP16', 'FP32']) },
  'signature_def_key': { family: TARGETS.elasticInference, value: text('a SavedModel signature name') },
  'output_names': { family: TARGETS.elasticInference, value: list('output tensor names', (n) => typeof n === 'string' && n.length > 0) },
};

/**
 * Keys that only make sense together or apart. An NVIDIA accelerator needs all three NVIDIA keys:
 * the reference's one counter-example ("EC2 m5.2xlarge", an NVIDIA accelerator with `mcpu` only)
 * describes an instance that has no NVIDIA GPU, so we read it as a CPU example and keep the rule.
 */
const NVIDIA_KEYS = ['gpu-code', 'trt-ver', 'cuda-ver'];
const EXCLUSIVE_EIA_KEYS = ['signature_def_key', 'output_names'];

/**
 * The problems of compiler options (the parsed JSON value) for a job, each naming the key and
 * the rule. Values that are tokens are skipped.
 */
export function compilerOptionProblems(options: unknown, context: JobContext): string[] {
  if (Token.isUnresolved(options)) return [];
  const neuron = context.device !== undefined && NEURON_DEVICES.includes(context.device);
  // Inferentia and Trainium take the Neuron compiler's flags as one JSON string, nothing else.
  if (typeof options === 'string') {
    return !targetKnown(context) || neuron ? []
      : [`a JSON string (Neuron compiler flags) is for ${NEURON_DEVICES.join(', ')} only (target is ${describeTarget(context)})`];
  }
  if (neuron) return [`${context.device} takes the Neuron compiler's flags as one JSON string, e.g. "\\"--verbose 1 -O2\\"" (use CompilerOptions.inferentia)`];
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return [`must be a JSON object of options (got ${JSON.stringify(options)})`];
  }

  const entries = Object.entries(options).filter(([, value]) => value !== undefined);
  const problems: string[] = [];
  for (const [key, value] of entries) {
    const rule = COMPILER_OPTION_RULES[key];
    if (rule === undefined || Token.isUnresolved(key)) continue;
    if (targetKnown(context) && !rule.family.includes(context)) {
      problems.push(`"${key}" is for ${rule.family.name} (target is ${describeTarget(context)})`);
    }
    if (rule.frameworks && context.framework !== undefined && !rule.frameworks.includes(context.framework)) {
      problems.push(`"${key}" is for ${rule.frameworks.join(', ')} models only (framework is ${context.framework})`);
    }
    const problem = Token.isUnresolved(value) ? undefined : rule.value(value);
    if (problem) problems.push(`"${key}" ${problem}`);
  }
  const keys = entries.map(([key]) => key);
  if (context.accelerator === 'NVIDIA') {
    const missing = NVIDIA_KEYS.filter((key) => !keys.includes(key));
    if (missing.length > 0) problems.push(`an NVIDIA accelerator needs ${NVIDIA_KEYS.join(', ')}; missing ${missing.join(', ')} (use CompilerOptions.nvidia)`);
  }
  if (EXCLUSIVE_EIA_KEYS.every((key) => keys.includes(key))) {
    problems.push(`take at most one of ${EXCLUSIVE_EIA_KEYS.map((k) => `"${k}"`).join(' and ')}`);
  }
  return problems;
}
