import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { InstanceLogCapture } from '../../src/logs/index.js';
import type { LogLine, LogStore } from '../../src/logs/types.js';
import { until } from '../helpers/poll.js';

/** A LogStore that keeps lines in memory: the seam the capture writes through. */
function memoryStore(): LogStore & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    append: (line) => void lines.push(line),
    query: async () => [],
    close: async () => undefined,
  };
}

test('lines go to the request they name (FC and Go log formats), the only call in flight, or the instance', async () => {
  const store = memoryStore();
  const out = new PassThrough();
  const meta = { serviceName: 's', functionName: 'f', qualifier: 'LATEST', instanceId: 'i-1' };
  const capture = new InstanceLogCapture(meta, store, [out]);
  capture.begin('req-a');
  capture.begin('req-b');
  out.write('2026-12-01T02:40:57.723Z req-b [INFO] from the context logger\n');
  out.write('2026/12/01 02:40:57.723119  req-a [ERROR] {"errorMessage":"panic"}\n');
  out.write('no request named here\n');
  capture.end('req-b');
  out.write('after b ended, only a is in flight\n');
  const byMessage = await until(
    () => (store.lines.length === 4 ? new Map(store.lines.map((l) => [l.message, l.requestId])) : undefined),
    { what: 'four lines stored' },
  );
  assert.equal(byMessage.get('2026-12-01T02:40:57.723Z req-b [INFO] from the context logger'), 'req-b');
  assert.equal(byMessage.get('2026/12/01 02:40:57.723119  req-a [ERROR] {"errorMessage":"panic"}'), 'req-a');
  assert.equal(byMessage.get('no request named here'), '', 'two calls in flight: the instance keeps it');
  assert.equal(byMessage.get('after b ended, only a is in flight'), 'req-a');
});
