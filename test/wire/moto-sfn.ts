/**
 * moto_server as a Step Functions interpreter that EXECUTES state machines, for the long path's
 * definition (./long-run-moto.wire.test.ts). It runs through ./moto-sfn-server.py (moto_server
 * with two interpreter corrections, described there), with:
 * - MOTO_PORT = the front's port: the interpreter's aws-sdk tasks call `localhost:$MOTO_PORT`
 *   (moto/stepfunctions/parser/asl/utils/boto_client.py:19-20, moto/settings.py:112-113);
 * - TZ=UTC: a Wait's TimestampPath is compared with the naive local `datetime.now()`
 *   (moto/stepfunctions/parser/asl/component/state/wait/wait_function/timestamp.py:88), so in any
 *   other zone the deadline would be off by the zone's offset;
 * - execution switched on with `POST /moto-api/config` (moto/stepfunctions/responses.py:12-19).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { MotoServer, MotoUnavailableError, startMotoServer } from './moto';
import { findExecutable } from '../ci-tools';

const LAUNCHER = path.join(__dirname, 'moto-sfn-server.py');

/** The Python that runs moto_server: its script's interpreter, or python3 when it is a shim. */
function pythonOf(motoServer: string): string | undefined {
  const shebang = /^#!\s*(\S+)/.exec(fs.readFileSync(motoServer, 'utf8').split('\n', 1)[0])?.[1];
  if (shebang && /\/python[0-9.]*$/.test(shebang) && fs.existsSync(shebang)) return shebang;
  return findExecutable('python3');
}

function post(url: string, body: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      if (response.statusCode === 200 || response.statusCode === 201) resolve();
      else reject(new Error(`POST ${url} answered ${response.statusCode}`));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Starts the interpreter; its aws-sdk tasks call the front on `frontPort`. */
export async function startStepFunctionsMoto(motoServer: string, frontPort: number): Promise<MotoServer> {
  const python = pythonOf(motoServer);
  if (!python) throw new MotoUnavailableError('no python3 on PATH to run moto with');
  let server: MotoServer;
  try {
    server = await startMotoServer(python, { args: [LAUNCHER], env: { TZ: 'UTC', MOTO_PORT: String(frontPort) } });
  } catch (error) {
    if (/No module named '?(moto|werkzeug|flask)/.test((error as Error).message)) throw new MotoUnavailableError((error as Error).message);
    throw error;
  }
  try {
    await post(`${server.endpoint}/moto-api/config`, { stepfunctions: { execute_state_machine: true } });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** A Step Functions client of moto in one region (moto keeps a backend per region). */
export function sfnClient(endpoint: string, region: string): SFNClient {
  return new SFNClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
}
