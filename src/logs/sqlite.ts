import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type LogBatch, lineAt } from './batch.js';
import type { LogRetention } from './limits.js';
import { BlockKeys, keyBytes, REQUEST_KEYS_MIGRATION, rangeCondition, requestKey } from './request-keys.js';
import type { LogLine, LogQuery, LogRecord } from './types.js';

const MIGRATIONS = [
  `CREATE TABLE logs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     time INTEGER NOT NULL,
     service TEXT NOT NULL,
     function TEXT NOT NULL,
     qualifier TEXT NOT NULL,
     request_id TEXT NOT NULL,
     instance_id TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX logs_function_time ON logs(service, function, time);
   CREATE INDEX logs_request ON logs(request_id);`,
  REQUEST_KEYS_MIGRATION,
];

/** Retention deletes in chunks of this many rows, so a query waits for one chunk at most. */
const DELETE_CHUNK_ROWS = 20_000;
/** Over the size limit, delete down to this share of it, so the next lines do not trigger it again at once. */
const SIZE_TARGET = 0.8;
const INCREMENTAL_VACUUM = 2;

export interface RetentionResult {
  deletedRows: number;
  /** `logs.db` plus its WAL, before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * Function logs in their own SQLite file, so heavy logging never contends with metadata writes. Synchronous:
 * the server runs it on the log thread (`ThreadedLogStore`). `auto_vacuum = INCREMENTAL`, so retention gives
 * deleted lines' space back to the file system.
 */
export class SqliteLogStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #insertBlock: Database.Statement;
  readonly #blockKeys = new BlockKeys();
  /** An older logs.db without incremental auto-vacuum: one full VACUUM converts it. */
  #needsVacuum = false;

