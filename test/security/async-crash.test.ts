import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FcClient } from '../../src/cli/client.js';
import { cliEnv } from '../helpers/cli.js';
import { deployCustom } from '../helpers/functions.js';
import { kumoClient, sdkClient } from '../helpers/server.js';

/** Logs which attempt it is (FC's X-Fc-Retry-Count), then takes its time. */
const SLOW_ATTEMPT = {
  'package.json': '{"type":"commonjs"}',
  bootstrap: `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const retry = req.headers['x-fc-retry-count'] || '0';
    console.log(new Date().toISOString() + ' ' + req.headers['x-fc-request-id'] + ' [INFO] attempt started, retry ' + retry);
    setTimeout(() => res.end('retry ' + retry), 1500);
  });
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
};

interface AsyncRecord {
  status: string;
  attempts: number;
  returnPayload?: string;
}

async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `kumo serve` as a separate process, so it can be killed with SIGKILL. */
async function serve(t: TestContext, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [new URL('../../bin/kumo.js', import.meta.url).pathname, 'serve', '--port', '0', '--data-dir', dataDir],
    { env: { ...cliEnv(''), KUMO_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.resume();
  const url = await poll('kumo serve to listen', async () => /listening on (\S+)/.exec(out)?.[1]);
  return { child, url };
}

test('an async attempt cut short by kill -9 counts: attempts and X-Fc-Retry-Count are truthful after the restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-async-crash-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await serve(t, dataDir);
  await deployCustom(sdkClient(first.url), 'svc', 'slow', SLOW_ATTEMPT);
  const accepted = await kumoClient(first.url).send(
    'POST',
    '/services/svc/functions/slow/invocations',
    'go',
    {
      'x-fc-invocation-type': 'Async',
    },
  );
  assert.equal(accepted.status, 202);
  const id = accepted.headers['x-fc-request-id'] ?? '';
  const started = (client: FcClient) =>
    client
      .json<{ logs: { message: string }[] }>(
        'GET',
        `/services/svc/functions/slow/logs?requestId=${id}&text=attempt%20started`,
      )
      .then((result) => result.logs.map((line) => line.message));

  // Mid-call: the function has started the first attempt.
  await poll('the first attempt to start', async () =>
    (await started(kumoClient(first.url))).length === 1 ? true : undefined,
  );
  const running = await kumoClient(first.url).json<AsyncRecord>(
    'GET',
    `/services/svc/functions/slow/stateful-async-invocations/${id}`,
  );
  assert.equal(running.status, 'Running');
  assert.equal(running.attempts, 1, 'the running attempt is already counted');
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');

  const second = await serve(t, dataDir);
  const client = kumoClient(second.url);
  const done = await poll('the invocation to end', async () => {
    const response = await client.send(
      'GET',
      `/services/svc/functions/slow/stateful-async-invocations/${id}`,
    );
    const record = JSON.parse(response.body.toString()) as AsyncRecord;
    return record.status === 'Succeeded' || record.status === 'Failed' ? record : undefined;
  });
  assert.equal(done.status, 'Succeeded');
  assert.equal(done.attempts, 2, 'the attempt killed with the server, then the one that succeeded');
  assert.equal(done.returnPayload, 'retry 1', 'the function saw X-Fc-Retry-Count: 1');
  const attempts = await started(client);
  assert.deepEqual(
    attempts.map((line) => line.replace(/^\S+ \S+ /, '')),
    ['[INFO] attempt started, retry 0', '[INFO] attempt started, retry 1'],
  );
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
});
