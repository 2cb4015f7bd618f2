/**
 * `npx projen bench`: measures synth scaling, handler start and deployment overhead, and writes
 * docs/benchmarks.md (tables, command, machine, date). Numbers are as measured on this machine.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileOnceSection, measureCompileOnceSync } from './compile-once';
import { DeploySimRow, measureDeploymentOverhead } from './deploy-sim';
import { FailureSimRow, simulateFailures } from './failure-sim';
import { measureHandlerStart } from './handler-start';
import { LongRunSimRow, simulateLongRunFleet } from './long-run-sim';
import { MAX_STACK_RESOURCES, MAX_TEMPLATE_BYTES, measureResourcesPerJob, measureSynthScaling, ResourcesPerJob, SynthResult } from './synth-scaling';
import { deployLongFleetStack, LongFleetStackRow } from '../driver/long-fleet';

const OUTPUT = path.join(__dirname, '..', '..', 'docs', 'benchmarks.md');
const SYNTH_RUNS = 5;
const IMPORT_RUNS = 11;

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? '-' : n.toFixed(digits));
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

function synthSection(rows: SynthResult[]): string[] {
  const [one, ten, hundred] = rows;
  const perJobBytes = (hundred.bytes - ten.bytes) / (hundred.jobs - ten.jobs);
  const perJobResources = (hundred.resources - ten.resources) / (hundred.jobs - ten.jobs);
  const shared = one.resources - perJobResources;
  const ratio = hundred.medianMs / ten.medianMs;
  return [
    '## 1. Synth scaling',
    '',
    `Apps with N CompilationJobs in one stack, each synthesized in a fresh process; median over ${SYNTH_RUNS} runs of constructing the app and \`app.synth()\` (Node start-up and module loading excluded).`,
    '',
    '| jobs | median synth | template | resources |',
    '|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.jobs} | ${fmt(r.medianMs)} ms | ${kb(r.bytes)} | ${r.resources} |`),
    '',
    `- Each added job costs **${fmt(perJobResources, 1)} resources** (custom resource and execution role, whose own permissions are inline; what all jobs share is in one managed policy per stack) and **${kb(perJobBytes)}** of template (from 10 to 100 jobs).`,
    `- Shared per stack, counted once: **${fmt(shared)} resources** (the provider's functions, roles, log group, waiter state machine, and the output bucket with its policy).`,
    `- t(100)/t(10) = **${fmt(ratio, 2)}** (bound: at most 10, i.e. no worse than linear): ${ratio <= 10 ? 'met' : 'MISSED'}.`,
    '',
  ];
}

function handlerSection(): string[] {
  const r = measureHandlerStart(IMPORT_RUNS);
  const ratio = r.bundleImportMs / r.clientImportMs;
  return [
    '## 2. Handler start',
    '',
    `Cold \`require\` in fresh Node processes, interleaved, median of ${r.runs} each (Node start-up excluded).`,
    '',
    '| what | size | cold import (median) |',
    '|---|---:|---:|',
    `| handler bundle (\`assets/compilation-job/index.js\`, minified) | ${kb(r.bundleBytes)} (${kb(r.bundleGzipBytes)} gzip) | ${fmt(r.bundleImportMs, 1)} ms |`,
    `| \`require('@aws-sdk/client-sagemaker')\` (full client) | - | ${fmt(r.clientImportMs, 1)} ms |`,
    '',
    `- Bundle / full client = **${fmt(ratio, 2)}** (aim: at most 0.33): ${ratio <= 1 / 3 ? 'met' : 'missed'}.`,
    '- The bundle tree-shakes the SDK\'s ES modules and uses Lambda\'s environment credentials instead of the SDK\'s default provider chain; S3 and CloudFormation clients (rare paths) come from the Lambda runtime on first use.',
    '',
  ];
}

function deploySection(rows: DeploySimRow[]): string[] {
  const apis = [...new Set(rows.flatMap((r) => Object.keys(r.callsPerJobMinuteByApi)))].sort();
  const run = (r: DeploySimRow) => `${r.handler}${r.coldStarts ? ', every invocation a cold start' : ''}`;
  const ratio = (r: DeploySimRow) => `${fmt(r.makespanSeconds, 1)} s / ${fmt(r.idealMakespanSeconds, 1)} s (${fmt(r.makespanSeconds / r.idealMakespanSeconds, 3)}; ${r.extraSecondsPerWave >= 0 ? '+' : ''}${fmt(r.extraSecondsPerWave, 1)} s per wave)`;
  return [
    '## 3. Deployment overhead (simulation)',
    '',
    'The one test driver (`test/driver`): aws-cdk-lib\'s Provider framework runtime around the handler bundle, the waiter as the synthesized template says (5 s polls), CloudFormation modelled, against the scripted SageMaker on a virtual clock (`test/fault/fake-sagemaker.ts`). N jobs in one stack, every Create at t = 0; each job compiles a local model (a CDK asset copied to its `.tar.gz` key); 30 s STARTING plus 242.5 s compiling (the half second puts completions between two polls, the average case); at most `quota` jobs at a time (ResourceLimitExceeded above it); 5 % of all SageMaker and S3 calls throttled (seeded). Every AWS call the handler makes counts: SageMaker, CloudFormation and S3, SDK retries included.',
    '',
    '| handler | jobs | quota | calls per job-minute while waiting for the quota | while running | overall | makespan / ideal ceil(N/Q) x duration | detection latency median / max | failures |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${run(r)} | ${r.jobs} | ${r.quota} | ${r.waitingCallsPerJobMinute === null ? '- (none waited)' : fmt(r.waitingCallsPerJobMinute, 1)} | ${fmt(r.runningCallsPerJobMinute, 1)} | ${fmt(r.callsPerJobMinute, 1)} | ${ratio(r)} | ${fmt(r.detectionLatencyMedianSeconds, 1)} s / ${fmt(r.detectionLatencyMaxSeconds, 1)} s | ${r.failures} |`),
    '',
    'Calls per job-minute by API (over the whole deployment):',
    '',
    `| handler | jobs | quota | ${apis.join(' | ')} |`,
    `|---|---:|---:|${apis.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${run(r)} | ${r.jobs} | ${r.quota} | ${apis.map((api) => fmt(r.callsPerJobMinuteByApi[api] ?? 0, 2)).join(' | ')} |`),
    '',
    '- Budget: a job waiting for the quota costs at most 1.1 calls per 5 s poll, 13.2 per job-minute, all APIs counted; a running job costs one Describe per poll (12), plus the SDK\'s retries of throttled calls.',
    '- How: onEvent copies the model once; the polls of a job the quota refused skip the Describe and try to create it every other poll (half of the waiting jobs on each poll, so a freed slot is taken within a poll), asking CloudFormation first whether it still waits. That memory lives in the isComplete function\'s instance: the cold-start row is the worst case, where no poll finds it.',
    '- "previous release" is the handler of the commit before issue #11 (built by the bench), on the same driver.',
    '',
  ];
}

function longRunSection(rows: LongRunSimRow[], stacks: LongFleetStackRow[], resources: ResourcesPerJob[]): string[] {
  const waves = (r: LongRunSimRow) => Math.ceil(r.jobs / r.quota);
  return [
    '## 4. The long path: timeout above 59 minutes (simulation)',
    '',
    'The state machine definition read from a synthesized stack, run by aws-local-stepfunctions on virtual time (`test/driver/step-functions.ts`) against the same scripted SageMaker: N runs start at t = 0, as their start resources hand them the wait (the first `quota` creates succeed, the rest retry while the quota is full); each job is STARTING 30 s and ends after its duration plus half a second; 5 % of all SageMaker and SignalResource calls are throttled (seeded), and reach the runs as the AWS SDK integration names them (botocore\'s model decides: `SageMaker.SageMakerException` and `CloudFormation.CloudFormationException` for throttling, `SageMaker.ResourceLimitExceededException` for the quota). Every AWS call a run makes counts: SageMaker (retries included), DescribeStackResource and SignalResource. The start and result resources add one Provider operation each, as on the one-hour path, outside these figures.',
    '',
    '| jobs | quota | job duration | throttled | calls per job-minute while waiting for the quota | while running | overall | makespan / ideal | detection latency median / max | state transitions per job-hour | history events, most of one run | errors the runs saw | failures |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...rows.map((r) => `| ${r.jobs} | ${r.quota} | ${r.jobMinutes} min | ${fmt(r.throttleRate * 100)} % | ${r.waitingCallsPerJobMinute === null ? '- (none waited)' : fmt(r.waitingCallsPerJobMinute, 1)} | ${fmt(r.runningCallsPerJobMinute, 1)} | ${fmt(r.callsPerJobMinute, 1)} | ${fmt(r.makespanSeconds, 1)} s / ${fmt(r.idealMakespanSeconds, 1)} s (${fmt(r.makespanSeconds / r.idealMakespanSeconds, 3)}; ${waves(r)} wave${waves(r) === 1 ? '' : 's'}) | ${fmt(r.detectionLatencyMedianSeconds, 1)} s / ${fmt(r.detectionLatencyMaxSeconds, 1)} s | ${fmt(r.transitionsPerJobHour)} | ${fmt(r.historyEventsMax)} | ${Object.entries(r.errors).sort().map(([name, n]) => `${name} ${n}`).join(', ') || 'none'} | ${r.failures} |`),
    '',
    '- Bounds: makespan at most 1.05 × ideal; calls per job-minute no higher than the one-hour path\'s (section 3); detection within a poll (5 s for the first half hour, then 30 s) unless the Describe that sees the end is throttled; a run\'s history below 25,000 events, where Step Functions fails it.',
    '- A running job costs one Describe and three state transitions (Wait, Describe, Choice) per poll: every 5 s for its first half hour (1080 transitions), then every 30 s (2 Describes per minute, 360 transitions per job-hour, about USD 0.009 at USD 0.025 per 1000). A throttled call (Cause `Rate exceeded`) is tried again after a random wait within a poll interval. A job waiting for the quota tries to create every 10 s on average (full jitter up to 20 s): 6 calls and 12 transitions per minute.',
    '',
    'The whole stack on the test driver (`test/driver/long-fleet.ts`): per job the start resource (the shipped handler in aws-cdk-lib\'s Provider framework runtime), the WaitCondition, the run and the result resource, every start at t = 0, each job\'s `timeout` covering the waves; 5 % of SageMaker calls throttled; each WaitCondition begun 1 s to 2 min after its start resource completed (seeded; most within 10 s), its run signalling only once it has. The makespan ends when the last result resource is done; the latency runs from a job\'s end to its result resource\'s completion.',
    '',
    '| jobs in one stack | quota | job duration | stack | makespan / ideal | job end to result done, median / max | every job created once |',
    '|---:|---:|---:|---|---:|---:|---|',
    ...stacks.map((r) => `| ${r.jobs} | ${r.quota} | ${r.jobMinutes} min | ${r.status} | ${fmt(r.makespanSeconds, 1)} s / ${fmt(r.idealMakespanSeconds, 1)} s (${fmt(r.makespanSeconds / r.idealMakespanSeconds, 3)}) | ${fmt(r.resultLatencyMedianSeconds, 1)} s / ${fmt(r.resultLatencyMaxSeconds, 1)} s | ${r.jobsCreatedOnce ? 'yes' : 'NO'} |`),
    '',
    `Resources and template bytes per job (as \`cdk synth\` writes the template: path metadata and AWS::CDK::Metadata), from stacks of 1 and 101 jobs; the largest fleet per stack under CloudFormation's ${MAX_STACK_RESOURCES} resources and ${MAX_TEMPLATE_BYTES.toLocaleString('en-US')} bytes of template, synthesized (it fits, one job more does not):`,
    '',
    '| path | execution role | resources per job | template per job | shared per stack | largest fleet per stack | its template, resources | limit one job more breaks |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...resources.map((r) => `| ${r.path} | ${r.role === 'default' ? 'default (one per job)' : 'one shared role'} | ${fmt(r.perJob, 2)} | ${kb(r.bytesPerJob)} | ${fmt(r.shared)} | ${r.largestFleet} | ${kb(r.largestFleetBytes)}, ${r.largestFleetResources} | ${r.binds === 'resources' ? `${MAX_STACK_RESOURCES} resources` : '1 MB of template'} |`),
    '',
  ];
}

/** Builds the handler bundle of an earlier commit with the same esbuild flags; undefined when it cannot. */
function buildPreviousBundle(commit: string): string | undefined {
  const root = path.join(__dirname, '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neo-previous-'));
  try {
    execSync(`git -C ${root} archive ${commit} lambda src/private | tar -x -C ${dir}`, { stdio: 'ignore' });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    const esbuild = path.join(root, 'node_modules', '.bin', 'esbuild');
    execSync(`${esbuild} lambda/compilation-job/index.ts --bundle --minify --platform=node --target=node22 --legal-comments=none --main-fields=module,main ` +
      '--external:@aws-sdk/client-s3 --external:@aws-sdk/client-cloudformation ' +
      '--alias:@aws-sdk/credential-provider-node=./lambda/shims/credentials-from-env.ts --outfile=assets/index.js', { cwd: dir, stdio: 'ignore' });
    return path.join(dir, 'assets', 'index.js');
  } catch {
    return undefined;
  }
}

