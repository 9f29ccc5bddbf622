import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteLogStore } from '../../src/logs/sqlite.js';
import type { LogLine } from '../../src/logs/types.js';
import { createVersion1LogsDb } from './version1-logs-db.js';

const line = (time: number, i: number): LogLine => ({
  time,
  serviceName: 'svc',
  functionName: 'fn',
  qualifier: 'LATEST',
  requestId: `req-${Math.floor(i / 100)}`,
  instanceId: 'i-1',
  message: `line ${i} ${'x'.repeat(200)}`,
});

function autoVacuum(file: string): unknown {
  const db = new Database(file);
  try {
    return db.pragma('auto_vacuum', { simple: true });
  } finally {
    db.close();
  }
}

function tempDb(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'logs.db');
}

test('retention deletes by age, then the oldest lines over the size, and the file shrinks', (t) => {
  const file = tempDb(t);
  const store = new SqliteLogStore(file);
  t.after(() => store.close());
  const now = Date.now();
  for (let batch = 0; batch < 20; batch++) {
    store.insert(
      Array.from({ length: 1000 }, (_, i) => line(now - (batch < 5 ? 3600_000 : 0), batch * 1000 + i)),
    );
  }
  const byAge = store.enforceRetention({ maxAgeMs: 60_000, maxBytes: 1024 ** 3 }, now);
  assert.equal(byAge.deletedRows, 5000, 'the 5000 lines of an hour ago');
  const all = store.query({ serviceName: 'svc', functionName: 'fn', limit: 100_000 });
  assert.equal(all.length, 15_000);
  assert.match(all[0]?.message ?? '', /^line 5000 /);

  const bySize = store.enforceRetention({ maxAgeMs: 60_000, maxBytes: 1024 * 1024 }, now);
  assert.ok(bySize.deletedRows > 5000, `${bySize.deletedRows} deleted`);
  assert.ok(bySize.bytesAfter <= 1024 * 1024, `${bySize.bytesAfter} bytes on disk`);
  assert.ok(bySize.bytesAfter < bySize.bytesBefore / 2);
  const kept = store.query({ serviceName: 'svc', functionName: 'fn', limit: 100_000 });
  assert.equal(kept.at(-1)?.message.startsWith('line 19999 '), true, 'the newest lines are kept');
});

test('a logs.db of an older Kumo (no auto-vacuum) is converted, and gives its space back', (t) => {
  const file = tempDb(t);
  const old = createVersion1LogsDb(file);
  const insert = old.prepare(
    `INSERT INTO logs (time, service, function, qualifier, request_id, instance_id, message)
     VALUES (@time, @serviceName, @functionName, @qualifier, @requestId, @instanceId, @message)`,
  );
  old.transaction(() => {
    for (let i = 0; i < 20_000; i++) insert.run(line(0, i));
  })();
  old.close();
  assert.equal(autoVacuum(file), 0);

  const store = new SqliteLogStore(file);
  t.after(() => store.close());
  const result = store.enforceRetention({ maxAgeMs: 60_000, maxBytes: 1024 ** 3 });
  assert.equal(result.deletedRows, 20_000);
  assert.ok(statSync(file).size < 100 * 1024, `${statSync(file).size} bytes left`);
  store.close();
  assert.equal(autoVacuum(file), 2, 'incremental from now on');
});
