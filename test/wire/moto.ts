/**
 * moto_server, the AWS emulator of the machine's Python, as a child process of jest's global
 * setup: started on a free loopback port, handed to the test files through MOTO_ENDPOINT,
 * stopped (its whole process group) in global teardown.
 *
 * No process outlives the jest run: moto_server runs under a small `sh` watchdog that shares its
 * process group and kills the group as soon as its stdin (a pipe from jest) reaches EOF, which
 * happens when jest exits for any reason, even SIGKILL. Teardown and an exit hook kill the group
 * directly as well.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The variable that hands the endpoint to the test files; set it yourself to use a moto you run. */
export const MOTO_ENDPOINT_ENV = 'MOTO_ENDPOINT';

/** Loopback only: the emulator accepts any credentials and must not be reachable from outside. */
export const MOTO_HOST = '127.0.0.1';

/** The longest global setup waits for moto_server to answer. */
export const START_TIMEOUT_MS = 20_000;
/** The longest teardown waits for the process group to end after SIGTERM (then SIGKILL). */
export const STOP_TIMEOUT_MS = 5_000;

/** The endpoint of the running moto_server, or undefined when the wire tests are skipped. */
export function motoEndpoint(): string | undefined {
  return process.env[MOTO_ENDPOINT_ENV] || undefined;
}

/** moto_server is on PATH but cannot run (a pyenv shim without the package answers 127). */
export class MotoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoUnavailableError';
  }
}

export interface MotoServer {
  readonly endpoint: string;
  /** Process group id (= pid of the watchdog shell, the group leader). */
  readonly pgid: number;
  readonly logFile: string;
  /** Kills the process group and waits until it is gone. Idempotent. */
  stop(): Promise<void>;
}

/** A port the kernel just had free on the loopback interface. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, MOTO_HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The watchdog: runs moto_server ($0, with any further arguments after the port) on port $1 in the
 * background, kills the process group when stdin reaches EOF, and exits with moto_server's status
 * when moto_server ends by itself.
 * (A background job's stdin is /dev/null in a non-interactive shell, hence the copy on fd 3.)
 */
const WATCHDOG = [
  'exec 3<&0',
  'port=$1',
  'shift',
  `"$0" "$@" -H ${MOTO_HOST} -p "$port" </dev/null 3<&- &`,
  'moto=$!',
  '{ cat <&3 >/dev/null; kill -TERM 0; } &',
  'wait "$moto"',
  'status=$?',
  'trap "" TERM',
  'kill -TERM 0 2>/dev/null',
  'exit "$status"',
].join('\n');

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether a process of the group still runs. Zombies do not count: orphans of the group are
 * reaped by PID 1, which in a container may take a second or two, yet they are already dead.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!fs.existsSync('/proc/self/stat')) return true; // no procfs: members (zombie or not) exist
  return fs.readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // after "pid (comm) ": state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z';
    } catch {
      return false; // gone meanwhile
    }
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Kills a process group: SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopProcessGroup(pgid: number, graceMs = STOP_TIMEOUT_MS): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (!groupAlive(pgid)) return;
  killGroup(pgid, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (groupAlive(pgid) && Date.now() < killDeadline) await sleep(50);
  if (groupAlive(pgid)) throw new Error(`moto_server process group ${pgid} survived SIGKILL`);
}

/** One GET; true on HTTP 200. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function tail(file: string, chars = 2_000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > chars ? `…${text.slice(-chars)}` : text;
  } catch {
    return '(no output)';
  }
}

interface Attempt {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logFile: string;
}

/** How to run the server: a command other than moto_server itself, and its environment. */
export interface MotoServerOptions {
  /** Arguments before `-H <host> -p <port>` (e.g. the script, when the executable is python). @default none */
  readonly args?: readonly string[];
  /** Variables added to jest's environment. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** The longest to wait for the server to answer. @default START_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

function launch(executable: string, port: number, logDir: string, options: MotoServerOptions): Attempt {
  const logFile = path.join(logDir, `moto_server-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  try {
    const child = spawn('/bin/sh', ['-c', WATCHDOG, executable, String(port), ...options.args ?? []], {
      detached: true, // own process group, so teardown can kill moto_server and the watchdog at once
      stdio: ['pipe', log, log],
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
    });
    // jest must not wait for these handles; the watchdog ends moto when jest ends.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => undefined);
    return { child, port, logFile };
  } finally {
    fs.closeSync(log);
  }
}

/** Resolves when the server answers; rejects when it exits first or the deadline passes. */
async function waitUntilReady(attempt: Attempt, deadline: number, timeoutMs: number): Promise<void> {
  const url = `http://${MOTO_HOST}:${attempt.port}/moto-api/`;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  attempt.child.once('exit', (code, signal) => { exit = { code, signal }; });
  let spawnError: Error | undefined;
  attempt.child.once('error', (error) => { spawnError = error; });
  while (Date.now() < deadline) {
    if (spawnError) throw spawnError;
    if (exit) {
      const output = tail(attempt.logFile);
      if (exit.code === 127) throw new MotoUnavailableError(`moto_server cannot run (exit 127): ${output.trim()}`);
      throw Object.assign(new Error(`moto_server exited (code ${exit.code}, signal ${exit.signal}) before it answered on port ${attempt.port}:\n${output}`), { portInUse: /address already in use/i.test(output) });
    }
    if (await answers(url)) return;
    await sleep(100);
  }
  throw new Error(`moto_server did not answer ${url} within ${timeoutMs / 1000} s:\n${tail(attempt.logFile)}`);
}

/**
 * Starts moto_server on a free loopback port and waits until it answers HTTP (at most
 * `options.timeoutMs` in all). Another process may take the port between the probe and moto's bind:
 * then it tries again on a new port, three times at most.
 */
export async function startMotoServer(executable: string, options: MotoServerOptions = {}): Promise<MotoServer> {
  const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-server-'));
  const deadline = Date.now() + timeoutMs;
  for (let attemptNo = 1; ; attemptNo++) {
    const attempt = launch(executable, await freeLoopbackPort(), logDir, options);
    const pgid = attempt.child.pid;
    if (pgid === undefined) {
      fs.rmSync(logDir, { recursive: true, force: true });
      throw new Error(`could not spawn /bin/sh to run ${executable}`);
    }
    const onExit = () => killGroup(pgid, 'SIGKILL'); // jest exits without teardown: no orphan
    process.once('exit', onExit);
    try {
      await waitUntilReady(attempt, deadline, timeoutMs);
    } catch (error) {
      process.removeListener('exit', onExit);
      await stopProcessGroup(pgid, 1_000);
      if ((error as { portInUse?: boolean }).portInUse && attemptNo < 3) continue;
      fs.rmSync(logDir, { recursive: true, force: true });
      throw error;
    }
    let stopped = false;
    return {
      endpoint: `http://${MOTO_HOST}:${attempt.port}`,
      pgid,
      logFile: attempt.logFile,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        attempt.child.stdin?.end();
        await stopProcessGroup(pgid);
        process.removeListener('exit', onExit);
        fs.rmSync(logDir, { recursive: true, force: true });
      },
    };
  }
}
