import { Token } from 'aws-cdk-lib';

/**
 * The base of the enum-like classes (TargetDevice, Framework, ...): a value of the SageMaker API,
 * with static constants for the values known today and `of()` for values AWS adds later.
 */
export abstract class ApiValue {
  /**
   * @param name the API value
   * @param kind the class name, for error messages
   * @param pattern what a value of this kind looks like (tokens pass: they are known at deploy time)
   */
  protected constructor(
    /** The API value. */
    public readonly name: string,
    kind: string,
    pattern: string) {
    if (!Token.isUnresolved(name) && !new RegExp(pattern).test(name)) {
      throw new Error(`${kind}.of(): '${name}' is not a valid ${kind} value (expected ${pattern})`);
    }
  }

  public toString(): string {
    return this.name;
  }
}
