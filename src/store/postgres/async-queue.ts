import type pg from 'pg';
import {
  type AsyncRow,
  INSERT_COLUMNS,
  insertValues,
  invocationExists,
  toInvocation,
} from '../async-rows.js';
import type {
  AsyncInvocation,
  AsyncListQuery,
  AsyncQueueStore,
  FinalAsyncStatus,
  StopResult,
} from '../async-types.js';
import type { Page } from '../types.js';
import { listInvocations } from './async-rows.js';
import { type Db, one, run, sqlState, transaction, UNIQUE_VIOLATION } from './db.js';

/**
 * The async queue in PostgreSQL, with the SQLite queue's semantics. A claim is one statement (`FOR UPDATE SKIP
 * LOCKED`), so nodes sharing the database never claim the same invocation twice.
 */
export class PgAsyncQueue implements AsyncQueueStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async backlog(): Promise<{ enqueued: number; running: number }> {
    const { rows } = await this.#pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM async_invocations WHERE status IN ('Enqueued', 'Running') GROUP BY status`,
    );
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    return { enqueued: count('Enqueued'), running: count('Running') };
  }

  enqueue(inv: AsyncInvocation): Promise<void> {
    return insert(this.#pool, inv);
  }

  async claimDue(now: number): Promise<AsyncInvocation | undefined> {
    // The attempt is counted as it starts, in the same statement: one cut short by a crash still counts.
    const row = await one<AsyncRow>(
      this.#pool,
      `UPDATE async_invocations SET status = 'Running', attempts = attempts + 1, started_at = coalesce(started_at, $1)
       WHERE id = (SELECT id FROM async_invocations WHERE status = 'Enqueued' AND next_attempt_at <= $1
                   ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now],
    );
    return row && toInvocation(row);
  }

  async retryLater(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    // A stop asked for while the attempt ran wins over the retry: a stopped invocation is never retried.
    await run(
      this.#pool,
      `UPDATE async_invocations
       SET status = CASE WHEN stop_requested THEN 'Stopped' ELSE 'Enqueued' END,
           ended_at = CASE WHEN stop_requested THEN $1::bigint ELSE NULL END,
           attempts = $2, next_attempt_at = $3, error = $4 WHERE id = $5`,
      [Date.now(), attempts, nextAttemptAt, error, id],
    );
  }

  async finish(
    id: string,
    status: FinalAsyncStatus,
    attempts: number,
    outcome: { result?: Buffer; error?: string },
    delivery?: AsyncInvocation,
  ): Promise<void> {
    await transaction(this.#pool, async (db) => {
      await run(
        db,
        'UPDATE async_invocations SET status = $1, attempts = $2, ended_at = $3, result = $4, error = $5 WHERE id = $6',
        [status, attempts, Date.now(), outcome.result ?? null, outcome.error ?? null, id],
      );
      if (delivery) await insert(db, delivery);
    });
  }

  /** Without the cluster's leases (src/cluster/async-leases.ts wraps this queue there): the ids not Running. */
  async renewLeases(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#pool.query<{ id: string }>(
      `SELECT id FROM async_invocations WHERE status = 'Running' AND id = ANY($1)`,
      [ids],
    );
    const running = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !running.has(id));
  }

  async getAsync(id: string): Promise<AsyncInvocation | undefined> {
    const row = await one<AsyncRow>(this.#pool, 'SELECT * FROM async_invocations WHERE id = $1', [id]);
    return row && toInvocation(row);
  }

  async findInvocation(
    serviceName: string,
    functionName: string,
    invocationId: string,
  ): Promise<AsyncInvocation | undefined> {
    const row = await find(this.#pool, serviceName, functionName, invocationId);
    return row && toInvocation(row);
  }

  listInvocations(query: AsyncListQuery): Promise<Page<AsyncInvocation>> {
    return listInvocations(this.#pool, query);
  }

  requestStop(serviceName: string, functionName: string, invocationId: string): Promise<StopResult> {
    return transaction(this.#pool, async (db): Promise<StopResult> => {
      const row = await find(db, serviceName, functionName, invocationId, 'FOR UPDATE');
      if (!row) return 'missing';
      if (row.status === 'Enqueued') {
        await run(
          db,
          `UPDATE async_invocations SET status = 'Stopped', stop_requested = true, ended_at = $1 WHERE id = $2`,
          [Date.now(), row.id],
        );
        return 'stopped';
      }
      if (row.status === 'Running') {
        await run(db, 'UPDATE async_invocations SET stop_requested = true WHERE id = $1', [row.id]);
        return 'stopping';
      }
      return 'finished';
    });
  }

  async isStopRequested(id: string): Promise<boolean> {
    const row = await one<{ stop_requested: boolean }>(
      this.#pool,
      'SELECT stop_requested FROM async_invocations WHERE id = $1',
      [id],
    );
    return row?.stop_requested === true;
  }

  requeueRunning(): Promise<number> {
    return transaction(this.#pool, async (db) => {
      await run(
        db,
        `UPDATE async_invocations SET status = 'Stopped', ended_at = $1 WHERE status = 'Running' AND stop_requested`,
        [Date.now()],
      );
      return run(db, `UPDATE async_invocations SET status = 'Enqueued' WHERE status = 'Running'`);
    });
  }
}

async function insert(db: Db, inv: AsyncInvocation): Promise<void> {
  const values = insertValues(inv);
  const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
  try {
    await run(db, `INSERT INTO async_invocations (${INSERT_COLUMNS}) VALUES (${placeholders})`, values);
  } catch (error) {
    if (sqlState(error) === UNIQUE_VIOLATION) throw invocationExists(inv);
    throw error;
  }
}

function find(
  db: Db,
  serviceName: string,
  functionName: string,
  invocationId: string,
  lock = '',
): Promise<AsyncRow | undefined> {
  return one<AsyncRow>(
    db,
    `SELECT * FROM async_invocations WHERE service = $1 AND function = $2 AND invocation_id = $3 ${lock}`,
    [serviceName, functionName, invocationId],
  );
}
