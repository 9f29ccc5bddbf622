import type { Logger } from 'pino';
import type { LogStore } from '../logs/index.js';
import { FcError } from '../model/index.js';
import type { Sandbox } from '../sandbox/index.js';
import { type Instance, type InstanceBlueprint, startInstance } from './instance.js';

export interface SchedulerLimits {
  maxInstancesPerFunction: number;
  maxInstances: number;
  maxQueuedCalls: number;
  instanceIdleMs: number;
  instanceStartTimeoutMs: number;
}

/** What a call needs to get an instance of one function revision. */
export interface InstanceRequest {
  /** `service/function`: one pool per function. */
  poolKey: string;
  /** Changes whenever the function's code or config changes; older instances are not reused. */
  revision: string;
  concurrency: number;
  /** Builds the start recipe for a new instance with this id. */
  blueprint(instanceId: string): Promise<InstanceBlueprint>;
  /** Called once when an instance of this request's making has stopped (release per-instance resources). */
  onStopped?(instanceId: string): void;
  /** How long a call may wait in the queue for a slot. */
  maxWaitMs: number;
}

export interface Lease {
  instance: Instance;
  /** True when this call started the instance. */
  coldStart: boolean;
  /** Gives the slot back; `destroy` stops the instance (timeout, broken protocol). */
  release(options?: { destroy?: boolean }): void;
}

interface Waiter {
  wake(): void;
}

/** An instance being started, and how many calls have already claimed one of its slots. */
interface PendingStart {
  revision: string;
  concurrency: number;
  claimed: number;
  instance: Promise<Instance>;
}

/**
 * Instance pools per function: a call takes a free slot on a ready instance of the current revision, or
 * cold-starts one (within the per-function and global limits), or waits in a bounded queue, or gets
 * ResourceExhausted. Idle instances stop after `instanceIdleMs`; crashed ones are dropped.
 */
export class Scheduler {
  readonly #pools = new Map<string, Set<Instance>>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #pending = new Map<string, PendingStart[]>();
  readonly #stoppedHooks = new Map<string, () => void>();
  #starting = 0;
  #queued = 0;
  #nextId = 0;
  readonly #reaper: NodeJS.Timeout;
  #closed = false;

  constructor(
    readonly sandbox: Sandbox,
    readonly logStore: LogStore,
    readonly limits: SchedulerLimits,
    readonly logger: Logger,
  ) {
    this.#reaper = setInterval(() => this.#reapIdle(), Math.min(limits.instanceIdleMs / 2, 10_000)).unref();
  }

