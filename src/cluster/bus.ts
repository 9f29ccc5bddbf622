import pg from 'pg';
import type { Logger } from 'pino';

const CHANNEL = 'kumo_changes';

/** What changed on some node; the receiving node re-reads the named resource from the store. */
export type ClusterChange =
  /** `revision`: the one the change made current, when only the function changed (its instances stay). */
  | { kind: 'function'; serviceName: string; functionName: string; versionId?: string; revision?: string }
  | { kind: 'trigger'; serviceName: string; functionName: string; triggerName: string; deleted: boolean }
  | { kind: 'customDomain'; domainName: string; deleted: boolean }
  | { kind: 'provision' };

export interface BusHandlers {
  onChange(change: ClusterChange): void;
  /**
   * The listening connection was lost and is back: notifications sent meanwhile are gone, so whatever is held in
   * memory from the store must be reloaded as a whole.
   */
  onResync(): void;
}

/**
 * Cache invalidation across nodes with PostgreSQL's LISTEN/NOTIFY: one dedicated connection listens; a change is
 * published with `pg_notify` (delivered to listeners when the sending transaction commits). A node ignores its
 * own notifications (it already acted on the change). Notifications are a hint for freeing and refreshing memory;
 * correctness of calls does not rest on them (see docs/cluster.md: every call resolves the function's etag).
 */
export class ClusterBus {
  #client: pg.Client | undefined;
  #closed = false;
  #retryMs = 250;

  constructor(
    readonly connectionString: string,
    readonly pool: pg.Pool,
    readonly nodeName: string,
    readonly handlers: BusHandlers,
    readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => this.#receive(message.payload));
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'cluster change listener lost its connection');
      void client.end().catch(() => undefined);
      this.#reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#client = client;
    this.#retryMs = 250;
  }

  #reconnectLater(): void {
    this.#client = undefined;
    if (this.#closed) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 10_000);
    setTimeout(() => {
      if (this.#closed) return;
      this.#connect().then(
        () => this.handlers.onResync(),
        (error: unknown) => {
          this.logger.warn({ err: error }, 'cluster change listener could not reconnect');
          this.#reconnectLater();
        },
      );
    }, delay).unref();
  }

  #receive(payload: string | undefined): void {
    if (!payload) return;
    try {
      const { from, change } = JSON.parse(payload) as { from: string; change: ClusterChange };
      if (from === this.nodeName) return;
      this.handlers.onChange(change);
    } catch (error) {
      this.logger.warn({ err: error }, 'unreadable cluster change notification');
    }
  }

  /** Tells the other nodes; a failure is logged, not thrown (the change itself is already committed). */
  async publish(change: ClusterChange): Promise<void> {
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [
        CHANNEL,
        JSON.stringify({ from: this.nodeName, change }),
      ]);
    } catch (error) {
      this.logger.warn({ err: error, change }, 'could not notify the other nodes of a change');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.end().catch(() => undefined);
  }
}
