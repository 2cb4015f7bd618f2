import { Token } from 'aws-cdk-lib';

/**
 * The check each enum-like class runs in its constructor: a value AWS adds later may come
 * through `of()`, but it must look like a value of its kind. Tokens pass (known at deploy time).
 */
export function checkApiValue(kind: string, name: string, pattern: RegExp): string {
  if (!Token.isUnresolved(name) && !pattern.test(name)) {
    throw new Error(`${kind}.of(): '${name}' is not a valid ${kind} value (expected ${pattern.source})`);
  }
  return name;
}

/** `TENSORFLOW`, `ARM_EABIHF`: the form of Framework, TargetOs, TargetArch and TargetAccelerator. */
export const UPPER_CASE_VALUE = /^[A-Z][A-Z0-9_]*$/;
/** `ml_c5`, `jetson_nano`: the form of TargetDevice. */
export const LOWER_CASE_VALUE = /^[a-z][a-z0-9_]*$/;