  async acquire(request: InstanceRequest): Promise<Lease> {
    const deadline = Date.now() + request.maxWaitMs;
    for (;;) {
      if (this.#closed) throw new FcError('ServiceUnavailable', 'Kumo is shutting down');
      const pool = this.#pool(request.poolKey);
      const free = [...pool].find((i) => i.revision === request.revision && i.hasFreeSlot);
      if (free) return this.#lease(request.poolKey, free, false);
      // Fill an instance that is still starting before starting another (FC fills one up to its concurrency).
      const starting = this.#pending
        .get(request.poolKey)
        ?.find((p) => p.revision === request.revision && p.claimed < p.concurrency);
      if (starting) {
        starting.claimed++;
        return this.#lease(request.poolKey, await starting.instance, true);
      }
      if (this.#canStart(request.poolKey, pool)) {
        return this.#lease(request.poolKey, await this.#start(request, pool), true);
      }
      await this.#wait(request.poolKey, deadline, request.maxWaitMs);
    }
  }

  /** Retires every instance of a function (code or config changed, or it was deleted). */
  retire(poolKey: string): void {
    for (const instance of this.#pools.get(poolKey) ?? []) {
      if (instance.inFlight === 0) void this.#stop(poolKey, instance, 'retired');
      else instance.state = 'retiring';
    }
  }

  instances(poolKey: string): Instance[] {
    return [...(this.#pools.get(poolKey) ?? [])];
  }

  get instanceCount(): number {
    let count = this.#starting;
    for (const pool of this.#pools.values()) count += pool.size;
    return count;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#reaper);
    for (const waiters of this.#waiters.values()) for (const waiter of waiters) waiter.wake();
    const stops: Promise<void>[] = [];
    for (const [key, pool] of this.#pools)
      for (const instance of pool) stops.push(this.#stop(key, instance, 'shutdown'));
    await Promise.all(stops);
  }

  #pool(key: string): Set<Instance> {
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Set();
      this.#pools.set(key, pool);
    }
    return pool;
  }

  #canStart(poolKey: string, pool: Set<Instance>): boolean {
    // Instances still starting count too, or a burst of cold starts overshoots the limit.
    const starting = this.#pending.get(poolKey)?.length ?? 0;
    const live = [...pool].filter((i) => i.state !== 'stopped').length + starting;
    return live < this.limits.maxInstancesPerFunction && this.instanceCount < this.limits.maxInstances;
  }

  #start(request: InstanceRequest, pool: Set<Instance>): Promise<Instance> {
    const pending: PendingStart = {
      revision: request.revision,
      concurrency: request.concurrency,
      claimed: 1,
      instance: this.#launch(request, pool),
    };
    const list = this.#pending.get(request.poolKey) ?? [];
    this.#pending.set(request.poolKey, list);
    list.push(pending);
    const forget = () => {
      list.splice(list.indexOf(pending), 1);
      if (list.length === 0 && this.#pending.get(request.poolKey) === list)
        this.#pending.delete(request.poolKey);
    };
    pending.instance.then(forget, forget);
    return pending.instance;
  }

  async #launch(request: InstanceRequest, pool: Set<Instance>): Promise<Instance> {
    const instanceId = `i-${Date.now().toString(36)}-${(this.#nextId++).toString(36)}`;
    this.#starting++;
    try {
      const instance = await startInstance(
        this.sandbox,
        await request.blueprint(instanceId),
        this.logStore,
        this.limits.instanceStartTimeoutMs,
      );
      if (request.onStopped) this.#stoppedHooks.set(instanceId, () => request.onStopped?.(instanceId));
      pool.add(instance);
      void instance.handle.exited.then((exit) => {
        if (pool.delete(instance)) {
          this.logger.warn({ instanceId, poolKey: request.poolKey, exit }, 'instance exited');
          this.#afterStop(request.poolKey, instance);
        }
      });
      this.logger.debug({ instanceId, poolKey: request.poolKey }, 'instance started');
      return instance;
    } catch (error) {
      request.onStopped?.(instanceId);
      throw error;
    } finally {
      this.#starting--;
      this.#wakeAll();
    }
  }

  #lease(poolKey: string, instance: Instance, coldStart: boolean): Lease {
    instance.inFlight++;
    let released = false;
    return {
      instance,
      coldStart,
      release: (options) => {
        if (released) return;
        released = true;
        instance.inFlight--;
        instance.lastUsed = Date.now();
        if (options?.destroy || (instance.state === 'retiring' && instance.inFlight === 0)) {
          void this.#stop(poolKey, instance, options?.destroy ? 'destroyed' : 'retired');
        }
        this.#wake(poolKey);
      },
    };
  }

  async #wait(poolKey: string, deadline: number, maxWaitMs: number): Promise<void> {
    if (this.#queued >= this.limits.maxQueuedCalls || Date.now() >= deadline) {
      throw new FcError(
        'ResourceExhausted',
        `no instance of '${poolKey}' could take the call: ${this.instanceCount} instances running, the queue is full or the wait exceeded ${maxWaitMs} ms`,
      );
    }
    this.#queued++;
    try {
      await new Promise<void>((resolve) => {
        const waiters = this.#waiters.get(poolKey) ?? [];
        this.#waiters.set(poolKey, waiters);
        const timer = setTimeout(() => waiter.wake(), Math.max(0, deadline - Date.now()));
        const waiter: Waiter = {
          wake: () => {
            clearTimeout(timer);
            const index = waiters.indexOf(waiter);
            if (index >= 0) waiters.splice(index, 1);
            resolve();
          },
        };
        waiters.push(waiter);
      });
    } finally {
      this.#queued--;
    }
  }

  #wake(poolKey: string): void {
    this.#waiters.get(poolKey)?.[0]?.wake();
  }

  /** A global slot freed up: any pool's first waiter may now start an instance. */
  #wakeAll(): void {
    for (const key of this.#waiters.keys()) this.#wake(key);
  }

  async #stop(poolKey: string, instance: Instance, reason: string): Promise<void> {
    const pool = this.#pools.get(poolKey);
    const wasMember = pool?.delete(instance) ?? false;
    this.logger.debug({ instanceId: instance.id, poolKey, reason }, 'stopping instance');
    await instance
      .stop()
      .catch((error: unknown) => this.logger.error({ err: error }, 'instance stop failed'));
    if (wasMember) this.#afterStop(poolKey, instance);
  }

  #afterStop(poolKey: string, instance: Instance): void {
    this.#stoppedHooks.get(instance.id)?.();
    this.#stoppedHooks.delete(instance.id);
    if (this.#pools.get(poolKey)?.size === 0) this.#pools.delete(poolKey);
    this.#wakeAll();
  }

  #reapIdle(): void {
    const cutoff = Date.now() - this.limits.instanceIdleMs;
    for (const [key, pool] of this.#pools) {
      for (const instance of pool) {
        if (instance.inFlight === 0 && instance.lastUsed < cutoff) void this.#stop(key, instance, 'idle');
      }
    }
  }
}
