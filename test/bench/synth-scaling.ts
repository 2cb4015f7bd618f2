/**
 * Synth scaling: apps with N compilation jobs in one stack, each synthesized in a fresh process
 * (synth-app.ts), median wall time of the construct-and-synthesize step.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { median } from './stats';

const ROOT = path.join(__dirname, '..', '..');

export interface SynthResult {
  readonly jobs: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly bytes: number;
  readonly resources: number;
}

interface SynthSample {
  readonly ms: number;
  readonly bytes: number;
  readonly resources: number;
  readonly metadataBytes: number;
  /** aws-cdk-lib refused the stack: more than 500 resources (then only `resources` is set). */
  readonly tooManyResources?: boolean;
}

function synthOnce(jobs: number, ...options: string[]): SynthSample {
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const out = execFileSync(process.execPath, [tsNode, '--transpile-only', '--project', 'tsconfig.dev.json', 'test/bench/synth-app.ts', String(jobs), ...options], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.toString());
}

export function measureSynthScaling(jobCounts: number[], runs: number): SynthResult[] {
  return jobCounts.map((jobs) => {
    const samples = Array.from({ length: runs }, () => synthOnce(jobs));
    return { jobs, runs, medianMs: median(samples.map((s) => s.ms)), bytes: samples[0].bytes, resources: samples[0].resources };
  });
}

export interface ResourcesPerJob {
  readonly path: 'one-hour' | 'long';
  readonly role: 'default' | 'shared';
  /** Resources each job adds (from 1 to 101 jobs). */
  readonly perJob: number;
  /** Resources of the stack that do not grow with the jobs. */
  readonly shared: number;
  /** Template bytes each job adds (from 1 to 101 jobs), as the CDK CLI writes the template. */
  readonly bytesPerJob: number;
  /** The most jobs one stack holds under both of CloudFormation's limits, found by synthesis. */
  readonly largestFleet: number;
  /** Template bytes of that fleet. */
  readonly largestFleetBytes: number;
  /** Resources of that fleet. */
  readonly largestFleetResources: number;
  /** The limit one job more would break. */
  readonly binds: 'resources' | 'bytes';
}

/** CloudFormation's resources per stack. */
export const MAX_STACK_RESOURCES = 500;
/** CloudFormation's template body of 1 MB, counted as 1,000,000 bytes. */
export const MAX_TEMPLATE_BYTES = 1_000_000;

/**
 * Per path and role: what a job adds (from stacks of 1 and 101 jobs), and the largest fleet per
 * stack under 500 resources and 1,000,000 bytes of template
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
 * estimated from the per-job costs, then confirmed by synthesizing it and one job more.
 */
export function measureResourcesPerJob(): ResourcesPerJob[] {
  const rows: ResourcesPerJob[] = [];
  for (const jobPath of ['one-hour', 'long'] as const) {
    for (const role of ['default', 'shared'] as const) {
      const options = [jobPath === 'long' ? 'long' : 'short', role];
      const one = synthOnce(1, ...options);
      const many = synthOnce(101, ...options);
      const perJob = (many.resources - one.resources) / 100;
      const bytesPerJob = (many.bytes - one.bytes) / 100;
      const estimate = Math.min(
        Math.floor((MAX_STACK_RESOURCES - (one.resources - perJob)) / perJob),
        Math.floor((MAX_TEMPLATE_BYTES - (one.bytes - bytesPerJob)) / bytesPerJob));
      const largest = largestFleet(estimate, options);
      rows.push({
        path: jobPath,
        role,
        perJob,
        shared: one.resources - perJob,
        bytesPerJob,
        largestFleet: largest.jobs,
        largestFleetBytes: largest.fits.bytes,
        largestFleetResources: largest.fits.resources,
        binds: largest.binds,
      });
    }
  }
  return rows;
}

const fits = (sample: SynthSample) => !sample.tooManyResources && sample.resources <= MAX_STACK_RESOURCES && sample.bytes <= MAX_TEMPLATE_BYTES;

/**
 * The most jobs that fit both limits (it fits, one more does not), by bisection around an
 * estimate: a shared role's policy grows in steps (CDK splits it), so bytes are not quite linear.
 */
function largestFleet(estimate: number, options: string[]): { jobs: number; fits: SynthSample; binds: 'resources' | 'bytes' } {
  const samples = new Map<number, SynthSample>();
  const sample = (jobs: number) => {
    if (!samples.has(jobs)) samples.set(jobs, synthOnce(jobs, ...options));
    return samples.get(jobs)!;
  };
  // Bracket: low fits, high does not.
  let low = estimate;
  let high = estimate + 1;
  let step = 8;
  while (!fits(sample(low))) { high = low; low = Math.max(1, low - step); step *= 2; }
  step = 8;
  while (fits(sample(high))) { low = high; high += step; step *= 2; }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(sample(middle))) low = middle; else high = middle;
  }
  const next = sample(high);
  return { jobs: low, fits: sample(low), binds: next.tooManyResources || next.resources > MAX_STACK_RESOURCES ? 'resources' : 'bytes' };
}
