import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { JOIN_CGROUPS } from './bwrap.js';
import { hostRootArgs, NAMESPACE_ARGS } from './bwrap-args.js';
import { detectCgroupLayout, ensureCgroupParent, InstanceCgroup } from './cgroup.js';
import { SandboxError } from './errors.js';
import { findBinary, SYSTEM_PATH, within } from './exec.js';
import { hostPathLists, usrLocalArgs } from './fc-paths.js';
import { seccompProgram, seccompSupported } from './seccomp.js';
import { slotName } from './slot.js';
import { rewriteArgv } from './spec.js';

/** A host folder and where the build sees it. */
export interface BuildMount {
  hostPath: string;
  sandboxPath: string;
}

/** One build command (`npm ci`, `pip install …`, a `build.sh`) and what it may touch. */
export interface BuildRunSpec {
  /** argv as the build sees paths. */
  command: string[];
  /** Working directory as the build sees it. */
  cwd: string;
  /** The only host folders the build may write (the build folder, the build cache). */
  writable: readonly BuildMount[];
  /** Host folders it may read besides the system (a runtime's own interpreter). */
  readOnly?: readonly BuildMount[];
  env: Record<string, string>;
  /** Killed (every process of it) after this long. */
  timeoutMs: number;
  /** Receives stdout and stderr as they come. */
  output: (chunk: Buffer) => void;
  /** `process` forces a plain process; default: bwrap when it works here. */
  mode?: string;
}

export interface BuildRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** How builds are isolated on this machine, decided once per CLI run. */
export interface BuildIsolation {
  kind: 'bwrap' | 'process';
  /** One sentence for the build's output. */
  description: string;
}

let counter = 0;
let decided: Promise<BuildIsolation> | undefined;

/**
 * Builds run like instances minus the network namespace (a build must reach npm, PyPI, Maven Central and the Go
 * proxy): read-only system, only the build folder and cache writable, own pid/ipc/uts namespaces, a private
 * /tmp, no capabilities, the instances' seccomp filter, and a cgroup (pids + memory) when Kumo may create one.
 */
export async function buildIsolation(mode?: string): Promise<BuildIsolation> {
  if (mode === 'process') return processIsolation('chosen by KUMO_SANDBOX=process');
  decided ??= probe();
  const isolation = await decided;
  if (mode === 'bwrap' && isolation.kind !== 'bwrap')
    throw new SandboxError(`KUMO_SANDBOX=bwrap, but builds cannot use bwrap here: ${isolation.description}`);
  return isolation;
}

function processIsolation(why: string): BuildIsolation {
  return {
    kind: 'process',
    description: `plain process (WARNING: the build is not isolated and can write anywhere your user can; ${why})`,
  };
}

async function probe(): Promise<BuildIsolation> {
  const [bwrap, setpriv] = [findBinary('bwrap'), findBinary('setpriv')];
  if (!bwrap || !setpriv) return processIsolation(`${bwrap ? 'setpriv' : 'bwrap'} is not installed`);
  let out = '';
  const trial = await runBwrap(bwrap, setpriv, {
    command: ['/bin/true'],
    cwd: '/',
    writable: [],
    env: { PATH: SYSTEM_PATH },
    timeoutMs: 10_000,
    output: (chunk) => {
      out += chunk.toString();
    },
  });
  if (trial.code !== 0) return processIsolation(`bwrap does not work here: ${out.trim().slice(0, 200)}`);
  return {
    kind: 'bwrap',
    description:
      'bwrap sandbox (host network; read-only system; only the build folder and the build cache writable)',
  };
}

/** Runs one build command in the isolation `buildIsolation` chose. */
export async function runBuildCommand(spec: BuildRunSpec): Promise<BuildRunResult> {
  const isolation = await buildIsolation(spec.mode);
  const [bwrap, setpriv] = [findBinary('bwrap'), findBinary('setpriv')];
  if (isolation.kind === 'bwrap' && bwrap && setpriv) return runBwrap(bwrap, setpriv, spec);
  return runPlain(spec);
}

