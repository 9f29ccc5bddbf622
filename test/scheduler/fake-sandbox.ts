import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, type TestContext } from 'node:test';
import { pino } from 'pino';
import { ThreadedLogStore } from '../../src/logs/index.js';
import type { ExitInfo, InstanceHandle, Sandbox, SandboxSpec } from '../../src/sandbox/index.js';
import {
  type InstanceRecipe,
  type Lease,
  type ScaleOutPolicy,
  Scheduler,
  type SchedulerLimits,
  type SlotRequest,
  type StartPermit,
} from '../../src/scheduler/index.js';

/** How a fake instance behaves, chosen by the recipe's `FAKE_MODE` variable. */
export type FakeMode = 'serve' | 'exit-before-ready' | 'never-ready' | 'sandbox-fails';

/**
 * One instance of the fake sandbox: an in-process HTTP server. `GET /` answers its instance id; any other
 * request gets JSON `{instanceId, path, headers, env}` (what the instance was told).
 */
export class FakeInstance implements InstanceHandle {
  readonly host = '127.0.0.1';
  readonly pid = 0;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exited: Promise<ExitInfo>;
  stopCalls = 0;
  /** Paths of the requests it received. */
  readonly requests: string[] = [];
  #exit: (info: ExitInfo) => void = () => {};

  constructor(
    readonly spec: SandboxSpec,
    readonly port: number,
    readonly server: Server | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }

  get instanceId(): string {
    return this.spec.instanceId;
  }

  peakMemoryBytes(): number {
    return 4 * 1024 * 1024;
  }

  resetPeakMemory(): void {}

  /** The instance's process dies on its own (a crash). */
  crash(code = 1): void {
    this.server?.closeAllConnections();
    this.server?.close();
    this.#exit({ code, signal: null, oomKilled: false });
  }

  async stop(): Promise<void> {
    this.stopCalls++;
    this.server?.closeAllConnections();
    this.server?.close();
    this.#exit({ code: null, signal: 'SIGKILL', oomKilled: false });
  }
}

/**
 * A `Sandbox` whose instances are HTTP servers in this process: the scheduler sees real ports, real
 * connections and real exits, without child processes. `hold()` keeps starts from finishing until released.
 */
export class FakeSandbox implements Sandbox {
  readonly kind = 'process';
  readonly reason = 'fake sandbox for scheduler tests';
  readonly started: FakeInstance[] = [];
  #gate: Promise<void> = Promise.resolve();

  /** Starts wait from now on until the returned function is called. */
  hold(): () => void {
    let open = () => {};
    this.#gate = new Promise((resolve) => {
      open = resolve;
    });
    return open;
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    await this.#gate;
    const mode = (spec.env.FAKE_MODE ?? 'serve') as FakeMode;
    // The sandbox itself fails (a namespace or cgroup it cannot create), not the function.
    if (mode === 'sandbox-fails') throw new Error('fake sandbox: cannot create the instance');
    let instance: FakeInstance;
    if (mode === 'serve') {
      const server = createServer((req, res) => {
        instance.requests.push(req.url ?? '');
        if (req.url === '/') return res.end(spec.instanceId);
        const { instanceId, env } = spec;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ instanceId, path: req.url, headers: req.headers, env }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      instance = new FakeInstance(spec, typeof address === 'object' && address ? address.port : 0, server);
    } else {
      instance = new FakeInstance(spec, await unusedPort(), undefined);
      if (mode === 'exit-before-ready') setImmediate(() => instance.crash(3));
    }
    this.started.push(instance);
    return instance;
  }

  /** The fake instance the scheduler started with this id. */
  instance(instanceId: string): FakeInstance {
    const found = this.started.find((i) => i.instanceId === instanceId);
    if (!found) throw new Error(`no fake instance ${instanceId}`);
    return found;
  }

  async close(): Promise<void> {
    await Promise.all(this.started.map((i) => i.stop()));
  }
}

