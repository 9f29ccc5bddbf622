import type pg from 'pg';
import type { AsyncInvocation, AsyncQueueStore } from '../store/index.js';
import { DB_NOW_MS, underSchemaLock } from './schema.js';

/**
 * The async queue shared by several nodes: claims are leases. A claim takes the oldest due invocation that is
 * Enqueued, or Running under a lease that has expired (its node died mid-call), with `FOR UPDATE SKIP LOCKED` so
 * concurrent claimers never wait on or take the same row; it counts the attempt it starts (the worker then applies
 * the function's retry config: an attempt cut short by a dead node counts as one). A running call renews its lease;
 * a node that stops renewing loses its invocations to the others after `leaseMs`. Times are PostgreSQL's clock.
 *
 * Wraps the PostgreSQL store's queue (every other operation is its), on its `async_invocations` table: the columns
 * used here are id, status, attempts, next_attempt_at, created_at, started_at, stop_requested, plus the two lease
 * columns this class adds.
 */
export class LeasedAsyncQueue implements AsyncQueueStore {
  constructor(
    readonly inner: AsyncQueueStore,
    readonly pool: pg.Pool,
    readonly nodeName: string,
    readonly leaseMs: number,
  ) {}

  /** Adds the lease columns (idempotent, under the cluster's schema lock: nodes may start at once). */
  static async migrate(pool: pg.Pool): Promise<void> {
    await underSchemaLock(
      pool,
      `ALTER TABLE async_invocations ADD COLUMN IF NOT EXISTS lease_owner text,
         ADD COLUMN IF NOT EXISTS lease_expires_at bigint;
       CREATE INDEX IF NOT EXISTS async_invocations_lease ON async_invocations (status, lease_expires_at)`,
    );
  }

  backlog(): Promise<{ enqueued: number; running: number }> {
    return this.inner.backlog();
  }

  async claimDue(now: number): Promise<AsyncInvocation | undefined> {
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH due AS (
         SELECT id FROM async_invocations
         WHERE (status = 'Enqueued' AND next_attempt_at <= $1)
            OR (status = 'Running' AND lease_expires_at < ${DB_NOW_MS})
         ORDER BY next_attempt_at, created_at
         LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE async_invocations a
       SET status = 'Running', attempts = a.attempts + 1, started_at = coalesce(a.started_at, $1),
           lease_owner = $2, lease_expires_at = ${DB_NOW_MS} + $3
       FROM due WHERE a.id = due.id
       RETURNING a.id`,
      [now, this.nodeName, this.leaseMs],
    );
    const id = rows[0]?.id;
    return id === undefined ? undefined : this.inner.getAsync(id);
  }

  async renewLeases(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE async_invocations SET lease_expires_at = ${DB_NOW_MS} + $3
       WHERE id = ANY($1) AND status = 'Running' AND lease_owner = $2 RETURNING id`,
      [ids, this.nodeName, this.leaseMs],
    );
    const kept = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !kept.has(id));
  }

  /**
   * At a node's start, only its own earlier incarnation's rows are put back (a restart under the same name):
   * other nodes' Running rows are live calls, and expired leases are claimed anyway.
   */
  async requeueRunning(): Promise<number> {
    await this.pool.query(
      `UPDATE async_invocations SET status = 'Stopped', ended_at = ${DB_NOW_MS}
       WHERE status = 'Running' AND lease_owner = $1 AND stop_requested`,
      [this.nodeName],
    );
    const { rowCount } = await this.pool.query(
      `UPDATE async_invocations SET status = 'Enqueued', lease_owner = NULL, lease_expires_at = NULL
       WHERE status = 'Running' AND lease_owner = $1`,
      [this.nodeName],
    );
    return rowCount ?? 0;
  }

  enqueue(invocation: AsyncInvocation): Promise<void> {
    return this.inner.enqueue(invocation);
  }
  retryLater(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    return this.inner.retryLater(id, attempts, nextAttemptAt, error);
  }
  finish(...args: Parameters<AsyncQueueStore['finish']>): Promise<void> {
    return this.inner.finish(...args);
  }
  getAsync(id: string): Promise<AsyncInvocation | undefined> {
    return this.inner.getAsync(id);
  }
  findInvocation(
    ...args: Parameters<AsyncQueueStore['findInvocation']>
  ): ReturnType<AsyncQueueStore['findInvocation']> {
    return this.inner.findInvocation(...args);
  }
  listInvocations(
    ...args: Parameters<AsyncQueueStore['listInvocations']>
  ): ReturnType<AsyncQueueStore['listInvocations']> {
    return this.inner.listInvocations(...args);
  }
  requestStop(
    ...args: Parameters<AsyncQueueStore['requestStop']>
  ): ReturnType<AsyncQueueStore['requestStop']> {
    return this.inner.requestStop(...args);
  }
  isStopRequested(id: string): Promise<boolean> {
    return this.inner.isStopRequested(id);
  }
}
