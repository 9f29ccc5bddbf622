import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { SandboxError } from './errors.js';
import { within } from './exec.js';
import { hostPathLists } from './fc-paths.js';
import { exitOf } from './handle.js';
import { TreeMemorySampler } from './proctree.js';
import { pathMap, portEnv, rewriteArgv, validateSpec } from './spec.js';
import type { ExitInfo, InstanceHandle, Sandbox, SandboxSpec } from './types.js';

export const PROCESS_REASON =
  'plain child processes on the host network: no namespaces, no memory/pids/tmp limits, same uid as Kumo, ' +
  'a unique FC_SERVER_PORT per instance instead of 9000';

export interface ProcessSandboxOptions {
  /** Why this sandbox was chosen; defaults to a description of what it does not isolate. */
  reason?: string;
  /** Grace between SIGTERM and SIGKILL in `stop()`; default 1000 ms. */
  stopGraceMs?: number;
}

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '0.0.0.0', exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * util-linux's `setpriv`, which starts an instance with SIGKILL as its parent-death signal: these instances are in
 * no cgroup a next start could sweep, so a Kumo that dies (SIGKILL, a crash) must not leave them running.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {}
}

/** Runs each instance as a plain child process (own process group) on a free host port. */
export class ProcessSandbox implements Sandbox {
  readonly kind = 'process' as const;
  readonly reason: string;
  readonly #handles = new Set<InstanceHandle>();
  readonly #ports = new Set<number>();
  readonly #stopGraceMs: number;

  constructor(options: ProcessSandboxOptions = {}) {
    this.reason = options.reason ?? PROCESS_REASON;
    this.#stopGraceMs = options.stopGraceMs ?? 1000;
  }

  async #freePort(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await listenOnce();
      if (!this.#ports.has(port)) return port;
    }
    throw new SandboxError('cannot find a free TCP port for the instance');
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    validateSpec(spec);
    const port = await this.#freePort();
    const map = pathMap(spec);
    const [file = '', ...args] = rewriteArgv(spec.command, map);
    const env = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: tmpdir(),
      ...spec.env,
      ...hostPathLists(spec.env, (dir) => rewriteArgv([dir], map)[0] ?? dir),
      ...portEnv(port),
      FC_FUNC_CODE_PATH: spec.codeDir,
    };
    // setpriv would report a missing program only as its own exit: said here as before.
    if (file.startsWith('/') && !existsSync(file))
      throw new SandboxError(`cannot start instance ${spec.instanceId} (${file}): no such file`);
    const wrapped = SETPRIV ? ['--pdeathsig', 'SIGKILL', '--', file, ...args] : args;
    const child = spawn(SETPRIV ?? file, wrapped, {
      cwd: spec.codeDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new SandboxError(`cannot start instance ${spec.instanceId} (${file}): ${error.message}`);
    }
    child.on('error', () => {}); // spawning succeeded; later errors carry nothing the exit does not
    this.#ports.add(port);
    const memory = new TreeMemorySampler(pid);
    const state = { alive: true };
    // When the main process exits, whatever it left behind in its process group goes too.
    const exited = exitOf(
      child,
      () => false,
      false,
      () => {
        state.alive = false;
        memory.stop();
        killGroup(pid, 'SIGKILL');
        this.#ports.delete(port);
      },
    );
    let stopping: Promise<void> | undefined;
    const handle: InstanceHandle = {
      instanceId: spec.instanceId,
      host: '127.0.0.1',
      port,
      pid,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      peakMemoryBytes: () => memory.sample(),
      resetPeakMemory: () => memory.reset(),
      stop: () => {
        stopping ??= this.#stopOne(pid, exited, state).finally(() => this.#handles.delete(handle));
        return stopping;
      },
    };
    this.#handles.add(handle);
    return handle;
  }

  async #stopOne(pid: number, exited: Promise<ExitInfo>, state: { alive: boolean }): Promise<void> {
    // Only signal the group while its leader lives: afterwards the pid (= pgid) may belong to someone else.
    if (state.alive) killGroup(pid, 'SIGTERM');
    if (!(await within(exited, this.#stopGraceMs)) && state.alive) killGroup(pid, 'SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#handles].map((handle) => handle.stop()));
  }
}
