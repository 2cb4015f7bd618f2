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

function synthOnce(jobs: number, ...options: string[]): { ms: number; bytes: number; resources: number } {
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
  /** The most jobs one stack holds under CloudFormation's 500 resources. */
  readonly largestFleet: number;
}

/** CloudFormation's resources per stack. */
export const MAX_STACK_RESOURCES = 500;

export function measureResourcesPerJob(): ResourcesPerJob[] {
  const rows: ResourcesPerJob[] = [];
  for (const jobPath of ['one-hour', 'long'] as const) {
    for (const role of ['default', 'shared'] as const) {
      const options = [jobPath === 'long' ? 'long' : 'short', role];
      const one = synthOnce(1, ...options).resources;
      const many = synthOnce(101, ...options).resources;
      const perJob = (many - one) / 100;
      const shared = one - perJob;
      rows.push({ path: jobPath, role, perJob, shared, largestFleet: Math.floor((MAX_STACK_RESOURCES - shared) / perJob) });
    }
  }
  return rows;
}