function mountArgs(spec: BuildRunSpec): string[] {
  const args: string[] = [];
  for (const m of spec.readOnly ?? []) args.push('--ro-bind', m.hostPath, m.sandboxPath);
  for (const m of spec.writable) args.push('--bind', m.hostPath, m.sandboxPath);
  return args;
}

async function runBwrap(bwrap: string, setpriv: string, spec: BuildRunSpec): Promise<BuildRunResult> {
  const bwrapArgs = [
    ...NAMESPACE_ARGS,
    ...hostRootArgs(),
    ...usrLocalArgs(),
    ...(existsSync('/etc/hosts') ? ['--ro-bind', '/etc/hosts', '/etc/hosts'] : []),
    ...(seccompSupported() ? ['--seccomp', '4'] : []),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
    ...mountArgs(spec),
    '--chdir',
    spec.cwd,
    '--clearenv',
    ...Object.entries(spec.env).flatMap(([key, value]) => ['--setenv', key, value]),
  ];
  const drop = [setpriv, '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs'];
  const inner = [bwrap, '--args', '3', ...drop, '--', ...spec.command];
  const cgroup = await buildCgroup();
  const argv = cgroup
    ? ['-c', JOIN_CGROUPS, 'kumo-join', String(cgroup.procsFiles.length), ...cgroup.procsFiles, ...inner]
    : ['-c', 'exec "$@"', 'kumo-build', ...inner];
  const child = spawn('/bin/sh', argv, {
    env: { PATH: SYSTEM_PATH },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const data = [
    Buffer.from(bwrapArgs.map((arg) => `${arg}\0`).join('')),
    seccompSupported() ? seccompProgram() : Buffer.alloc(0),
  ];
  data.forEach((chunk, i) => {
    const pipe = child.stdio[3 + i] as Writable;
    pipe.on('error', () => {});
    pipe.end(chunk);
  });
  try {
    return await supervise(child, spec, async () => {
      if (cgroup) await cgroup.kill();
      else killGroup(child.pid);
    });
  } finally {
    await cgroup?.destroy().catch(() => {});
  }
}

/** A cgroup bounding the build (4096 processes, 4 GB); none when Kumo may not create cgroups here. */
async function buildCgroup(): Promise<InstanceCgroup | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const layout = detectCgroupLayout();
    ensureCgroupParent(layout, 'kumo');
    // Every core of the machine: a build is the user's own work, bounded in processes and memory only.
    const cpu = { quotaUs: availableParallelism() * 100_000, periodUs: 100_000 };
    return InstanceCgroup.create(layout, 'kumo', slotName(`build-${++counter}`), {
      memoryBytes: 4 * 1024 ** 3,
      pidsMax: 4096,
      cpu,
    });
  } catch {
    return undefined;
  }
}

function runPlain(spec: BuildRunSpec): Promise<BuildRunResult> {
  const map = [...spec.writable, ...(spec.readOnly ?? [])].map((m): [string, string] => [
    m.sandboxPath,
    m.hostPath,
  ]);
  const toHost = (path: string) => rewriteArgv([path], map)[0] ?? path;
  const env = { ...spec.env, ...hostPathLists(spec.env, toHost) };
  for (const key of ['HOME', 'TMPDIR'] as const) if (env[key]) env[key] = toHost(env[key]);
  const [file = '', ...args] = rewriteArgv(spec.command, map);
  const child = spawn(file, args, {
    cwd: toHost(spec.cwd),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return supervise(child, spec, async () => killGroup(child.pid));
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {}
}

async function supervise(
  child: ReturnType<typeof spawn>,
  spec: BuildRunSpec,
  killAll: () => Promise<void>,
): Promise<BuildRunResult> {
  child.stdout?.on('data', spec.output);
  child.stderr?.on('data', spec.output);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      spec.output(Buffer.from(`cannot start ${spec.command[0]}: ${error.message}\n`));
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const inTime = await within(exited, spec.timeoutMs);
  if (!inTime) {
    await killAll();
    killGroup(child.pid);
    await within(exited, 5000);
  }
  const { code, signal } = inTime ? await exited : { code: null, signal: 'SIGKILL' as const };
  return { code, signal, timedOut: !inTime };
}
