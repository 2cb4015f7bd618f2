/**
 * The third-party command-line tools some tests run (`moto_server`, `cfn-lint`, both from the
 * machine's Python). Locally a missing tool skips those tests with a printed notice; in CI a
 * missing tool must fail the run instead, so CI sets one of the switches below.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The switch `.ci/run` sets: `CI_TOOLS_REQUIRED=1` makes every missing tool a failure. */
export const CI_TOOLS_REQUIRED_ENV = 'CI_TOOLS_REQUIRED';

/** Whether a missing tool must fail the run. */
export function ciToolsRequired(): boolean {
  return ['1', 'true'].includes((process.env[CI_TOOLS_REQUIRED_ENV] ?? '').toLowerCase());
}

/** How to make the run fail instead of skipping, for notices and errors. */
export const REQUIRED_HINT = `set ${CI_TOOLS_REQUIRED_ENV}=1 to make a missing tool a failure`;

/** The absolute path of an executable on PATH, or undefined (no shell, no `which`). */
export function findExecutable(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A notice on stderr that stands out in jest's output. */
export function notice(message: string): void {
  process.stderr.write(`\n*** ${message}\n\n`);
}
