import type Database from 'better-sqlite3';
import { type AsyncRow, INSERT_COLUMNS, insertValues, invocationExists, toInvocation } from './async-rows.js';
import type {
  AsyncInvocation,
  AsyncListQuery,
  AsyncQueueStore,
  FinalAsyncStatus,
  StopResult,
} from './async-types.js';
import { listInvocations } from './sqlite-async-rows.js';
import type { Page } from './types.js';

/** The async queue in the metadata database (same file, same transactions). */
export class SqliteAsyncQueue implements AsyncQueueStore {
  constructor(readonly db: Database.Database) {}

  async backlog(): Promise<{ enqueued: number; running: number }> {
    const rows = this.db
      .prepare(
        `SELECT status, count(*) AS n FROM async_invocations WHERE status IN ('Enqueued', 'Running') GROUP BY status`,
      )
      .all() as { status: string; n: number }[];
    const count = (status: string) => rows.find((row) => row.status === status)?.n ?? 0;
    return { enqueued: count('Enqueued'), running: count('Running') };
  }

  async enqueue(inv: AsyncInvocation): Promise<void> {
    this.#insert(inv);
  }

  #insert(inv: AsyncInvocation): void {
    const values = insertValues(inv);
    try {
      this.db
        .prepare(
          `INSERT INTO async_invocations (${INSERT_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})`,
        )
        .run(...values);
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw invocationExists(inv);
      throw error;
    }
  }

  async claimDue(now: number): Promise<AsyncInvocation | undefined> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(
          `SELECT * FROM async_invocations WHERE status = 'Enqueued' AND next_attempt_at <= ?
           ORDER BY next_attempt_at, created_at LIMIT 1`,
        )
        .get(now) as AsyncRow | undefined;
      if (!row) return undefined;
      this.db
        .prepare(
          `UPDATE async_invocations SET status = 'Running', attempts = attempts + 1, started_at = coalesce(started_at, ?)
           WHERE id = ?`,
        )
        .run(now, row.id);
      // The attempt is counted as it starts, in the same transaction: one cut short by a crash still counts.
      return toInvocation({
        ...row,
        status: 'Running',
        attempts: row.attempts + 1,
        started_at: row.started_at ?? now,
      });
    })();
  }

  async retryLater(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    // A stop asked for while the attempt ran wins over the retry: a stopped invocation is never retried.
    this.db
      .prepare(
        `UPDATE async_invocations
         SET status = CASE WHEN stop_requested = 1 THEN 'Stopped' ELSE 'Enqueued' END,
             ended_at = CASE WHEN stop_requested = 1 THEN ? ELSE NULL END,
             attempts = ?, next_attempt_at = ?, error = ? WHERE id = ?`,
      )
      .run(Date.now(), attempts, nextAttemptAt, error, id);
  }

  async finish(
    id: string,
    status: FinalAsyncStatus,
    attempts: number,
    outcome: { result?: Buffer; error?: string },
    delivery?: AsyncInvocation,
  ): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE async_invocations SET status = ?, attempts = ?, ended_at = ?, result = ?, error = ? WHERE id = ?`,
        )
        .run(status, attempts, Date.now(), outcome.result ?? null, outcome.error ?? null, id);
      if (delivery) this.#insert(delivery);
    })();
  }

  async getAsync(id: string): Promise<AsyncInvocation | undefined> {
    const row = this.db.prepare('SELECT * FROM async_invocations WHERE id = ?').get(id) as
      | AsyncRow
      | undefined;
    return row && toInvocation(row);
  }

  async findInvocation(
    serviceName: string,
    functionName: string,
    invocationId: string,
  ): Promise<AsyncInvocation | undefined> {
    const row = this.#find(serviceName, functionName, invocationId);
    return row && toInvocation(row);
  }

  #find(serviceName: string, functionName: string, invocationId: string): AsyncRow | undefined {
    return this.db
      .prepare('SELECT * FROM async_invocations WHERE service = ? AND function = ? AND invocation_id = ?')
      .get(serviceName, functionName, invocationId) as AsyncRow | undefined;
  }

  async listInvocations(query: AsyncListQuery): Promise<Page<AsyncInvocation>> {
    return listInvocations(this.db, query);
  }

  async requestStop(serviceName: string, functionName: string, invocationId: string): Promise<StopResult> {
    return this.db.transaction((): StopResult => {
      const row = this.#find(serviceName, functionName, invocationId);
      if (!row) return 'missing';
      if (row.status === 'Enqueued') {
        this.db
          .prepare(
            `UPDATE async_invocations SET status = 'Stopped', stop_requested = 1, ended_at = ? WHERE id = ?`,
          )
          .run(Date.now(), row.id);
        return 'stopped';
      }
      if (row.status === 'Running') {
        this.db.prepare('UPDATE async_invocations SET stop_requested = 1 WHERE id = ?').run(row.id);
        return 'stopping';
      }
      return 'finished';
    })();
  }

  async isStopRequested(id: string): Promise<boolean> {
    const row = this.db.prepare('SELECT stop_requested FROM async_invocations WHERE id = ?').get(id) as
      | { stop_requested: number }
      | undefined;
    return row?.stop_requested === 1;
  }

  async requeueRunning(): Promise<number> {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE async_invocations SET status = 'Stopped', ended_at = ? WHERE status = 'Running' AND stop_requested = 1`,
        )
        .run(Date.now());
      return this.db
        .prepare(`UPDATE async_invocations SET status = 'Enqueued' WHERE status = 'Running'`)
        .run().changes;
    })();
  }

  async renewLeases(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const running = new Set(
      (
        this.db
          .prepare(
            `SELECT id FROM async_invocations WHERE status = 'Running' AND id IN (${ids.map(() => '?').join(',')})`,
          )
          .all(...ids) as { id: string }[]
      ).map((row) => row.id),
    );
    return ids.filter((id) => !running.has(id));
  }
}
