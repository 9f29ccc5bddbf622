import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { SandboxCommandError } from './errors.js';

/** The system directories Kumo looks for its tools in, in order; also PATH for the helper commands it runs. */
const SEARCH_PATH: readonly string[] = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];
/** `SEARCH_PATH` as a PATH value. */
export const SYSTEM_PATH = SEARCH_PATH.join(':');

/** Absolute path of an executable in `SEARCH_PATH`, or undefined. */
export function findBinary(name: string): string | undefined {
  for (const dir of SEARCH_PATH) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {}
  }
  return undefined;
}

export interface RunOptions {
  /** Written to the command's stdin (e.g. an `ip -batch -` script). */
  input?: string;
  /** Killed after this long; default 10 s. */
  timeoutMs?: number;
  /** Open file descriptors the command inherits as fd 3, 4 … */
  fds?: readonly number[];
}

/**
 * Runs a short helper command (`ip`, `sysctl`, `iptables` …) with an empty environment apart from PATH and
 * resolves with its stdout. Rejects with a `SandboxCommandError` carrying stderr when it fails.
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const argv = [file, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe', ...(options.fds ?? [])],
      env: { PATH: SYSTEM_PATH, LC_ALL: 'C' },
      timeout: options.timeoutMs ?? 10_000,
      killSignal: 'SIGKILL',
    }) as ChildProcessWithoutNullStreams; // fds 0-2 are pipes; the extra fds only change the static type
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new SandboxCommandError(argv, null, error.message)));
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new SandboxCommandError(argv, code, stderr || (signal ? `killed by ${signal}` : '')));
    });
    child.stdin.on('error', () => {}); // the command may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Like `run`, but resolves false instead of rejecting. */
export async function tryRun(file: string, args: readonly string[], options?: RunOptions): Promise<boolean> {
  try {
    await run(file, args, options);
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most `ms`; true when it settled in time. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

/** True when a process with this pid exists and is not a zombie (EPERM counts as existing). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.[0] !== 'Z';
  } catch {
    return false;
  }
}
