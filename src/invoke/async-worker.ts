import type { Logger } from 'pino';
import type { AsyncAttemptResult } from '../metrics/index.js';
import { ASYNC_DEFAULTS, type AsyncConfig, FcError } from '../model/index.js';
import type { AsyncConfigStore, AsyncInvocation, AsyncQueueStore, MetaStore } from '../store/index.js';
import { type DestinationOutcome, destinationDelivery, type Home } from './async-destinations.js';
import type { Invoker } from './invoker.js';
import { isTargetGone, resolveTarget } from './resolve.js';

export interface AsyncWorkerOptions {
  /** Calls run at once across all functions. */
  concurrency: number;
  /** Retries after the first attempt when the function fails and its config does not say (FC's default is 3). */
  maxRetries: number;
  /** Backoff before retry n is `baseDelayMs * 2^(n-1)`. */
  baseDelayMs: number;
  pollMs: number;
  /** How often the claims (leases) on running invocations are renewed; a third of the cluster lease or less. */
  leaseRenewMs?: number;
  /** Names the original function in destination records, and checks destination ARNs. */
  home: Home;
  /** Told how each attempt ended (metrics). */
  onAttempt?(result: AsyncAttemptResult): void;
}

/** How one attempt ended. */
type Attempt =
  | { ok: true; body: Buffer }
  /**
   * `final`: retrying cannot help (the function is gone). `throttled`: no instance could take the call (on-demand
   * cap, queue full); as on FC this is retried without counting as an attempt, until the event's age runs out.
   */
  | { ok: false; message: string; condition: string; final?: boolean; throttled?: boolean };

/**
 * Runs accepted async invocations from the durable queue: at least once, with retries and backoff on
 * function errors and platform failures, as the qualifier's async invoke config says (retries, event age,
 * destinations). A crash mid-run leaves the row Running; the next start requeues it. A stop request aborts the
 * running call (its instance is retired) and the invocation ends Stopped, never retried.
 */
export class AsyncWorker {
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** The last claim failed (said once per outage). */
  #claimFailing = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** Request id → the running call's stop switch. */
  readonly #stops = new Map<string, AbortController>();

  constructor(
    readonly queue: AsyncQueueStore,
    readonly configs: AsyncConfigStore,
    readonly store: MetaStore,
    readonly invoker: Invoker,
    readonly logger: Logger,
    readonly options: AsyncWorkerOptions,
  ) {}

  async start(): Promise<void> {
    const requeued = await this.queue.requeueRunning();
    if (requeued > 0)
      this.logger.info({ requeued }, 'async invocations interrupted by the last stop are queued again');
    this.#schedule(0);
    this.#renewTimer = setInterval(() => void this.#renewLeases(), this.options.leaseRenewMs ?? 5000);
    this.#renewTimer.unref();
  }

