import Database from 'better-sqlite3';

/** A logs.db as Kumo wrote it at schema version 1 (with the index on request ids), for migration tests. */
export function createVersion1LogsDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, service TEXT NOT NULL,
    function TEXT NOT NULL, qualifier TEXT NOT NULL, request_id TEXT NOT NULL, instance_id TEXT NOT NULL,
    message TEXT NOT NULL);
    CREATE INDEX logs_function_time ON logs(service, function, time);
    CREATE INDEX logs_request ON logs(request_id);`);
  db.pragma('user_version = 1');
  return db;
}
