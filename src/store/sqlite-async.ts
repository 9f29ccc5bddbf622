import type Database from 'better-sqlite3';
import type { AsyncInvocation, AsyncQueueStore } from './async-types.js';

interface AsyncRow {
  id: string;
  service: string;
  function: string;
  qualifier: string;
  version_id: string | null;
  payload: Buffer;
  status: AsyncInvocation['status'];
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  result: Buffer | null;
}

/** The async queue in the metadata database (same file, same transactions). */
export class SqliteAsyncQueue implements AsyncQueueStore {
  constructor(readonly db: Database.Database) {}

  async enqueue(inv: AsyncInvocation): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO async_invocations (id, service, function, qualifier, version_id, payload, status, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        inv.id,
        inv.serviceName,
        inv.functionName,
        inv.qualifier,
        inv.versionId ?? null,
        inv.payload,
        inv.status,
        inv.attempts,
        inv.nextAttemptAt,
        inv.createdAt,
      );
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
    this.db
      .prepare(
        `UPDATE async_invocations SET status = 'Enqueued', attempts = ?, next_attempt_at = ?, error = ? WHERE id = ?`,
      )
      .run(attempts, nextAttemptAt, error, id);
  }

  async finish(
    id: string,
    status: 'Succeeded' | 'Failed',
    attempts: number,
    outcome: { result?: Buffer; error?: string },
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE async_invocations SET status = ?, attempts = ?, ended_at = ?, result = ?, error = ? WHERE id = ?`,
      )
      .run(status, attempts, Date.now(), outcome.result ?? null, outcome.error ?? null, id);
  }

  async getAsync(id: string): Promise<AsyncInvocation | undefined> {
    const row = this.db.prepare('SELECT * FROM async_invocations WHERE id = ?').get(id) as
      | AsyncRow
      | undefined;
    return row && toInvocation(row);
  }

  async requeueRunning(): Promise<number> {
    return this.db.prepare(`UPDATE async_invocations SET status = 'Enqueued' WHERE status = 'Running'`).run()
      .changes;
  }
}

function toInvocation(row: AsyncRow): AsyncInvocation {
  return {
    id: row.id,
    serviceName: row.service,
    functionName: row.function,
    qualifier: row.qualifier,
    versionId: row.version_id ?? undefined,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    endedAt: row.ended_at ?? undefined,
    error: row.error ?? undefined,
    result: row.result ?? undefined,
  };
}