  /** Keeps the claims on running invocations; one whose claim is gone runs on (at least once), and is said. */
  async #renewLeases(): Promise<void> {
    const running = [...this.#stops.keys()];
    if (running.length === 0) return;
    try {
      const lost = await this.queue.renewLeases(running);
      const stillHere = lost.filter((id) => this.#stops.has(id));
      if (stillHere.length > 0)
        this.logger.warn({ requestIds: stillHere }, 'async invocations no longer claimed by this node');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not renew the claims on running async invocations');
    }
  }

  /** Looks for work now (after an enqueue) instead of at the next poll. */
  notify(): void {
    this.#schedule(0);
  }

  /** Cuts the running call of this invocation short (its stop is already recorded in the queue). */
  stop(requestId: string): void {
    this.#stops.get(requestId)?.abort();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    // Claims are renewed until the last running call has ended.
    await Promise.allSettled([...this.#inFlight]);
    clearInterval(this.#renewTimer);
  }

  #schedule(delay: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#drain(), delay).unref();
  }

  async #drain(): Promise<void> {
    while (!this.#closed && this.#running < this.options.concurrency) {
      let invocation: AsyncInvocation | undefined;
      try {
        invocation = await this.queue.claimDue(Date.now());
      } catch (error) {
        // The store is unreachable (a database restart): the queued invocations are safe in it; look again later.
        if (!this.#claimFailing) this.logger.warn({ err: error }, 'cannot look for due async invocations');
        this.#claimFailing = true;
        break;
      }
      if (this.#claimFailing) this.logger.info('async invocations are looked for again');
      this.#claimFailing = false;
      if (!invocation) break;
      this.#running++;
      const stopSwitch = new AbortController();
      this.#stops.set(invocation.id, stopSwitch);
      const run = this.#run(invocation, stopSwitch.signal)
        .catch((error: unknown) =>
          this.logger.error({ err: error, requestId: invocation.id }, 'async invocation bookkeeping failed'),
        )
        .finally(() => {
          this.#running--;
          this.#stops.delete(invocation.id);
          this.#inFlight.delete(run);
          this.#schedule(0);
        });
      this.#inFlight.add(run);
    }
    this.#schedule(this.options.pollMs);
  }

  async #run(inv: AsyncInvocation, signal: AbortSignal): Promise<void> {
    // Counted by the queue as it was claimed; earlier attempts cut short by a server crash are included.
    const attempt = inv.attempts;
    const config = await this.configs.getConfig(inv.serviceName, inv.functionName, inv.qualifier);
    const maxRetries = config?.maxAsyncRetryAttempts ?? this.options.maxRetries;
    const maxAgeSeconds = config?.maxAsyncEventAgeInSeconds ?? ASYNC_DEFAULTS.maxEventAgeSeconds;
    if (await this.queue.isStopRequested(inv.id)) {
      await this.queue.finish(inv.id, 'Stopped', attempt - 1, { error: 'stopped before it ran' });
      this.options.onAttempt?.('stopped');
      return;
    }
    if (Date.now() - inv.createdAt > maxAgeSeconds * 1000) {
      const error = `the event is older than maxAsyncEventAgeInSeconds (${maxAgeSeconds}) and was dropped`;
      this.logger.warn({ requestId: inv.id, function: `${inv.serviceName}/${inv.functionName}` }, error);
      const counted = { ...inv, attempts: attempt - 1 };
      await this.#end(counted, 'Expired', config, {
        ok: false,
        message: error,
        condition: 'EventAgeExceeded',
      });
      this.options.onAttempt?.('expired');
      return;
    }
    if (attempt > maxRetries + 1) {
      const error = `cut short by a server stop on its last allowed attempt (${attempt - 1} attempts made)`;
      const counted = { ...inv, attempts: attempt - 1 };
      await this.#end(counted, 'Failed', config, {
        ok: false,
        message: error,
        condition: 'RetriesExhausted',
      });
      this.options.onAttempt?.('failed');
      return;
    }
    const result = await this.#attempt(inv, attempt, signal);
    // An answer that came back whole before the stop cut the call is kept; anything else of a stopped run is Stopped.
    if (signal.aborted || (!result.ok && (await this.queue.isStopRequested(inv.id)))) {
      await this.queue.finish(inv.id, 'Stopped', attempt, { error: 'stopped by a client' });
      this.options.onAttempt?.('stopped');
      return;
    }
    if (result.ok) {
      await this.#end(inv, 'Succeeded', config, result);
      this.options.onAttempt?.('succeeded');
      return;
    }
    if (result.throttled) {
      await this.queue.retryLater(inv.id, attempt - 1, Date.now() + this.options.baseDelayMs, result.message);
      this.options.onAttempt?.('throttled');
      return;
    }
    if (result.final || attempt > maxRetries) {
      this.logger.warn({ requestId: inv.id, attempts: attempt }, 'async invocation failed for good');
      await this.#end(inv, 'Failed', config, result);
      this.options.onAttempt?.('failed');
      return;
    }
    const delay = this.options.baseDelayMs * 2 ** (attempt - 1);
    await this.queue.retryLater(inv.id, attempt, Date.now() + delay, result.message);
    this.options.onAttempt?.('retried');
  }

  async #attempt(inv: AsyncInvocation, attempt: number, signal: AbortSignal): Promise<Attempt> {
    try {
      const ref = {
        serviceRef: inv.serviceName,
        functionName: inv.functionName,
        qualifier: inv.qualifier,
        versionId: inv.versionId,
      };
      const target = await resolveTarget(this.store, ref).catch((error: unknown) => {
        if (isTargetGone(error)) return error;
        throw error;
      });
      if (target instanceof Error) {
        const message = `function ${inv.serviceName}/${inv.functionName} no longer exists: ${target.message}`;
        return { ok: false, message, condition: 'RetriesExhausted', final: true };
      }
      const result = await this.invoker.invoke({
        requestId: inv.id,
        service: target.service,
        fn: target.fn,
        revision: target.revision,
        qualifier: target.qualifier,
        versionId: target.versionId,
        payload: inv.payload,
        tailLogs: false,
        retryCount: attempt - 1,
        signal,
      });
      const errorType = result.headers['x-fc-error-type'];
      if (!errorType) return { ok: true, body: result.body };
      return { ok: false, message: result.body.toString(), condition: errorType };
    } catch (error) {
      const throttled =
        error instanceof FcError &&
        (error.code === 'ResourceThrottled' || error.code === 'ResourceExhausted');
      return { ok: false, message: (error as Error).message, condition: 'RetriesExhausted', throttled };
    }
  }

  /** Ends the invocation and, in the same transaction, enqueues its destination delivery if one is due. */
  async #end(
    inv: AsyncInvocation,
    status: 'Succeeded' | 'Failed' | 'Expired',
    config: AsyncConfig | undefined,
    result: Attempt,
  ): Promise<void> {
    const outcome: DestinationOutcome = result.ok
      ? { ok: true, condition: '', responsePayload: result.body.toString() }
      : { ok: false, condition: result.condition, responsePayload: errorPayload(result.message) };
    let delivery: AsyncInvocation | undefined;
    try {
      delivery = destinationDelivery(inv, config, outcome, this.options.home);
    } catch (error) {
      this.logger.warn({ err: error, requestId: inv.id }, 'async destination cannot be delivered');
    }
    const done = result.ok ? { result: result.body } : { error: result.message };
    await this.queue.finish(inv.id, status, inv.attempts, done, delivery);
    if (delivery) {
      this.logger.info({ requestId: inv.id, delivery: delivery.id }, 'async destination record queued');
      this.#schedule(0);
    }
  }
}

/** A failure as the record's response payload: the function's error JSON as it answered, or FC's shape. */
function errorPayload(message: string): string {
  try {
    const parsed: unknown = JSON.parse(message);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) return message;
  } catch {
    // not the function's error JSON: a platform message
  }
  return JSON.stringify({ errorMessage: message });
}
