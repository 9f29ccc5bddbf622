import Database from 'better-sqlite3';
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
];

const FLUSH_DELAY_MS = 50;

/**
 * Function logs in their own SQLite file, so heavy logging never contends with metadata writes. Synchronous:
 * the server runs it on the log thread (`ThreadedLogStore`).
 */
export class SqliteLogStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  #buffer: LogLine[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    this.#db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) this.#db.exec(MIGRATIONS[v] as string);
      this.#db.pragma(`user_version = ${MIGRATIONS.length}`);
    })();
    this.#insert = this.#db.prepare(
      `INSERT INTO logs (time, service, function, qualifier, request_id, instance_id, message)
       VALUES (@time, @serviceName, @functionName, @qualifier, @requestId, @instanceId, @message)`,
    );
  }

  append(line: LogLine): void {
    this.#buffer.push(line);
    this.#timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS).unref();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length === 0 || !this.#db.open) return;
    const lines = this.#buffer;
    this.#buffer = [];
    this.#db.transaction(() => {
      for (const line of lines) this.#insert.run(line);
    })();
  }

  query(query: LogQuery): LogRecord[] {
    this.flush();
    const where = ['service = ?', 'function = ?'];
    const args: (string | number)[] = [query.serviceName, query.functionName];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined || value === '') return;
      where.push(clause);
      args.push(value);
    };
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

  close(): void {
    this.flush();
    if (this.#db.open) this.#db.close();
  }
}
