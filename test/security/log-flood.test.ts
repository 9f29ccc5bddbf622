import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { zipFiles } from '../helpers/code.js';
import { deployCustom, invoke } from '../helpers/functions.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  AGENT_FLOODS,
  assertHealthy,
  HOSTILE_WRITER,
  logsDbBytes,
  MiB,
  storedLines,
} from './hostile-writer.js';

/** Growth of this process's (the server's) RSS allowed across one flood; the floods are 100 to 600 MiB. */
const RSS_BOUND = 200 * MiB;
/** Growth of logs.db allowed across one flood: the instance's burst (8 MiB) and rate, in line cost, plus indexes. */
const DISK_BOUND = 48 * MiB;

async function setUp(t: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(t);
  await deployCustom(server.fc, 'svc', 'flood', HOSTILE_WRITER, { timeout: 120, memorySize: 256 });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  await assertHealthy(server, 'other');
  await invoke(server.fc, 'svc', 'flood', 'warm');
  return server;
}

/**
 * Runs one flood and checks the server stayed healthy and its memory and disk bounded. The function's writes are
 * asynchronous, so its output may still arrive after it answered: with `until`, waits until the notices say
 * enough was dropped, and returns every `Kumo:` notice of the function written since the call began.
 */
async function flood(server: TestServer, event: string, until?: (notices: string[]) => boolean) {
  const rssBefore = process.memoryUsage().rss;
  const diskBefore = logsDbBytes(server.dataDir);
  const since = Math.max(0, ...(await storedLines(server, 'flood', '')).map((line) => line.id));
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await invoke(server.fc, 'svc', 'flood', event);
    const requestId = result.headers['x-fc-request-id'] ?? '';
    assert.equal(result.body, `done ${event}`, 'the caller still gets the answer');
    assert.equal(result.errorType, undefined);
    await assertHealthy(server, 'other');
    let notices: string[] = [];
    await waitFor(async () => {
      const lines = await storedLines(server, 'flood', '', 'Kumo:');
      notices = lines.filter((line) => line.id > since).map((line) => line.message);
      return !until || until(notices);
    }, `the notices of ${event}`);
    await assertHealthy(server, 'other');
    const growth = { rss: peak - rssBefore, disk: logsDbBytes(server.dataDir) - diskBefore };
    assert.ok(growth.rss < RSS_BOUND, `RSS grew by ${(growth.rss / MiB).toFixed(0)} MiB`);
    assert.ok(growth.disk < DISK_BOUND, `logs.db grew by ${(growth.disk / MiB).toFixed(0)} MiB`);
    return { result, requestId, notices };
  } finally {
    clearInterval(sampler);
  }
}

/** Lines dropped, summed over the summaries among `notices`. */
const droppedLines = (notices: string[]) =>
  notices
    .map((notice) =>
      /^Kumo: log output exceeded 1 MiB\/s, (\d+) lines \([\d.]+ [KM]iB\) dropped$/.exec(notice),
    )
    .reduce((sum, match) => sum + Number(match?.[1] ?? 0), 0);

test('log floods: the server stays up, memory and disk stay bounded, the function log says what was dropped', async (t) => {
  const server = await setUp(t);

  await t.test('600 MiB on stdout without a newline: one line, cut at 32 KiB, marked', async () => {
    const { requestId, result } = await flood(server, 'nonewline:600');
    const cut = await storedLines(server, 'flood', requestId, 'line cut at');
    assert.equal(cut.length, 1);
    const message = cut[0]?.message ?? '';
    assert.ok(message.endsWith('x ... [Kumo: line cut at 32 KiB]'), message.slice(-200));
    assert.ok(Buffer.byteLength(message) <= 32 * 1024 + 100, `${Buffer.byteLength(message)} bytes`);
    await waitFor(
      async () => (await storedLines(server, 'flood', requestId, 'after the flood')).length === 1,
      'the next line, its own line again',
    );
    assert.match(
      result.logs,
      /x \.\.\. \[Kumo: line cut at 32 KiB\]\n/,
      "the caller's log tail shows the cut",
    );
  });

  await t.test('200 MiB of ordinary lines on stdout: rate-limited with a notice', async () => {
    const { notices } = await flood(server, 'lines:200', (n) => droppedLines(n) > 2_000_000);
    assert.ok(
      notices.includes('Kumo: log output exceeds 1 MiB/s (burst 8 MiB): lines are dropped'),
      notices.join('\n'),
    );
    assert.ok(notices.length <= 20, `${notices.length} notices`);
  });

  await t.test('100 MiB of lines on stderr: the same limits', async () => {
    const { notices } = await flood(server, 'stderr:100', (n) => droppedLines(n) > 1_000_000);
    assert.ok(notices.length <= 20, `${notices.length} notices`);
  });

  await t.test('20 million empty lines: each line costs its row, so they are limited too', async () => {
    const { notices } = await flood(server, 'empty:20', (n) => droppedLines(n) > 19_000_000);
    assert.ok(notices.length <= 20, `${notices.length} notices`);
  });
});

