import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { LogBatchBuilder, lineAt } from '../../src/logs/batch.js';
import { SqliteLogStore } from '../../src/logs/sqlite.js';
import type { LogLine } from '../../src/logs/types.js';

const line = (instanceId: string, message: string, functionName = 'fn'): LogLine => ({
  time: 1_700_000_000_000 + message.length,
  serviceName: 'svc',
  functionName,
  qualifier: 'LATEST',
  requestId: `req-${message}`,
  instanceId,
  message,
});

test('a batch sent to the log thread in columns gives back every line as it was, in order', () => {
  const lines = [
    line('i-1', 'FC Invoke Start'),
    line('i-2', 'from another instance'),
    line('i-1', 'FC Invoke End'),
    // The same instance id under other names (never happens): still each line's own names.
    line('i-1', 'odd one', 'other-fn'),
    line('i-1', ''),
  ];
  const builder = new LogBatchBuilder();
  for (const each of lines) builder.add(each);
  assert.equal(builder.length, lines.length);
  const batch = deserialize(serialize(builder.take())); // what the thread receives
  assert.equal(builder.length, 0, 'take() starts a new batch');
  assert.deepEqual(
    lines.map((_, index) => lineAt(batch, index)),
    lines,
  );
  assert.equal(batch.sources.length / 4, 3, "an instance's names go once per batch");
});

test('the log store writes a columned batch as it writes lines', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-batch-'));
  const store = new SqliteLogStore(join(dir, 'logs.db'));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const builder = new LogBatchBuilder();
  builder.add(line('i-1', 'first'));
  builder.add(line('i-1', 'second'));
  store.insertBatch(builder.take());
  const rows = store.query({ serviceName: 'svc', functionName: 'fn', limit: 10 });
  assert.deepEqual(
    rows.map((row) => [row.message, row.requestId, row.instanceId, row.qualifier, row.time]),
    [
      ['first', 'req-first', 'i-1', 'LATEST', 1_700_000_000_005],
      ['second', 'req-second', 'i-1', 'LATEST', 1_700_000_000_006],
    ],
  );
});
