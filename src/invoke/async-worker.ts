import type { Logger } from 'pino';
import type { AsyncInvocation, AsyncQueueStore, MetaStore } from '../store/index.js';
import type { Invoker } from './invoker.js';
import { isTargetGone, resolveTarget } from './resolve.js';

export interface AsyncWorkerOptions {
  /** Calls run at once across all functions. */
  concurrency: number;
  /** Retries after the first attempt when the function fails (FC's default is 3). */
  maxRetries: number;
  /** Backoff before retry n is `baseDelayMs * 2^(n-1)`. */
  baseDelayMs: number;
  pollMs: number;
}

/**
 * Runs accepted async invocations from the durable queue: at least once, with retries and backoff on
 * function errors and platform failures. A crash mid-run leaves the row Running; the next start requeues it.
 */
export class AsyncWorker {
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    readonly queue: AsyncQueueStore,
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
  }

  /** Looks for work now (after an enqueue) instead of at the next poll. */
  notify(): void {
    this.#schedule(0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(delay: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#drain(), delay).unref();
  }

  async #drain(): Promise<void> {
    while (!this.#closed && this.#running < this.options.concurrency) {
      const invocation = await this.queue.claimDue(Date.now());
      if (!invocation) break;
      this.#running++;
      const run = this.#run(invocation).finally(() => {
        this.#running--;
        this.#inFlight.delete(run);
        this.#schedule(0);
      });
      this.#inFlight.add(run);
    }
    this.#schedule(this.options.pollMs);
  }

  async #run(inv: AsyncInvocation): Promise<void> {
    // Counted by the queue as it was claimed; earlier attempts cut short by a server crash are included.
    const attempt = inv.attempts;
    let failure: string;
    if (attempt > this.options.maxRetries + 1) {
      await this.queue.finish(inv.id, 'Failed', attempt - 1, {
        error: `cut short by a server stop on its last allowed attempt (${attempt - 1} attempts made)`,
      });
      return;
    }
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
        await this.queue.finish(inv.id, 'Failed', attempt, {
          error: `function ${inv.serviceName}/${inv.functionName} no longer exists: ${target.message}`,
        });
        return;
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
      });
      if (!result.headers['x-fc-error-type']) {
        await this.queue.finish(inv.id, 'Succeeded', attempt, { result: result.body });
        return;
      }
      failure = result.body.toString();
    } catch (error) {
      failure = (error as Error).message;
    }
    if (attempt > this.options.maxRetries) {
      this.logger.warn({ requestId: inv.id, attempts: attempt }, 'async invocation failed for good');
      await this.queue.finish(inv.id, 'Failed', attempt, { error: failure });
      return;
    }
    const delay = this.options.baseDelayMs * 2 ** (attempt - 1);
    await this.queue.retryLater(inv.id, attempt, Date.now() + delay, failure);
  }
}
