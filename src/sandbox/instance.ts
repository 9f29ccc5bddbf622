import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { SandboxError } from './errors.js';
import type { ExitInfo, InstanceHandle, SandboxSpec } from './types.js';

const ID = /^[a-z0-9-]{1,32}$/;
const ENV_KEY = /^[^=\0]+$/;

/** Rejects specs the sandboxes cannot run safely (bad ids, ports, limits, env names). */
export function validateSpec(spec: SandboxSpec): void {
  const fail = (what: string) => {
    throw new SandboxError(`invalid sandbox spec for '${spec.instanceId}': ${what}`);
  };
  if (!ID.test(spec.instanceId)) fail('instanceId must match [a-z0-9-]{1,32}');
  if (spec.command.length === 0 || !spec.command[0]) fail('command is empty');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535)
    fail(`port ${spec.port} is not 1-65535`);
  for (const key of ['memoryMb', 'pidsLimit', 'tmpSizeMb'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] <= 0) fail(`${key} must be a positive integer`);
  }
  for (const [key, value] of Object.entries(spec.env)) {
    if (!ENV_KEY.test(key) || value.includes('\0'))
      fail(`environment variable '${key}' has an invalid name or value`);
  }
  for (const mount of spec.readOnlyMounts ?? []) {
    if (!mount.sandboxPath.startsWith('/') || mount.sandboxPath === '/')
      fail(`bad mount path '${mount.sandboxPath}'`);
  }
  if ([...spec.command, spec.codeDir].some((arg) => arg.includes('\0')))
    fail('command or codeDir contains NUL');
}

/** Pairs of [path as the instance sees it, host path]: `/code` plus the extra read-only mounts. */
export function pathMap(spec: SandboxSpec): Array<[string, string]> {
  return [
    ['/code', spec.codeDir],
    ...(spec.readOnlyMounts ?? []).map((m): [string, string] => [m.sandboxPath, m.hostPath]),
  ];
}

/** Rewrites argv elements under a sandbox path (e.g. `/code/bootstrap`) to the host path. */
export function rewriteArgv(argv: readonly string[], map: ReadonlyArray<[string, string]>): string[] {
  return argv.map((arg) => {
    for (const [inside, host] of map) {
      const prefix = inside.replace(/\/+$/, '');
      if (arg === prefix) return host;
      if (arg.startsWith(`${prefix}/`)) return host.replace(/\/+$/, '') + arg.slice(prefix.length);
    }
    return arg;
  });
}

/** The port variables every instance gets. */
export const portEnv = (port: number): Record<string, string> => ({
  FC_SERVER_PORT: String(port),
  FC_CUSTOM_LISTEN_PORT: String(port),
});

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/**
 * Resolves once with the child's exit. `shellStatus`: the exit code follows the shell convention (bwrap reports a
 * child killed by signal N as 128+N), so such codes are reported as that signal.
 */
export function exitOf(
  child: ChildProcess,
  oomKilled: () => boolean,
  shellStatus: boolean,
  onExit?: () => void,
): Promise<ExitInfo> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const killedBy = shellStatus && code !== null && code > 128 ? signalNames.get(code - 128) : undefined;
      let oom = false;
      try {
        oom = oomKilled();
      } catch {}
      onExit?.();
      resolve(killedBy ? { code: null, signal: killedBy, oomKilled: oom } : { code, signal, oomKilled: oom });
    });
  });
}

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

/**
 * The handle of an instance living in its own cgroup and network namespace (bwrap and runc alike): peak memory
 * comes from the cgroup, and `stop()` runs `release` once, then `forget`s the instance.
 */
export function cgroupHandle(parts: {
  spec: SandboxSpec;
  host: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  cgroup: { peakBytes(): number; resetPeak(): void };
  release(): Promise<void>;
  forget(): void;
}): InstanceHandle {
  let stopping: Promise<void> | undefined;
  return {
    instanceId: parts.spec.instanceId,
    host: parts.host,
    port: parts.spec.port,
    pid: parts.pid,
    stdout: parts.child.stdout as NonNullable<ChildProcess['stdout']>,
    stderr: parts.child.stderr as NonNullable<ChildProcess['stderr']>,
    exited: parts.exited,
    peakMemoryBytes: () => parts.cgroup.peakBytes(),
    resetPeakMemory: () => parts.cgroup.resetPeak(),
    stop: () => {
      stopping ??= parts.release().finally(parts.forget);
      return stopping;
    },
  };
}
