/**
 * One synthesis of a stack with N compilation jobs, timed in-process (node start-up and module
 * loading excluded): prints {"ms", "bytes", "resources", "metadataBytes"} as JSON, or
 * {"resources": N} with `tooManyResources` when aws-cdk-lib refuses the stack (above 500).
 * The stack is fleet-stack.ts's, written as `cdk synth` writes it.
 * Used by bench.ts. Arguments: N, then `long` for the long path (a 2-hour timeout), then
 * `shared` for one role shared by all jobs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fleetApp, FLEET_STACK_NAME } from './fleet-stack';

const jobs = Number(process.argv[2]);
const long = process.argv[3] === 'long';
const shared = process.argv[4] === 'shared';
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));

const start = process.hrtime.bigint();
const app = fleetApp(outdir, jobs, { long, shared });
try {
  const artifact = app.synth().getStackByName(FLEET_STACK_NAME);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const template = fs.readFileSync(artifact.templateFullPath);
  const metadataBytes = fs.statSync(path.join(outdir, `${FLEET_STACK_NAME}.metadata.json`)).size;
  process.stdout.write(JSON.stringify({ ms, bytes: template.length, resources: Object.keys(artifact.template.Resources).length, metadataBytes }));
} catch (e) {
  // aws-cdk-lib refuses a stack of more than 500 resources at synth, naming the count.
  const tooMany = /Number of resources in stack '[^']+': (\d+) is greater than allowed maximum of 500/.exec(String(e));
  if (!tooMany) throw e;
  process.stdout.write(JSON.stringify({ tooManyResources: true, resources: Number(tooMany[1]) }));
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
