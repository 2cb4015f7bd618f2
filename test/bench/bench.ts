/**
 * `npx projen bench`: measures synth scaling, handler start and deployment overhead, and writes
 * docs/benchmarks.md (tables, command, machine, date). Numbers are as measured on this machine.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeploySimRow, measureDeploymentOverhead } from './deploy-sim';
import { measureHandlerStart } from './handler-start';
import { measureSynthScaling, SynthResult } from './synth-scaling';

const OUTPUT = path.join(__dirname, '..', '..', 'docs', 'benchmarks.md');
const SYNTH_RUNS = 5;
const IMPORT_RUNS = 11;

const fmt = (n: number, digits = 0) => n.toFixed(digits);
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
    `- Each added job costs **${fmt(perJobResources, 1)} resources** (custom resource, execution role, its policy) and **${kb(perJobBytes)}** of template (from 10 to 100 jobs).`,
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
  return [
    '## 3. Deployment overhead (simulation)',
    '',
    'A virtual clock drives the real onEvent and isComplete the way the Provider framework does (poll every 5 s, total timeout 3590 s) against a fake SageMaker (`test/fault/fake-sagemaker.ts`): jobs go STARTING, INPROGRESS, COMPLETED with set durations, a concurrency quota (ResourceLimitExceeded above it) and injected throttling.',
    '',
    '| jobs | quota | job duration | detection latency median / max | Describe calls per job-minute | makespan / ideal | Create attempts | throttled calls | failures |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.jobs} | ${r.quota} | ${fmt(r.jobDurationSeconds, 1)} s | ${fmt(r.detectionLatencyMedianSeconds, 1)} s / ${fmt(r.detectionLatencyMaxSeconds, 1)} s | ${fmt(r.describeCallsPerJobMinute, 1)} | ${fmt(r.makespanSeconds, 1)} s / ${fmt(r.idealMakespanSeconds, 1)} s (${fmt(r.makespanSeconds / r.idealMakespanSeconds, 3)}) | ${r.createAttempts} | ${r.throttledCalls} | ${r.failures} |`),
    '',
    `- Throttling: ${fmt(rows[0].throttleRate * 100)} % of all calls, seeded. Job duration: 30 s STARTING plus 242.5 s compiling (the half second puts completions between two polls, the average case).`,
    '- Detection latency is bounded by the 5 s poll: the median is half a poll. Makespan against the ideal ceil(N / quota) x job duration: within a poll or two per wave of the quota.',
    '- Describe calls per job-minute: every Describe of a job\'s name, including the polls while it still waits for the quota, over its lifetime from creation to completion; a running job is described 12 times a minute. Resources that wait for the quota poll too: each poll is a Describe, a DescribeStackResource (is CloudFormation still waiting?), a HeadObject (is the model copy there?) and a CreateCompilationJob answered ResourceLimitExceeded, hence the Create attempts at N = 50.',
    '',
  ];
}

function main(): void {
  const started = Date.now();
  const synth = measureSynthScaling([1, 10, 100], SYNTH_RUNS);
  const lines = [
    '# Benchmarks',
    '',
    `Measured with \`npx projen bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}. Numbers are as measured on that machine; rerun to compare.`,
    '',
    ...synthSection(synth),
    ...handlerSection(),
    ...deploySection(measureDeploymentOverhead()),
    `_Took ${fmt((Date.now() - started) / 1000)} s._`,
    '',
  ];
  fs.writeFileSync(OUTPUT, lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\nwritten to ${OUTPUT}\n`);
}

main();
