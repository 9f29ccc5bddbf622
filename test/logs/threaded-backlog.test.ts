import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ThreadedLogStore } from '../../src/logs/index.js';

test('lines the log thread has not written yet are capped: the excess is dropped and reported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const reports: number[] = [];
  const store = await ThreadedLogStore.open(join(dir, 'logs.db'), {
    onFailure: (error) => assert.fail(error),
    onBacklogDrop: (lines) => reports.push(lines),
  });
  t.after(() => store.close());
  const line = (message: string) => ({
    time: Date.now(),
    serviceName: 'svc',
    functionName: 'fn',
    qualifier: 'LATEST',
    requestId: 'r',
    instanceId: 'i',
    message,
  });
  // 400k lines of 200 characters (costing 328 bytes each: 131 MB) in one turn: the thread cannot keep up.
  const text = 'z'.repeat(200);
  for (let i = 0; i < 400_000; i++) store.append(line(text));
  const stored = await store.query({ serviceName: 'svc', functionName: 'fn', limit: 1, text: 'z' });
  assert.equal(stored.length, 1);
  store.append(line('after')); // accepted again once written: the drop is reported
  assert.equal(reports.length, 1);
  const dropped = reports[0] ?? 0;
  const kept = 400_000 - dropped;
  assert.ok(kept <= (64 * 1024 * 1024) / 328 + 1, `${kept} lines kept`);
  assert.ok(dropped > 190_000, `${dropped} dropped`);
  const after = await store.query({ serviceName: 'svc', functionName: 'fn', limit: 10, text: 'after' });
  assert.equal(after.length, 1);
});
