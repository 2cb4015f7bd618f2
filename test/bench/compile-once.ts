/**
 * Compile once, measured: a fleet of 10 jobs (one model, ten cloud targets) deployed by stage A,
 * then by stage B (another stack: other names, roles, output bucket) sharing one cache. On the one
 * test driver (aws-cdk-lib's Provider runtime around the shipped handler bundle, CloudFormation
 * modelled), with the scripted SageMaker on a virtual clock (30 s STARTING + 242.5 s compiling,
 * quota 10, no throttling) and moto_server as S3 (the cache, the model, the output buckets), behind
 * a proxy that counts the handler's S3 calls. Reports per stage: the deployment's virtual time (the
 * stack's Creates from t0 to the last answer), the jobs created, and every AWS call the handler made.
 */
import { execFileSync } from 'child_process';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CreateCompilationJobCommandInput } from '@aws-sdk/client-sagemaker';
import type { CreateEvent } from '../../lambda/compilation-job/cloudformation';
import { createRequestOf } from '../../lambda/compilation-job/spec';
import type { CompilationJobAttributes, CompilationJobSpec } from '../../src/private/contract';
import { findExecutable } from '../ci-tools';
import { Driver } from '../driver/driver';
import { ACCOUNT, artifactOf, FakeSageMaker, REGION } from '../fault/fake-sagemaker';
import { createEvent, nameOf, specOf } from '../handler/fixtures';
import { motoEndpoint, startMotoServer } from '../wire/moto';

const TARGETS = ['ml_c4', 'ml_c5', 'ml_c6g', 'ml_m4', 'ml_m5', 'ml_m6g', 'ml_p2', 'ml_p3', 'ml_g4dn', 'ml_inf1'];
const MODELS = 'bench-models';
const CACHE = 'bench-neo-cache';

export interface CompileOnceRow {
  readonly stage: string;
  readonly jobs: number;
  readonly jobsCreated: number;
  readonly cacheHits: number;
  /** Virtual seconds from the stack's Creates to the last answer. */
  readonly deploySeconds: number;
  readonly calls: Record<string, number>;
  readonly totalCalls: number;
  readonly wallMs: number;
}

function spec(stage: string, target: string): CompilationJobSpec {
  return specOf({
    jobNamePrefix: `${stage}-1a2b3c4d-${target.replace('_', '')}`,
    constructAddress: `c8${stage.toLowerCase()}${target.replace('_', '')}`.padEnd(42, '0'),
    request: {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${stage}-Role`,
      InputConfig: { S3Uri: `s3://${MODELS}/resnet18.tar.gz`, Framework: 'ONNX', DataInputConfig: '{"input0":[1,3,224,224]}' },
      OutputConfig: { S3OutputLocation: `s3://${stage.toLowerCase()}-out/compiled/`, TargetDevice: target },
    },
    timeoutSeconds: 3540,
    cache: { bucket: CACHE, prefix: 'neo-cache/', model: { object: `s3://${MODELS}/resnet18.tar.gz` } },
  });
}

function event(stage: string, target: string): CreateEvent {
  return { ...createEvent(spec(stage, target), { requestId: `req-${stage}-${target}` }), LogicalResourceId: `Job${target.replace('_', '')}1A2B3C4D` };
}

/** A proxy to moto that counts S3 calls by operation. */
async function countingProxy(target: string): Promise<{ url: string; counts: Record<string, number>; close(): Promise<void> }> {
  const counts: Record<string, number> = {};
  const upstream = new URL(target);
  const server = http.createServer((request, response) => {
    const put = request.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    const operation = ({ HEAD: 'HeadObject', GET: 'GetObject', PUT: put } as Record<string, string>)[request.method ?? ''] ?? String(request.method);
    counts[`s3.${operation}`] = (counts[`s3.${operation}`] ?? 0) + 1;
    const options = { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers };
    const forward = http.request(options, (answer) => {
      response.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(response);
    });
    request.pipe(forward);
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export async function measureCompileOnce(): Promise<CompileOnceRow[]> {
  let moto = motoEndpoint();
  const server = moto ? undefined : await startMotoServer(findExecutable('moto_server')!);
  moto ??= server!.endpoint;
  const proxy = await countingProxy(moto);
  const s3 = new S3Client({ endpoint: moto, region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const fake = new FakeSageMaker({ concurrencyQuota: 10, throttleRate: 0, script: { startingSeconds: 30, compileSeconds: 242.5 } });
  const driver = await Driver.start({ fake, environment: { AWS_ENDPOINT_URL_S3: proxy.url } });
  try {
    for (const bucket of [MODELS, CACHE, 'stagea-out', 'stageb-out']) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: MODELS, Key: 'resnet18.tar.gz', Body: 'trained model' }));
    // What SageMaker writes for stage A's jobs (the scripted SageMaker names the artifact; moto holds it).
    for (const target of TARGETS) {
      const s = spec('StageA', target);
      const uri = artifactOf(createRequestOf(s, nameOf(s, `req-StageA-${target}`)) as CreateCompilationJobCommandInput);
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `compiled for ${target}: ${'x'.repeat(1024)}` }));
    }
    const rows: CompileOnceRow[] = [];
    const digests: string[][] = [];
    for (const stage of ['StageA', 'StageB']) {
      const started = Date.now();
      const t0 = driver.clock.seconds;
      const sagemakerBefore = fake.calls.length;
      const cloudformationBefore = driver.cloudformation.calls.length;
      const jobsBefore = fake.allJobs().length;
      for (const key of Object.keys(proxy.counts)) delete proxy.counts[key];
      const result = await driver.createStack(TARGETS.map((target) => event(stage, target)));
      if (result.outcomes.some((o) => o.status !== 'SUCCESS')) throw new Error(`${stage}: ${result.outcomes.map((o) => o.reason).join('; ')}`);
      digests.push(result.outcomes.map((o) => `${(o.data as CompilationJobAttributes).ArtifactDigest} ${(o.data as CompilationJobAttributes).CompilationJobArn}`));
      const calls: Record<string, number> = { ...proxy.counts };
      for (const call of fake.calls.slice(sagemakerBefore)) calls[`${call.service}.${call.operation}`] = (calls[`${call.service}.${call.operation}`] ?? 0) + 1;
      for (const call of driver.cloudformation.calls.slice(cloudformationBefore)) calls[`cloudformation.${call.operation}`] = (calls[`cloudformation.${call.operation}`] ?? 0) + 1;
      rows.push({
        stage,
        jobs: TARGETS.length,
        jobsCreated: fake.allJobs().length - jobsBefore,
        cacheHits: result.outcomes.filter((o) => (o.data as CompilationJobAttributes | undefined)?.CacheHit === 'true').length,
        deploySeconds: Math.max(...result.outcomes.map((o) => o.finishedAt)) - t0,
        calls: Object.fromEntries(Object.entries(calls).sort()),
        totalCalls: Object.values(calls).reduce((a, b) => a + b, 0),
        wallMs: Date.now() - started,
      });
    }
    if (digests[0].join() !== digests[1].join()) throw new Error('stage B did not report stage A\'s digests and job ARNs');
    return rows;
  } finally {
    await driver.close();
    await proxy.close();
    s3.destroy();
    await server?.stop();
  }
}