/** The last commit before issue #11 changed the handler. */
const PREVIOUS_RELEASE = '1d306d4';

function failureSection(row: FailureSimRow | undefined): string[] {
  const head = ['## 6. Time to a readable failure', ''];
  if (!row) return [...head, 'Skipped: moto_server (CloudWatch Logs) is not on PATH.', ''];
  return [
    ...head,
    `The one test driver with the scripted SageMaker (virtual clock) and moto_server as CloudWatch Logs (\`test/bench/failure-sim.ts\`): ${row.jobs} jobs, each failing (a client error) at another point of a 5 s poll interval, each with its log stream written first. Latency: from the moment SageMaker marks the job FAILED to the moment CloudFormation has the reason with the log tail (the poll that sees it reads the log; calls take no virtual time). The log read: the handler's \`readLogTail\` against moto, wall-clock.`,
    '',
    '| jobs | FAILED to reason at CloudFormation, median / max | log read, median / max | every reason quotes the log\'s error, under 4,096 bytes | largest response |',
    '|---:|---:|---:|---|---:|',
    `| ${row.jobs} | ${fmt(row.latencyMedianSeconds, 2)} s / ${fmt(row.latencyMaxSeconds, 2)} s | ${row.logReadMedianMs} ms / ${row.logReadMaxMs} ms | ${row.allReadable ? 'yes' : 'NO'} | ${row.largestResponseBytes} bytes |`,
    '',
    '- Bound: at most one poll (5 s) plus the log read. A healthy job makes no call for its log: the read happens only in the poll that sees FAILED (section 3 counts every call).',
    '',
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  const synth = measureSynthScaling([1, 10, 100], SYNTH_RUNS);
  const lines = [
    '# Benchmarks',
    '',
    `Measured with \`npx projen bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}. Numbers are as measured on that machine; rerun to compare.`,
    '',
    ...synthSection(synth),
    ...handlerSection(),
    ...deploySection(measureDeploymentOverhead(buildPreviousBundle(PREVIOUS_RELEASE))),
    ...longRunSection([
      await simulateLongRunFleet({ jobs: 10, quota: 10, minutes: 15 }),
      await simulateLongRunFleet({ jobs: 100, quota: 10, minutes: 15 }),
      await simulateLongRunFleet({ jobs: 100, quota: 10, minutes: 15, throttleRate: 0 }),
      await simulateLongRunFleet({ jobs: 3, quota: 10, minutes: 180 }),
    ], [
      await deployLongFleetStack(10, 10, 15),
      await deployLongFleetStack(100, 10, 15),
    ], measureResourcesPerJob()),
    ...compileOnceSection(measureCompileOnceSync()),
    ...failureSection(await simulateFailures(20)),
    `_Took ${fmt((Date.now() - started) / 1000)} s._`,
    '',
  ];
  fs.writeFileSync(OUTPUT, lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\nwritten to ${OUTPUT}\n`);
}

void main();
