import { Token } from 'aws-cdk-lib';

/**
 * Guard of the `of()` escape hatch of the enum-like classes: a value AWS may add later must
 * still look like one (tokens pass; they are known only at deploy time).
 */
export function checkEnumValue(kind: string, value: string, pattern: RegExp): string {
  if (!Token.isUnresolved(value) && !pattern.test(value)) {
    throw new Error(`${kind}.of(): '${value}' is not a valid ${kind} value (expected ${pattern})`);
  }
  return value;
}
