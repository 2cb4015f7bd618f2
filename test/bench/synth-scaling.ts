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

function synthOnce(jobs: number): { ms: number; bytes: number; resources: number } {
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const out = execFileSync(process.execPath, [tsNode, '--transpile-only', '--project', 'tsconfig.dev.json', 'test/bench/synth-app.ts', String(jobs)], {
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
