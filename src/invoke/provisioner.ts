import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FcError, type ProvisionConfig, provisionResource } from '../model/index.js';
import type { Instance, Scheduler, StartPermit } from '../scheduler/index.js';
import type { MetaStore } from '../store/index.js';
import type { CallLifecycle, CallRequest } from './lifecycle.js';
import { poolKeyOf } from './lifecycle.js';
import { effectiveTarget } from './provision-target.js';
import { ALIAS_MAIN_VERSION, isTargetGone, resolveTarget } from './resolve.js';

export interface ProvisionerDeps {
  store: MetaStore;
  scheduler: Scheduler;
  calls: CallLifecycle;
  accountId: string;
  logger: Logger;
  /** Several nodes: this node's part of `want` instances (the others start the rest); default all of them. */
  share?: (want: number) => number;
}

export interface ProvisionerOptions {
  /** How often every config is reconciled (crash replacement, scheduled actions, target tracking). */
  intervalMs: number;
  /** First delay after a failed start or a lost instance; doubles per failure up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/** What `getProvisionConfig` reports beside the config: instances ready now, and why more are not. */
export interface ProvisionStatus {
  current: number;
  currentError: string;
}

interface Tracked {
  current: number;
  error: string;
  failures: number;
  lastFailureAt: number;
  nextStartAt: number;
  /** Ids of the ready instances seen last time: one missing now that Kumo did not release was lost. */
  seen: Set<string>;
  /** Instances started but still running their initializer: counted as starting, not as current. */
  warming: Set<string>;
}

/** A provisioned instance that stayed up this long resets the backoff. */
const STABLE_MS = 30_000;

/**
 * Keeps each provision config's instances running: starts the missing ones ahead of calls (through the same
 * recipes as a cold start), releases the extra ones, replaces crashed ones with exponential backoff so a
 * function that dies on start cannot spin, follows scheduled actions and target tracking, and reports
 * `current` from what the scheduler really holds. It polls the store and the scheduler; nothing calls up into it.
 */
export class Provisioner {
  readonly #tracked = new Map<string, Tracked>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  readonly #deps: ProvisionerDeps;
  readonly #options: ProvisionerOptions;

