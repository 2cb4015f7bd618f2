import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Collects every problem with a construct's props so the user sees all of them at once,
 * in one error at synth time.
 */
export class PropErrors {
  private readonly errors: string[] = [];

  /** Records `rule` against `prop` when `ok` is false. */
  public check(ok: boolean, prop: string, rule: string): void {
    if (!ok) this.errors.push(`${prop}: ${rule}`);
  }

  /** Like `check`, but skips values that are unresolved tokens (known only at deploy time). */
  public checkValue<T>(value: T | undefined, prop: string, test: (value: T) => boolean, rule: (value: T) => string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!test(value)) this.errors.push(`${prop}: ${rule(value)}`);
  }

  /**
   * Throws one error that lists every problem, if there is any. It names the construct's path,
   * so that an app with twenty jobs shows which one is wrong.
   */
  public throwIfAny(kind: string, construct: IConstruct): void {
    if (this.errors.length === 0) return;
    throw new Error(`Invalid ${kind} props at ${construct.node.path}:\n${this.errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}
