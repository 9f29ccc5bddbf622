import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { requestKey } from '../../src/logs/request-keys.js';
import { SqliteLogStore } from '../../src/logs/sqlite.js';
import type { LogLine } from '../../src/logs/types.js';
import { createVersion1LogsDb } from './version1-logs-db.js';

const line = (requestId: string, message: string, time = Date.now()): LogLine => ({
  time,
  serviceName: 'svc',
  functionName: 'fn',
  qualifier: 'LATEST',
  requestId,
  instanceId: 'i-1',
  message,
});

function tempDb(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'logs.db');
}

const byRequest = (store: SqliteLogStore, requestId: string) =>
  store.query({ serviceName: 'svc', functionName: 'fn', requestId, limit: 1000 }).map((r) => r.message);

test('a request id finds its lines across batches, in order, and no one else’s', (t) => {
  const store = new SqliteLogStore(tempDb(t));
  t.after(() => store.close());
  // A long call (req-a) spans three batches with other calls in between.
  store.insert([line('req-a', 'FC Invoke Start RequestId: req-a'), line('req-b', 'b1'), line('', 'between')]);
  for (let i = 0; i < 50; i++) store.insert([line(`other-${i}`, `o${i}`), line(`other-${i}`, `o${i}'`)]);
  store.insert([line('req-a', 'a middle'), line('req-b', 'b2')]);
  store.insert([line('req-a', 'FC Invoke End RequestId: req-a'), line('req-a', 'Duration: 1 ms')]);
  assert.deepEqual(byRequest(store, 'req-a'), [
    'FC Invoke Start RequestId: req-a',
    'a middle',
    'FC Invoke End RequestId: req-a',
    'Duration: 1 ms',
  ]);
  assert.deepEqual(byRequest(store, 'req-b'), ['b1', 'b2']);
  assert.deepEqual(byRequest(store, 'other-7'), ['o7', "o7'"]);
  assert.deepEqual(byRequest(store, 'nobody'), []);
  // The newest `limit` lines of the request, oldest first, as before.
  const newest = store.query({ serviceName: 'svc', functionName: 'fn', requestId: 'req-a', limit: 2 });
  assert.deepEqual(
    newest.map((r) => r.message),
    ['FC Invoke End RequestId: req-a', 'Duration: 1 ms'],
  );
  // The table has no index on the request id any more.
  const db = new Database(store.file, { readonly: true });
  t.after(() => db.close());
  const indexes = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'logs'")
    .all();
  assert.deepEqual(indexes, [{ name: 'logs_function_time' }]);
});

test('lines of a logs.db with the old request index are still found by request id after the migration', (t) => {
  const file = tempDb(t);
  const old = createVersion1LogsDb(file);
  const insert = old.prepare(
    `INSERT INTO logs (time, service, function, qualifier, request_id, instance_id, message)
     VALUES (?, 'svc', 'fn', 'LATEST', ?, 'i-1', ?)`,
  );
  for (let i = 0; i < 10; i++) insert.run(Date.now(), `old-${i % 3}`, `old line ${i}`);
  old.close();

  const store = new SqliteLogStore(file);
  t.after(() => store.close());
  store.insert([line('old-1', 'new line for old-1'), line('new', 'new line')]);
  assert.deepEqual(byRequest(store, 'old-1'), [
    'old line 1',
    'old line 4',
    'old line 7',
    'new line for old-1',
  ]);
  assert.deepEqual(byRequest(store, 'new'), ['new line']);
});

test('retention drops the blocks of deleted lines, and lookups still work after it', (t) => {
  const store = new SqliteLogStore(tempDb(t));
  t.after(() => store.close());
  const now = Date.now();
  store.insert([line('gone', 'old', now - 3600_000)]);
  store.insert([line('kept', 'new', now)]);
  const result = store.enforceRetention({ maxAgeMs: 60_000, maxBytes: 1024 ** 3 }, now);
  assert.equal(result.deletedRows, 1);
  assert.deepEqual(byRequest(store, 'gone'), []);
  assert.deepEqual(byRequest(store, 'kept'), ['new']);
  const db = new Database(store.file, { readonly: true });
  t.after(() => db.close());
  assert.equal((db.prepare('SELECT count(*) AS n FROM log_blocks').get() as { n: number }).n, 1);
});

test('request keys: stable, and distinct for ids that differ in one character', () => {
  assert.equal(requestKey('abc'), requestKey('abc'));
  assert.notEqual(
    requestKey('4f1c0f3e-0000-4000-8000-000000000001'),
    requestKey('4f1c0f3e-0000-4000-8000-000000000002'),
  );
});