  constructor(readonly file: string) {
    this.#db = new Database(file);
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (this.#db.pragma('auto_vacuum', { simple: true }) !== INCREMENTAL_VACUUM) {
      // Takes effect at once on a new file; an existing one needs a VACUUM (done by the first retention pass).
      this.#db.pragma('auto_vacuum = INCREMENTAL');
      this.#needsVacuum = version > 0;
    }
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    this.#db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) this.#db.exec(MIGRATIONS[v] as string);
      this.#db.pragma(`user_version = ${MIGRATIONS.length}`);
    })();
    this.#insert = this.#db.prepare(
      `INSERT INTO logs (time, service, function, qualifier, request_id, instance_id, message)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertBlock = this.#db.prepare('INSERT INTO log_blocks (first, last, keys) VALUES (?, ?, ?)');
  }

  /** Writes a batch in one transaction. */
  insert(lines: LogLine[]): void {
    this.#writeAll(lines.length, (i) => lines[i] as LogLine);
  }

  /** Writes a thread's batch (batch.ts) in one transaction. */
  insertBatch(batch: LogBatch): void {
    this.#writeAll(batch.times.length, (i) => lineAt(batch, i));
  }

  /** Writes `count` lines in one transaction, then the block of their id range and request keys (request-keys.ts). */
  #writeAll(count: number, line: (index: number) => LogLine): void {
    if (count === 0 || !this.#db.open) return;
    this.#db.transaction(() => {
      const first = this.#write(line(0));
      let last = first;
      for (let i = 1; i < count; i++) last = this.#write(line(i));
      const keys = this.#blockKeys.take();
      if (keys) this.#insertBlock.run(first, last, keys);
    })();
  }

  /** Positional parameters: binding named ones looks each name up in the object, per line. Returns the id. */
  #write(line: LogLine): number {
    this.#blockKeys.add(line.requestId);
    return this.#insert.run(
      line.time,
      line.serviceName,
      line.functionName,
      line.qualifier,
      line.requestId,
      line.instanceId,
      line.message,
    ).lastInsertRowid as number;
  }

  query(query: LogQuery): LogRecord[] {
    const where = ['service = ?', 'function = ?'];
    const args: (string | number)[] = [query.serviceName, query.functionName];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined || value === '') return;
      where.push(clause);
      args.push(value);
    };
    if (query.requestId) {
      const ranges = this.#db
        .prepare('SELECT first, last FROM log_blocks WHERE keys IS NULL OR instr(keys, ?) > 0 ORDER BY rowid')
        .all(keyBytes(requestKey(query.requestId))) as { first: number; last: number }[];
      const condition = rangeCondition(ranges);
      if (!condition) return [];
      // `+column`: not through the (service, function, time) index, which would read all the function's lines.
      where[0] = '+service = ?';
      where[1] = '+function = ?';
      where.push(condition[0]);
      args.push(...condition[1]);
    }
    add('request_id = ?', query.requestId);
    add('time >= ?', query.since);
    add('time < ?', query.until);
    add('instr(message, ?) > 0', query.text);
    add('id > ?', query.after);
    // The newest `limit` lines, returned oldest first.
    const rows = this.#db
      .prepare(
        `SELECT * FROM (SELECT id, time, service AS serviceName, function AS functionName, qualifier,
           request_id AS requestId, instance_id AS instanceId, message
         FROM logs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?) ORDER BY id`,
      )
      .all(...args, query.limit) as LogRecord[];
    return rows;
  }

  /**
   * Deletes lines older than `maxAgeMs`, then the oldest lines while the live data is over `maxBytes`, and gives
   * the freed pages back to the file system (incremental vacuum, WAL truncated).
   */
  enforceRetention(
    retention: Pick<LogRetention, 'maxAgeMs' | 'maxBytes'>,
    now = Date.now(),
  ): RetentionResult {
    const bytesBefore = this.diskBytes();
    let deletedRows = 0;
    // Ids grow with time, so the old lines are the lowest ids: look only at the oldest chunk each round.
    for (;;) {
      const row = this.#db
        .prepare(
          `SELECT max(id) AS last FROM (SELECT id, time FROM logs ORDER BY id LIMIT ${DELETE_CHUNK_ROWS}) WHERE time < ?`,
        )
        .get(now - retention.maxAgeMs) as { last: number | null };
      if (row.last === null) break;
      deletedRows += this.#db.prepare('DELETE FROM logs WHERE id <= ?').run(row.last).changes;
    }
    const live = this.#liveBytes();
    if (live > retention.maxBytes) {
      const range = this.#db.prepare('SELECT min(id) AS first, max(id) AS last FROM logs').get() as {
        first: number | null;
        last: number | null;
      };
      if (range.first !== null && range.last !== null) {
        const perRow = live / (range.last - range.first + 1);
        const excess = Math.ceil((live - retention.maxBytes * SIZE_TARGET) / perRow);
        const end = range.first + excess;
        for (let from = range.first; from < end; from += DELETE_CHUNK_ROWS) {
          const to = Math.min(end, from + DELETE_CHUNK_ROWS);
          deletedRows += this.#db.prepare('DELETE FROM logs WHERE id >= ? AND id < ?').run(from, to).changes;
        }
      }
    }
    if (deletedRows > 0) {
      // Blocks whose lines are all gone; with no line left, every block.
      this.#db
        .prepare('DELETE FROM log_blocks WHERE last < coalesce((SELECT min(id) FROM logs), 9e18)')
        .run();
    }
    if (this.#needsVacuum) {
      this.#db.exec('VACUUM');
      this.#needsVacuum = false;
    } else if (deletedRows > 0) {
      this.#db.pragma('incremental_vacuum');
    }
    if (deletedRows > 0) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return { deletedRows, bytesBefore, bytesAfter: this.diskBytes() };
  }

  /** Bytes of the database in use (pages not on the free list). */
  #liveBytes(): number {
    const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /** Size of the file and its WAL on disk. */
  diskBytes(): number {
    const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    return size(this.file) + size(`${this.file}-wal`);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
