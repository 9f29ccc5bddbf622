import type { Logger } from 'pino';
import type { LogStore } from '../logs/index.js';
import { FcError } from '../model/index.js';
import type { Sandbox } from '../sandbox/index.js';
import { type Instance, type InstanceRecipe, startInstance } from './instance.js';
import {
  addPending,
  countByState,
  freeInstance,
  hasInstanceOf,
  liveCounts,
  type PendingStart,
  type ProvisionedState,
  provisionedState,
  startRefusal,
} from './pools.js';
import { WaitQueue } from './queue.js';
import { ScaleOutPolicy } from './scale-out.js';
import { StartWatch } from './start-watch.js';
import type { Lease, SchedulerLimits, SchedulerObserver, SlotRequest, StartPermit } from './types.js';

export type { Lease, SchedulerLimits, SchedulerObserver, SlotRequest, StartPermit } from './types.js';

/**
 * Instance pools per function: a call takes a free slot on a ready instance of the current revision, or a slot
 * of an instance being started, or gets a permit to start one (within the per-function and global limits; when
 * the cores are taken, after a brief wait for a busy one's slot: `ScaleOutPolicy`), or waits in a bounded queue,
 * or gets ResourceExhausted (ResourceThrottled beyond the on-demand cap). Provisioned instances take calls first
 * and are never reaped; idle ones stop after `instanceIdleMs`. A start permit is fulfilled by its holder.
 */
export class Scheduler {
  readonly #pools = new Map<string, Set<Instance>>();
  readonly #pending = new Map<string, PendingStart[]>();
  readonly #queue: WaitQueue;
  #starting = 0;
  #nextId = 0;
  readonly #reaper: NodeJS.Timeout;
  #closed = false;

  readonly #sandbox: Sandbox;
  /** Where instances' output goes (their log capture); the layers above never write through it. */
  readonly #logStore: LogStore;
  readonly #limits: SchedulerLimits;
  readonly #logger: Logger;
  readonly #watch: StartWatch;
  readonly #scaleOut: ScaleOutPolicy;

  constructor(
    sandbox: Sandbox,
    logStore: LogStore,
    limits: SchedulerLimits,
    logger: Logger,
    observer?: SchedulerObserver,
    scaleOut = new ScaleOutPolicy(limits.scaleOutHoldMs ?? 0),
  ) {
    this.#scaleOut = scaleOut;
    this.#watch = new StartWatch(logger, observer);
    this.#sandbox = sandbox;
    this.#logStore = logStore;
    this.#limits = limits;
    this.#logger = logger;
    this.#queue = new WaitQueue(limits.maxQueuedCalls);
    this.#reaper = setInterval(() => this.#reapIdle(), Math.min(limits.instanceIdleMs / 2, 10_000)).unref();
  }

