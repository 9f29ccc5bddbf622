import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FcClient } from '../../src/cli/client.js';
import { cliEnv } from '../helpers/cli.js';
import { deployCustom, functionLogs, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { kumoClient, sdkClient, startTestServer } from '../helpers/server.js';

interface AsyncRecord {
  status: string;
  attempts: number;
  returnPayload?: string;
  invocationErrorMessage?: string;
}

async function waitForEnd(
  client: FcClient,
  fn: string,
  id: string,
  timeoutMs = 20_000,
): Promise<AsyncRecord> {
  let last = '';
  return until(
    async () => {
      const response = await client.send(
        'GET',
        `/services/svc/functions/${fn}/stateful-async-invocations/${id}`,
      );
      last = response.body.toString();
      if (response.status !== 200) return undefined;
      const record = JSON.parse(last) as AsyncRecord;
      return record.status === 'Succeeded' || record.status === 'Failed' ? record : undefined;
    },
    { what: `async invocation ${id} finishes`, timeoutMs, intervalMs: 50, detail: () => last },
  );
}

test('async invocation: 202 at once, runs later; a failing function is retried, then marked Failed', async (t) => {
  const { fc, client } = await startTestServer(t, { asyncMaxRetries: 2, asyncRetryBaseMs: 100 });
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  const accepted = await fc.invokeFunction('svc', 'fn', 'later', { 'x-fc-invocation-type': 'Async' });
  assert.equal(accepted.data, '');
  const id = accepted.headers['x-fc-request-id'] as string;
  const done = await waitForEnd(client, 'fn', id);
  assert.equal(done.status, 'Succeeded');
  assert.equal(done.returnPayload, 'echo:later');

  const failing = await client.send('POST', '/services/svc/functions/fn/invocations', 'fail', {
    'x-fc-invocation-type': 'Async',
  });
  assert.equal(failing.status, 202);
  const failed = await waitForEnd(client, 'fn', failing.headers['x-fc-request-id'] ?? '');
  assert.equal(failed.status, 'Failed');
  assert.equal(failed.attempts, 3, 'the first attempt and two retries');
  assert.match(failed.invocationErrorMessage ?? '', /it failed/);
  const logs = await client.json<{ logs: { message: string }[] }>(
    'GET',
    `/services/svc/functions/fn/logs?requestId=${failing.headers['x-fc-request-id']}&text=FC%20Invoke%20Start`,
  );
  assert.equal(logs.logs.length, 3);

  const tooBig = await client.send(
    'POST',
    '/services/svc/functions/fn/invocations',
    Buffer.alloc(128 * 1024 + 1),
    { 'x-fc-invocation-type': 'Async' },
  );
  assert.equal(tooBig.status, 400);
  assert.equal(JSON.parse(tooBig.body.toString()).ErrorCode, 'EntityTooLarge');
});

test('an accepted async invocation survives a crash of the server (kill -9) and runs after the restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-async-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = async (): Promise<{ child: ChildProcess; url: string }> => {
    const child = spawn(
      process.execPath,
      [new URL('../../bin/kumo.js', import.meta.url).pathname, 'serve', '--port', '0', '--data-dir', dataDir],
      {
        env: { ...cliEnv(''), KUMO_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout?.on('data', (c) => {
      out += c;
    });
    const url = await until(() => /listening on (\S+)/.exec(out)?.[1], {
      what: 'kumo serve is listening',
      detail: () => out,
    });
    return { child, url };
  };
  const first = await start();
  await deployCustom(sdkClient(first.url), 'svc', 'slow', NODE_RUNTIME);
  const accepted = await kumoClient(first.url).send(
    'POST',
    '/services/svc/functions/slow/invocations',
    'sleep:1500',
    { 'x-fc-invocation-type': 'Async' },
  );
  assert.equal(accepted.status, 202);
  await until(
    async () =>
      (await functionLogs(kumoClient(first.url), 'svc', 'slow', { text: 'event sleep:1500' })).length > 0,
    { what: 'the async invocation runs in an instance' },
  );
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');

  const second = await start();
  const done = await waitForEnd(kumoClient(second.url), 'slow', accepted.headers['x-fc-request-id'] ?? '');
  assert.equal(done.status, 'Succeeded');
  assert.equal(done.returnPayload, 'slept 1500');
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
});