test('built-in runtimes: one 100 MiB print is one line cut at 32 KiB, and the agent carries on', async (t) => {
  const server = await startTestServer(t);
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  for (const [runtime, files] of Object.entries(AGENT_FLOODS)) {
    const name = runtime.replace('.', '_');
    await server.fc.createFunction('svc', {
      functionName: name,
      runtime,
      handler: 'index.handler',
      memorySize: 1024,
      timeout: 60,
      code: { zipFile: await zipFiles(files) },
    });
    const result = await invoke(server.fc, 'svc', name, '100');
    assert.equal(result.body, 'done', runtime);
    const requestId = result.headers['x-fc-request-id'] ?? '';
    await waitFor(
      async () => (await storedLines(server, name, requestId, 'after the flood')).length === 1,
      `${runtime}: the line after the flood`,
    );
    const cut = await storedLines(server, name, requestId, 'line cut at');
    assert.equal(cut.length, 1, runtime);
    assert.ok(Buffer.byteLength(cut[0]?.message ?? '') <= 32 * 1024 + 100);
    await assertHealthy(server, 'other');
  }
});

test('a call over its log budget (KUMO_LOG_CALL_BYTES) loses its further lines, with a notice', async (t) => {
  const server = await startTestServer(t, { logCallBytes: 2 * MiB, logRateBytesPerSecond: 1024 * MiB });
  await deployCustom(server.fc, 'svc', 'flood', HOSTILE_WRITER, { timeout: 60 });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  const result = await invoke(server.fc, 'svc', 'flood', 'flushed:20');
  const requestId = result.headers['x-fc-request-id'] ?? '';
  const notices = (await storedLines(server, 'flood', requestId, 'Kumo:')).map((line) => line.message);
  assert.deepEqual(notices.length, 2, notices.join('\n'));
  assert.equal(notices[0], 'Kumo: this invocation logged more than 2 MiB: its further lines are dropped');
  assert.match(notices[1] ?? '', /^Kumo: log output of this invocation exceeded 2 MiB, \d+ lines/);
  await assertHealthy(server, 'other');
});

test('log retention: lines older than KUMO_LOG_RETENTION_MS are deleted', async (t) => {
  const server = await startTestServer(t, { logRetentionMs: 1500, logRetentionIntervalMs: 200 });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  const first = await invoke(server.fc, 'svc', 'other', 'old');
  const requestId = first.headers['x-fc-request-id'] ?? '';
  assert.ok((await storedLines(server, 'other', requestId)).length > 0);
  await waitFor(
    async () => (await storedLines(server, 'other', requestId)).length === 0,
    'old lines deleted',
  );
});

test('log retention: logs.db is kept under KUMO_LOG_RETENTION_BYTES, and the disk is given back', async (t) => {
  const limit = 4 * MiB;
  const server = await startTestServer(t, { logRetentionBytes: limit, logRetentionIntervalMs: 200 });
  await deployCustom(server.fc, 'svc', 'flood', HOSTILE_WRITER, { timeout: 60 });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  const result = await invoke(server.fc, 'svc', 'flood', 'lines:30');
  const requestId = result.headers['x-fc-request-id'] ?? '';
  const last = await invoke(server.fc, 'svc', 'other', 'newest');
  await storedLines(server, 'flood', requestId);
  await waitFor(async () => logsDbBytes(server.dataDir) <= limit, `logs.db under ${limit} bytes`);
  const newest = await storedLines(server, 'other', last.headers['x-fc-request-id'] ?? '', 'hello');
  assert.equal(newest.length, 1, 'the newest lines are kept');
});

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(100);
  }
}
