import type { ChildProcess, ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants } from 'node:os';
import type { ExitInfo, InstanceHandle, SandboxSpec } from './types.js';

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
  exec?(command: readonly string[], options?: { tty?: boolean }): ChildProcessWithoutNullStreams;
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
    ...(parts.exec && { exec: parts.exec }),
  };
}