/** A port nothing listens on: bound once by the system, then released. */
async function unusedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

export const DEFAULT_LIMITS: SchedulerLimits = {
  maxInstancesPerFunction: 10,
  maxInstances: 20,
  maxQueuedCalls: 10,
  instanceIdleMs: 60_000,
  instanceStartTimeoutMs: 5_000,
};

// One real log store per test file (opening one starts a thread): instances write their output to it.
let logStore: Promise<{ logs: ThreadedLogStore; dir: string }> | undefined;
after(async () => {
  if (!logStore) return;
  const { logs, dir } = await logStore;
  await logs.close();
  await rm(dir, { recursive: true, force: true });
});

/** A real scheduler (real log store, silent logger) on a fake sandbox; closed after the test. */
export async function useScheduler(
  t: TestContext,
  limits: Partial<SchedulerLimits> = {},
  scaleOut?: ScaleOutPolicy,
): Promise<{ scheduler: Scheduler; sandbox: FakeSandbox; logs: ThreadedLogStore }> {
  logStore ??= mkdtemp(join(tmpdir(), 'kumo-scheduler-test-')).then(async (dir) => ({
    dir,
    logs: await ThreadedLogStore.open(join(dir, 'logs.db'), { onFailure: () => {} }),
  }));
  const { logs } = await logStore;
  const sandbox = new FakeSandbox();
  const all = { ...DEFAULT_LIMITS, ...limits };
  const scheduler = new Scheduler(sandbox, logs, all, pino({ level: 'silent' }), undefined, scaleOut);
  t.after(async () => {
    await scheduler.close();
    await sandbox.close();
  });
  return { scheduler, sandbox, logs };
}

/** A call's slot request for one function revision. */
export function slot(fn: string, overrides: Partial<SlotRequest> = {}): SlotRequest {
  return { poolKey: `svc/${fn}`, revision: 'r1', concurrency: 1, maxWaitMs: 5_000, ...overrides };
}

/** A recipe for the fake sandbox; `mode` picks how its instance behaves. */
export function recipe(mode: FakeMode = 'serve'): InstanceRecipe {
  return {
    spec: {
      codeDir: '',
      command: ['fake'],
      env: { FAKE_MODE: mode },
      port: 9000,
      memoryMb: 128,
      pidsLimit: 16,
      tmpSizeMb: 16,
    },
    logMeta: { serviceName: 'svc', functionName: 'fn', qualifier: 'LATEST' },
  };
}

export function assertPermit(slot: Lease | StartPermit): StartPermit {
  if (slot.kind !== 'start') throw new Error(`expected a start permit, got a lease on ${slot.instance.id}`);
  return slot;
}

export function assertLease(slot: Lease | StartPermit): Lease {
  if (slot.kind !== 'lease') throw new Error(`expected a lease, got a start permit for ${slot.instanceId}`);
  return slot;
}

/** Acquires a slot and, when granted a start, starts the instance from `recipe()`: what the invoke layer does. */
export async function lease(scheduler: Scheduler, request: SlotRequest): Promise<Lease> {
  const granted = await scheduler.acquire(request);
  return granted.kind === 'lease' ? granted : granted.start(recipe());
}

/** Polls until `condition` holds (never a fixed sleep); fails after a generous timeout. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Settles to 'pending' while `promise` has not settled yet (checked after the current turn's microtasks). */
export async function state(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  const marker = Symbol('pending');
  const result = await Promise.race([
    promise.then(
      () => 'fulfilled' as const,
      () => 'rejected' as const,
    ),
    new Promise<symbol>((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return result === marker ? 'pending' : (result as 'fulfilled' | 'rejected');
}

/** A host CPU signal the test sets (scale-out policy): the busy share of the cores, 0…1. */
export class FakeCpu {
  constructor(public share: number) {}
  busyShare(): number {
    return this.share;
  }
}