  constructor(deps: ProvisionerDeps, options: ProvisionerOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  /** Reconciles now (the configs in the store survive a restart) and then every `intervalMs`. */
  start(): void {
    this.#timer = setInterval(() => this.notify(), this.#options.intervalMs).unref();
    this.notify();
  }

  /** A config changed: reconcile soon. Reconciles never overlap; one more runs if asked during one. */
  notify(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#reconcileAll()
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, 'provisioning failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.notify();
        }
      });
  }

  status(config: ProvisionConfig): ProvisionStatus {
    const tracked = this.#tracked.get(provisionResource(this.#deps.accountId, config));
    return { current: tracked?.current ?? 0, currentError: tracked?.error ?? '' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  async #reconcileAll(): Promise<void> {
    const live = new Set<string>();
    for (const config of this.#deps.store.capacity.allProvisionConfigs()) {
      const resource = provisionResource(this.#deps.accountId, config);
      live.add(resource);
      await this.#reconcile(resource, config);
    }
    // A deleted config (or one whose target is gone) keeps nothing.
    for (const [resource, tracked] of this.#tracked) {
      if (live.has(resource)) continue;
      const { ready, starting } = this.#deps.scheduler.provisioned(resource);
      for (const instance of ready) this.#deps.scheduler.releaseProvisioned(instance);
      if (starting === 0) this.#tracked.delete(resource);
      else tracked.current = 0;
    }
  }

  async #reconcile(resource: string, config: ProvisionConfig): Promise<void> {
    const tracked = this.#track(resource);
    const now = Date.now();
    let request: CallRequest;
    try {
      const target = await resolveTarget(
        this.#deps.store,
        { serviceRef: config.serviceName, functionName: config.functionName, qualifier: config.qualifier },
        ALIAS_MAIN_VERSION,
      );
      request = { ...target, requestId: '' };
    } catch (error) {
      if (!isTargetGone(error)) throw error;
      for (const instance of this.#deps.scheduler.provisioned(resource).ready)
        this.#deps.scheduler.releaseProvisioned(instance);
      tracked.current = 0;
      tracked.error = error.message;
      return;
    }
    const provisioned = this.#deps.scheduler.provisioned(resource);
    let { starting } = provisioned;
    // Instances of another version or revision (the alias moved, the function changed) make way for new ones.
    const kept: Instance[] = [];
    for (const instance of provisioned.ready) {
      if (tracked.warming.has(instance.id)) starting++;
      else if (instance.revision === request.revision) kept.push(instance);
      else this.#deps.scheduler.releaseProvisioned(instance);
    }
    this.#noticeLosses(tracked, kept, now);
    const slots = kept.reduce((sum, i) => sum + i.concurrency, 0);
    const busy = kept.reduce((sum, i) => sum + i.inFlight, 0);
    const total = effectiveTarget(config, new Date(now), {
      current: kept.length,
      utilization: slots === 0 ? 0 : busy / slots,
    });
    const want = this.#deps.share ? this.#deps.share(total) : total;
    const extra = kept.length + starting - want;
    if (extra > 0) {
      // Idle ones go first; busy ones finish their calls before they stop.
      const byIdle = [...kept].sort((a, b) => a.inFlight - b.inFlight);
      for (const instance of byIdle.slice(0, Math.min(extra, kept.length))) {
        this.#deps.scheduler.releaseProvisioned(instance);
        kept.splice(kept.indexOf(instance), 1);
      }
    } else if (extra < 0 && now >= tracked.nextStartAt) {
      this.#startMissing(resource, request, -extra, tracked);
    }
    tracked.seen = new Set(kept.map((i) => i.id));
    tracked.current = kept.length;
    if (kept.length >= want && starting === 0 && tracked.failures === 0) tracked.error = '';
  }

  #startMissing(resource: string, request: CallRequest, missing: number, tracked: Tracked): void {
    for (let n = 0; n < missing; n++) {
      const slotRequest = {
        poolKey: poolKeyOf(request.service.serviceName, request.fn.functionName, request.versionId),
        revision: request.revision,
        concurrency: request.fn.instanceConcurrency,
        maxWaitMs: 0,
      };
      const permit = this.#deps.scheduler.provisionStart(slotRequest, resource);
      if (permit instanceof FcError) {
        tracked.error = permit.message;
        return;
      }
      void this.#startOne(permit, { ...request, requestId: randomUUID() }, tracked);
    }
  }

  async #startOne(permit: StartPermit, request: CallRequest, tracked: Tracked): Promise<void> {
    tracked.warming.add(permit.instanceId);
    try {
      const lease = await this.#deps.calls.startInstance(permit, request);
      lease.release();
    } catch (error) {
      this.#failed(
        tracked,
        `provisioned instance ${permit.instanceId} failed to start: ${(error as Error).message}`,
      );
      this.#deps.logger.warn(
        { err: error, instanceId: permit.instanceId },
        'provisioned instance failed to start',
      );
    } finally {
      tracked.warming.delete(permit.instanceId);
    }
    this.notify();
  }

  /** A ready instance seen last time that is gone now, and not by Kumo's hand, crashed. */
  #noticeLosses(tracked: Tracked, kept: Instance[], now: number): void {
    const present = new Set(kept.map((i) => i.id));
    const lost = [...tracked.seen].filter((id) => !present.has(id));
    for (const id of lost) this.#failed(tracked, `provisioned instance ${id} exited; it is being replaced`);
    if (lost.length === 0 && tracked.failures > 0 && now - tracked.lastFailureAt > STABLE_MS)
      tracked.failures = 0;
  }

  #failed(tracked: Tracked, message: string): void {
    tracked.failures++;
    tracked.lastFailureAt = Date.now();
    tracked.error = message;
    const delay = Math.min(
      this.#options.maxBackoffMs,
      this.#options.baseBackoffMs * 2 ** (tracked.failures - 1),
    );
    tracked.nextStartAt = Date.now() + delay;
  }

  #track(resource: string): Tracked {
    let tracked = this.#tracked.get(resource);
    if (!tracked) {
      tracked = {
        current: 0,
        error: '',
        failures: 0,
        lastFailureAt: 0,
        nextStartAt: 0,
        seen: new Set(),
        warming: new Set(),
      };
      this.#tracked.set(resource, tracked);
    }
    return tracked;
  }
}
