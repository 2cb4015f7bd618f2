/**
 * jest global setup: starts moto_server for the wire tests (test/wire/*.test.ts) and hands its
 * endpoint to them in MOTO_ENDPOINT. Without moto_server on PATH the wire tests skip, with a
 * notice, unless CI_TOOLS_REQUIRED=1: then this setup fails the run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MOTO_SERVER_KEY } from './global-teardown';
import { MOTO_ENDPOINT_ENV, MotoServer, MotoUnavailableError, startMotoServer } from './moto';
import { ciToolsRequired, findExecutable, notice, REQUIRED_HINT } from '../ci-tools';

/** The parts of jest's GlobalConfig this setup reads (jest 30). */
interface GlobalConfigLike {
  readonly rootDir: string;
  readonly testPathPatterns?: {
    isSet(): boolean;
    toExecutor(options: { rootDir: string }): { isMatch(absPath: string): boolean };
  };
}

type Registry = typeof globalThis & { [MOTO_SERVER_KEY]?: MotoServer };

/** False when the command line selects test files and none of them is a wire test. */
function wireTestsSelected(config: GlobalConfigLike): boolean {
  try {
    const patterns = config.testPathPatterns;
    if (!patterns?.isSet()) return true;
    const executor = patterns.toExecutor({ rootDir: config.rootDir });
    return fs.readdirSync(__dirname)
      .filter((file) => file.endsWith('.test.ts'))
      .some((file) => executor.isMatch(path.join(__dirname, file)));
  } catch {
    return true; // when in doubt, start it
  }
}

function unavailable(reason: string): void {
  if (ciToolsRequired()) {
    throw new Error(`The wire tests need moto_server, but ${reason}. Install it with \`pip install 'moto[server]'\`.`);
  }
  notice(`Wire tests (test/wire) SKIPPED: ${reason}. Install moto with \`pip install 'moto[server]'\`; ${REQUIRED_HINT}.`);
}

export default async function globalSetup(globalConfig: GlobalConfigLike): Promise<void> {
  if (process.env[MOTO_ENDPOINT_ENV]) return; // a moto the caller runs (e.g. in a container)
  if (!wireTestsSelected(globalConfig)) return;

  const executable = findExecutable('moto_server');
  if (!executable) return unavailable('moto_server is not on PATH');
  let server: MotoServer;
  try {
    server = await startMotoServer(executable);
  } catch (error) {
    if (error instanceof MotoUnavailableError) return unavailable(error.message);
    throw error;
  }
  (globalThis as Registry)[MOTO_SERVER_KEY] = server;
  process.env[MOTO_ENDPOINT_ENV] = server.endpoint;
}