  async acquire(request: SlotRequest): Promise<Lease | StartPermit> {
    const { poolKey, revision } = request;
    const deadline = Date.now() + request.maxWaitMs;
    let holdUntil: number | undefined;
    for (let turn = 0; ; turn++) {
      if (this.#closed) throw new FcError('ServiceUnavailable', 'Kumo is shutting down');
      const pool = this.#pools.get(poolKey);
      const free = freeInstance(pool, revision);
      if (free) return this.#lease(poolKey, free, false);
      // Fill an instance that is still starting before starting another (FC fills one up to its concurrency).
      const starting = this.#pending
        .get(poolKey)
        ?.find((p) => p.revision === revision && !p.retired && p.claims.length + 1 < p.concurrency);
      if (starting) return new Promise((resolve, reject) => starting.claims.push({ resolve, reject }));
      const refusal = this.#startRefusal(request, false);
      if (!refusal) {
        const has = () => hasInstanceOf(pool, this.#pending.get(poolKey), revision);
        holdUntil ??= Math.min(deadline, Date.now() + this.#scaleOut.holdMs(poolKey, has, this.#starting));
        const until = this.#scaleOut.startsSaturate(this.#starting) ? deadline : holdUntil;
        // Undefined at once (the limits checked above still hold); woken for nothing, it keeps its place.
        const held = this.#queue.hold(poolKey, until, turn > 0);
        if (!held) return this.#permit(request, undefined);
        await held;
        continue;
      }
      await this.#queue.wait(poolKey, deadline, () => {
        const why = `the queue is full or the wait exceeded ${request.maxWaitMs} ms`;
        return new FcError(refusal.code, `${refusal.message}; ${why}`);
      });
    }
  }

  /**
   * A start of an instance kept for the provision config `resource` (not counted against the on-demand cap), or
   * the error saying why none may start now. Its holder starts it and releases the lease at once.
   */
  provisionStart(request: SlotRequest, resource: string): StartPermit | FcError {
    if (this.#closed) return new FcError('ServiceUnavailable', 'Kumo is shutting down');
    return this.#startRefusal(request, true) ?? this.#permit(request, resource);
  }

  /** The ready instances kept for a provision config (in any pool) and its starts under way. */
  provisioned(resource: string): ProvisionedState {
    return provisionedState(this.#pools.values(), this.#pending.values(), resource);
  }

  /** The instance is no longer provisioned: it stops now, or after its calls in flight. */
  releaseProvisioned(instance: Instance): void {
    instance.provisionedFor = undefined;
    for (const [key, pool] of this.#pools) {
      if (!pool.has(instance)) continue;
      if (instance.inFlight === 0) void this.#stop(key, instance, 'provisioning released');
      else instance.retire();
    }
  }

  /** Retires a function's instances (code or config changed, or it was deleted) but those of revision `keep`. */
  retire(poolKey: string, keep?: string): void {
    for (const pending of this.#pending.get(poolKey) ?? []) pending.retired ||= pending.revision !== keep;
    for (const instance of this.#pools.get(poolKey) ?? []) {
      if (instance.revision === keep) continue;
      if (instance.inFlight === 0) void this.#stop(poolKey, instance, 'retired');
      else instance.retire();
    }
  }

  instances(poolKey: string): Instance[] {
    return [...(this.#pools.get(poolKey) ?? [])];
  }

  /** Running instances plus the ones starting. */
  get instanceCount(): number {
    let count = this.#starting;
    for (const pool of this.#pools.values()) count += pool.size;
    return count;
  }

  /** Instances by state, the starts under way as `starting` (the metrics' gauge). */
  instancesByState(): Record<string, number> {
    return countByState(this.#pools.values(), this.#starting);
  }

  /** Why the sandbox looks unusable (its last starts all failed), or undefined (`/readyz`). */
  get sandboxTrouble(): string | undefined {
    return this.#watch.sandboxTrouble;
  }

  /** Calls waiting in the queue for a slot. */
  get queuedCalls(): number {
    return this.#queue.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#reaper);
    this.#queue.wakeAll();
    const stops: Promise<void>[] = [];
    for (const [key, pool] of this.#pools)
      for (const instance of pool) stops.push(this.#stop(key, instance, 'shutdown'));
    await Promise.all(stops);
  }

  /** Why no instance may start for the request now (undefined: one may). Starts under way count too. */
  #startRefusal(request: SlotRequest, provisioned: boolean): FcError | undefined {
    const live = liveCounts(this.#pools.get(request.poolKey), this.#pending.get(request.poolKey));
    return startRefusal(request, provisioned, live, this.instanceCount, this.#limits);
  }

  #permit(request: SlotRequest, provisionedFor: string | undefined): StartPermit {
    const { poolKey } = request;
    const instanceId = `i-${Date.now().toString(36)}-${(this.#nextId++).toString(36)}`;
    const pending: PendingStart = {
      revision: request.revision,
      concurrency: request.concurrency,
      claims: [],
      retired: false,
      provisionedFor,
    };
    const list = addPending(this.#pending, poolKey, pending);
    this.#starting++;
    this.#scaleOut.startBegan();
    let used = false;
    return {
      kind: 'start',
      instanceId,
      start: async (recipe) => {
        if (used) throw new Error(`the start permit of ${instanceId} was already used`);
        used = true;
        let instance: Instance;
        try {
          instance = await this.#launch(instanceId, request, await recipe, provisionedFor);
        } catch (error) {
          for (const claim of pending.claims) claim.reject(error);
          throw error;
        } finally {
          list.splice(list.indexOf(pending), 1);
          if (list.length === 0 && this.#pending.get(poolKey) === list) this.#pending.delete(poolKey);
          this.#starting--;
          this.#queue.wakeEveryPool();
        }
        // Every claimed slot is taken now, before a woken waiter can look for a free one.
        for (const claim of pending.claims) claim.resolve(this.#lease(poolKey, instance, true));
        const lease = this.#lease(poolKey, instance, true);
        if (pending.retired) instance.retire();
        return lease;
      },
    };
  }

  async #launch(
    id: string,
    request: SlotRequest,
    recipe: InstanceRecipe,
    provisionedFor: string | undefined,
  ): Promise<Instance> {
    const { poolKey, revision, concurrency } = request;
    const startedAt = performance.now();
    let instance: Instance;
    try {
      const start = { id, revision, concurrency, recipe };
      instance = await startInstance(
        this.#sandbox,
        start,
        this.#logStore,
        this.#limits.instanceStartTimeoutMs,
      );
    } catch (error) {
      this.#watch.failed(id, poolKey, Math.round(performance.now() - startedAt), error);
      throw error;
    }
    if (this.#closed) {
      await instance.stop();
      throw new FcError('ServiceUnavailable', 'Kumo is shutting down');
    }
    instance.provisionedFor = provisionedFor;
    // The pool is looked up now, not before the start: an emptied pool is dropped from the map meanwhile.
    const pool = this.#pools.get(poolKey) ?? new Set<Instance>();
    this.#pools.set(poolKey, pool.add(instance));
    void instance.handle.exited.then((exit) => {
      if (this.#pools.get(poolKey)?.delete(instance)) {
        this.#watch.crashed(id, poolKey, exit);
        this.#afterStop(poolKey);
      }
    });
    this.#watch.started(id, poolKey, Math.round(performance.now() - startedAt), provisionedFor !== undefined);
    return instance;
  }

  #lease(poolKey: string, instance: Instance, coldStart: boolean): Lease {
    if (instance.inFlight++ === 0) this.#scaleOut.instanceBusy();
    const leasedAt = performance.now();
    let released = false;
    return {
      kind: 'lease',
      instance,
      coldStart,
      release: (options) => {
        if (released) return;
        released = true;
        if (--instance.inFlight === 0) this.#scaleOut.instanceIdle();
        this.#scaleOut.callEnded(poolKey, performance.now() - leasedAt);
        instance.lastUsed = Date.now();
        if (options?.destroy || (instance.state === 'retiring' && instance.inFlight === 0)) {
          void this.#stop(poolKey, instance, options?.destroy ? (options.reason ?? 'destroyed') : 'retired');
        }
        this.#queue.wake(poolKey);
      },
    };
  }

  async #stop(poolKey: string, instance: Instance, reason: string): Promise<void> {
    const wasMember = this.#pools.get(poolKey)?.delete(instance) ?? false;
    if (wasMember) this.#watch.stopped(instance, poolKey, reason);
    await instance
      .stop()
      .catch((error: unknown) => this.#logger.error({ err: error }, 'instance stop failed'));
    if (wasMember) this.#afterStop(poolKey);
  }

  #afterStop(poolKey: string): void {
    if (this.#pools.get(poolKey)?.size === 0 && this.#pools.delete(poolKey)) this.#scaleOut.forget(poolKey);
    this.#queue.wakeEveryPool();
  }

  #reapIdle(): void {
    const cutoff = Date.now() - this.#limits.instanceIdleMs;
    for (const [key, pool] of this.#pools) {
      for (const instance of pool) {
        if (instance.provisionedFor !== undefined) continue; // kept ahead of calls while provisioned
        if (instance.inFlight === 0 && instance.lastUsed < cutoff) void this.#stop(key, instance, 'idle');
      }
    }
  }
}
