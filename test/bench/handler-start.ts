/**
 * Handler start: the bundle's size, and its cold import time against the full
 * @aws-sdk/client-sagemaker, each in fresh Node processes (medians, same run).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { median } from './stats';

const ROOT = path.join(__dirname, '..', '..');
export const BUNDLE = path.join(ROOT, 'assets', 'compilation-job', 'index.js');

export interface HandlerStartResult {
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
  readonly runs: number;
  readonly bundleImportMs: number;
  readonly clientImportMs: number;
}

/** Milliseconds to `require(target)` in a fresh process (node start-up excluded). */
function coldImportMs(target: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(target)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  // The SDK warns about Node 20 on stderr; only stdout is read.
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
}

export function measureHandlerStart(runs: number): HandlerStartResult {
  const bundle = fs.readFileSync(BUNDLE);
  const bundleTimes: number[] = [];
  const clientTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // interleaved, so that both see the same machine load
    bundleTimes.push(coldImportMs(BUNDLE));
    clientTimes.push(coldImportMs('@aws-sdk/client-sagemaker'));
  }
  return {
    bundleBytes: bundle.length,
    bundleGzipBytes: zlib.gzipSync(bundle).length,
    runs,
    bundleImportMs: median(bundleTimes),
    clientImportMs: median(clientTimes),
  };
}
