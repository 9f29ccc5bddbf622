import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Everything a sandbox needs to start one instance. */
export interface SandboxSpec {
  /** Unique per instance; used for cgroup, netns and log names. `[a-z0-9-]`, at most 32 chars. */
  instanceId: string;
  /** Host directory holding the unpacked code; the instance sees it read-only at `/code`. */
  codeDir: string;
  /** argv to run, e.g. `['/code/bootstrap']`. Paths under `/code` are as the instance sees them. */
  command: string[];
  /** Environment of the instance (FC_* variables, function env). The sandbox adds the port variables. */
  env: Record<string, string>;
  /** Port the instance server should listen on (CAPort, default 9000). */
  port: number;
  /** Memory limit in MB (the function's memorySize). */
  memoryMb: number;
  /** vCPUs (a function's `cpu`); default: scaled from `memoryMb` as FC does (`vcpusFor` in cgroup.ts). */
  cpuCores?: number;
  /** Maximum number of processes/threads in the instance. */
  pidsLimit: number;
  /** Size limit of the private writable /tmp in MB. */
  tmpSizeMb: number;
  /** The service's internetAccess: false leaves the instance without a default route; default true, as FC. */
  internetAccess?: boolean;
  /**
   * Extra host directories the instance sees read-only (e.g. a built-in runtime's agent at `/opt/kumo/agent`).
   * Like `/code`, `command` elements under `sandboxPath` are rewritten to `hostPath` by the process sandbox.
   */
  readOnlyMounts?: ReadonlyArray<{ hostPath: string; sandboxPath: string }>;
  /**
   * FC install paths this instance gets instead of the host's interpreter (`/usr/local/bin/node` → the
   * function's own Node.js major at `/opt/kumo/node/bin/node`): FC path → target as the instance sees it.
   */
  fcPaths?: Readonly<Record<string, string>>;
  /**
   * Run this instance from an OCI image (custom container) instead of the host's root: the unpacked, shared,
   * read-only root filesystem and the image's runtime config. `command` is then the final argv (FC's
   * Command/Args already applied) and `codeDir` may be empty.
   */
  image?: SandboxImage;
}

/** The parts of an OCI image config (`config` object) that decide how a container starts. */
export interface ImageRuntimeConfig {
  entrypoint: string[];
  cmd: string[];
  /** `KEY=value` entries, as in the image. */
  env: string[];
  /** Empty when the image names none (`/` then). */
  workingDir: string;
  /** `uid`, `uid:gid`, `name` or `name:group`; empty for the image default. */
  user: string;
}

export interface SandboxImage {
  /** Host directory of the unpacked root filesystem; shared by instances, never written by them. */
  rootfs: string;
  config: ImageRuntimeConfig;
  /** The image's manifest digest (`sha256:…`), for logs. */
  digest: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the memory limit was hit and the kernel killed a process of the instance. */
  oomKilled: boolean;
}

/** A started instance. Readiness (port accepting) is checked by the caller, not by the sandbox. */
export interface InstanceHandle {
  readonly instanceId: string;
  /** Where Kumo connects to reach the instance's server. */
  readonly host: string;
  readonly port: number;
  /** pid of the outermost process Kumo spawned. */
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once when the instance's process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Peak memory (bytes) since start or the last `resetPeakMemory()`. */
  peakMemoryBytes(): number;
  /** Starts a new peak-measurement window (one per call, so Max Memory Used is per call). */
  resetPeakMemory(): void;
  /** Kills every process of the instance and releases its resources (cgroup, netns). Idempotent. */
  stop(): Promise<void>;
  /**
   * Runs a command inside the instance (its namespaces, uid, cgroup), as FC's instanceExec does; throws a
   * SandboxError when it cannot. Absent where a command could only run on the host (the process sandbox).
   */
  exec?(command: readonly string[], options?: { tty?: boolean }): ChildProcessWithoutNullStreams;
}

/**
 * An instance started without a function (a pre-warmed one): its code mount point is empty until `specialize`,
 * which binds `spec.codeDir` at `/code`, names the instance `spec.instanceId` (host name, /etc/hosts) and applies
 * the spec's limits. The agent inside is told the rest (environment, handler) by the caller.
 */
export interface GenericInstance {
  readonly handle: InstanceHandle;
  specialize(spec: SandboxSpec): Promise<void>;
}

export type SandboxKind = 'bwrap' | 'process' | 'runc';

export interface Sandbox {
  readonly kind: SandboxKind;
  /** Why this sandbox was chosen (printed by `kumo doctor` and at `kumo serve` start). */
  readonly reason: string;
  start(spec: SandboxSpec): Promise<InstanceHandle>;
  /** Stops every instance still running and removes leftovers. */
  close(): Promise<void>;
}
