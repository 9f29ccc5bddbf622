import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BwrapSandbox, type BwrapSandboxOptions } from './bwrap.js';
import { SandboxError } from './errors.js';
import { within } from './exec.js';
import { PROCESS_REASON, ProcessSandbox } from './process.js';
import type { Sandbox } from './types.js';

export type SandboxMode = 'auto' | 'bwrap' | 'process';

export interface DetectSandboxOptions extends BwrapSandboxOptions {
  /** `auto` (default; also for undefined or ''), or a forced choice such as the value of `KUMO_SANDBOX`. */
  mode?: string;
}

const CAPABILITIES: Array<[string, number]> = [
  ['CAP_KILL', 5],
  ['CAP_SETGID', 6],
  ['CAP_SETUID', 7],
  ['CAP_NET_ADMIN', 12],
  ['CAP_SYS_ADMIN', 21],
];

async function missingCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const effective = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  return CAPABILITIES.filter(([, bit]) => (effective & (1n << BigInt(bit))) === 0n).map(([name]) => name);
}

/** Starts `/bin/true` in a real bwrap instance (cgroup, netns, uid switch); throws with what went wrong. */
async function trialRun(sandbox: BwrapSandbox): Promise<void> {
  const codeDir = await mkdtemp(join(tmpdir(), 'kumo-probe-'));
  try {
    await chmod(codeDir, 0o755);
    const handle = await sandbox.start({
      instanceId: `probe-${randomBytes(4).toString('hex')}`,
      codeDir,
      command: ['/bin/true'],
      env: {},
      port: 9000,
      memoryMb: 64,
      pidsLimit: 16,
      tmpSizeMb: 1,
    });
    const stderr: Buffer[] = [];
    handle.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    handle.stdout.resume();
    const done = await within(handle.exited, 10_000);
    const exit = await (done ? handle.exited : undefined);
    await handle.stop();
    if (exit?.code !== 0) {
      const status = exit ? `exit code ${exit.code}, signal ${exit.signal}` : 'no exit within 10 s';
      throw new SandboxError(
        `trial run of /bin/true failed (${status}): ${Buffer.concat(stderr).toString().trim()}`,
      );
    }
  } finally {
    await rm(codeDir, { recursive: true, force: true });
  }
}

/** Returns a working `BwrapSandbox`, or the reason why bwrap cannot be used here. */
export async function probeBwrap(options: BwrapSandboxOptions = {}): Promise<BwrapSandbox | string> {
  if (process.platform !== 'linux') return `bwrap needs Linux (this is ${process.platform})`;
  const missing = await missingCapabilities();
  if (missing.length > 0) return `not root and missing capabilities ${missing.join(', ')}`;
  const sandbox = new BwrapSandbox(options);
  try {
    await sandbox.prepare();
    await trialRun(sandbox);
    return sandbox;
  } catch (error) {
    await sandbox.close().catch(() => {});
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Chooses the sandbox: `bwrap` when it works here (verified with a real trial instance), else `process` with a
 * reason naming what was missing. A forced `bwrap` that cannot work is an error.
 */
export async function detectSandbox(options: DetectSandboxOptions = {}): Promise<Sandbox> {
  const mode = options.mode === undefined || options.mode === '' ? 'auto' : options.mode;
  if (mode !== 'auto' && mode !== 'bwrap' && mode !== 'process') {
    throw new SandboxError(`unknown sandbox mode '${mode}': use auto, bwrap or process`);
  }
  if (mode === 'process') return new ProcessSandbox({ reason: `${PROCESS_REASON}; chosen by configuration` });
  const result = await probeBwrap(options);
  if (typeof result !== 'string') return result;
  if (mode === 'bwrap')
    throw new SandboxError(`sandbox 'bwrap' was requested but cannot work here: ${result}`);
  return new ProcessSandbox({ reason: `${PROCESS_REASON}; bwrap not usable: ${result}` });
}

/** One line for `kumo doctor` and the `kumo serve` banner. */
export function describeSandboxChoice(sandbox: Sandbox): string {
  const warning = sandbox.kind === 'process' ? ' (WARNING: instances are not isolated)' : '';
  return `sandbox: ${sandbox.kind}${warning} — ${sandbox.reason}`;
}