/** The section of docs/benchmarks.md. */
export function compileOnceSection(rows: CompileOnceRow[]): string[] {
  const apis = [...new Set(rows.flatMap((r) => Object.keys(r.calls)))].sort();
  const [a, b] = rows;
  return [
    '## 5. Compile once: a second stage of an unchanged model',
    '',
    'A fleet of 10 jobs (one model, ten cloud targets) deployed by stage A, then by stage B (another stack: other names, roles, output bucket), both with one `CompilationCache`. The one test driver (aws-cdk-lib\'s Provider runtime around the handler bundle, CloudFormation modelled) with the scripted SageMaker on a virtual clock (30 s STARTING + 242.5 s compiling, quota 10, no throttling) and moto_server as S3, behind a proxy that counts the handler\'s S3 calls (`test/bench/compile-once.ts`). Deployment time is virtual: from the stack\'s Creates to the last answer to CloudFormation.',
    '',
    `| stage | jobs | jobs created | cache hits | deployment | AWS calls | ${apis.join(' | ')} |`,
    `|---|---:|---:|---:|---:|---:|${apis.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.stage} | ${r.jobs} | ${r.jobsCreated} | ${r.cacheHits} | ${r.deploySeconds.toFixed(1)} s | ${r.totalCalls} | ${apis.map((api) => r.calls[api] ?? 0).join(' | ')} |`),
    '',
    `- Stage B: **${b.jobsCreated} jobs**, done at the first poll (**${b.deploySeconds.toFixed(1)} s** of virtual time against ${a.deploySeconds.toFixed(1)} s for stage A, which compiled: the calls themselves take no virtual time; the simulation of stage B took ${b.wallMs} ms of wall time against ${a.wallMs} ms), **${b.totalCalls} AWS calls** against ${a.totalCalls}: per job ${(b.totalCalls / b.jobs).toFixed(0)} (ListCompilationJobs for adoption, HeadObject of the model, GetObject of the record, HeadObject of the cached artifact, CopyObject into the stage) and no compilation job, where stage A polled each job ${(a.calls['sagemaker.DescribeCompilationJob'] / a.jobs).toFixed(0)} times.`,
    `- Publishing costs stage A per job: a second HeadObject of the model (did it change while compiling?), GetObject of the record, CopyObject and HeadObject of the artifact, the conditional PutObject of the record: ${(['s3.CopyObject', 's3.GetObject', 's3.HeadObject', 's3.PutObject'].reduce((n, api) => n + (a.calls[api] ?? 0), 0) / a.jobs).toFixed(0)} S3 calls per job with the lookup.`,
    '- Stage B ships stage A\'s bytes: same digest, image and job ARN in its attributes.',
    '',
  ];
}

/** The rows, synchronously: the measurement runs in a ts-node process of its own (this file). */
export function measureCompileOnceSync(): CompileOnceRow[] {
  const root = path.join(__dirname, '..', '..');
  const tsNode = path.join(root, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const out = execFileSync(process.execPath, [tsNode, '--transpile-only', '--project', 'tsconfig.dev.json', path.relative(root, __filename)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.toString()) as CompileOnceRow[];
}

// Entry point: print the rows as JSON (bench.ts reads them), or with --markdown the section.
if (require.main === module) {
  measureCompileOnce().then(
    (rows) => process.stdout.write(process.argv.includes('--markdown') ? `${compileOnceSection(rows).join('\n')}\n` : `${JSON.stringify(rows)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
