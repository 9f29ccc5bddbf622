import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NODE_RELEASES } from '../../src/runtimes/index.js';
import { zipFiles } from '../helpers/code.js';
import { until } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** What an instance reports about the Node.js running it, and what the sandbox lets it do with the cache. */
const CODE = `'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
exports.handler = (_event, _context, callback) => {
  let usrLocal = '';
  try { usrLocal = execFileSync('/usr/local/bin/node', ['-p', 'process.version']).toString().trim(); } catch (e) { usrLocal = e.message; }
  let write = 'written';
  try { fs.writeFileSync('/opt/kumo/node/bin/planted', 'x'); } catch (e) { write = e.code; }
  callback(null, { version: process.version, usrLocal: usrLocal, write: write });
};
`;

/** The function's stored log (where platform lines of an instance start go), once it matches `pattern`. */
function logged(kumo: TestServer, name: string, pattern: RegExp): Promise<string> {
  return until(
    async () => {
      const { logs } = await kumo.client.json<{ logs: { message: string }[] }>(
        'GET',
        `/services/${name}/functions/fn/logs?limit=10000`,
      );
      const text = logs.map((line) => line.message).join('\n');
      return pattern.test(text) ? text : undefined;
    },
    { what: `the log of ${name}/fn shows ${pattern}` },
  );
}

function tempDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-runtimes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function deploy(kumo: TestServer, name: string, runtime: string): Promise<void> {
  await kumo.fc.createService(name).catch(() => undefined);
  await kumo.fc.createFunction(name, {
    functionName: 'fn',
    runtime,
    handler: 'index.handler',
    memorySize: 128,
    timeout: 30,
    code: { zipFile: await zipFiles({ 'index.js': CODE }) },
  });
}

async function invoke(kumo: TestServer, name: string) {
  const response = await kumo.client.send('POST', `/services/${name}/functions/fn/invocations`, '', {
    'x-fc-log-type': 'Tail',
  });
  return {
    status: response.status,
    errorType: response.headers['x-fc-error-type'],
    body: response.body.toString(),
    logs: Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64').toString(),
  };
}

test('nodejs12, nodejs14 and nodejs20 run their own Node.js major, also at /usr/local/bin/node; the cache is read-only', async (t) => {
  const kumo = await startTestServer(t);
  const bwrap = kumo.server.sandbox.kind === 'bwrap';
  for (const [runtime, major] of [
    ['nodejs14', 'v14.'],
    ['nodejs12', 'v12.'],
    ['nodejs20', 'v20.'],
  ] as const) {
    const name = runtime.replace('nodejs', 'node');
    await deploy(kumo, name, runtime);
    const result = await invoke(kumo, name);
    assert.equal(result.errorType, undefined, result.body);
    const seen = JSON.parse(result.body) as { version: string; usrLocal: string; write: string };
    assert.ok(seen.version.startsWith(major), `${runtime} runs ${seen.version}`);
    if (bwrap)
      assert.equal(seen.usrLocal, seen.version, "FC's /usr/local/bin/node is the function's own major");
    if (bwrap && runtime !== 'nodejs20')
      assert.equal(seen.write, 'EROFS', 'the runtimes cache is mounted read-only');
  }
});

test('a missing major is installed on first use (progress in the function log); a truncated entry is re-installed, not run', async (t) => {
  const dir = tempDir(t);
  const kumo = await startTestServer(t, { runtimesDir: dir });
  await deploy(kumo, 'first', 'nodejs10');
  const first = await invoke(kumo, 'first');
  assert.equal(first.errorType, undefined, first.body);
  assert.equal((JSON.parse(first.body) as { version: string }).version, `v${NODE_RELEASES.nodejs10}`);
  await logged(kumo, 'first', /Kumo runtimes: downloading Node\.js v10\.24\.1 \([\d.]+ MB\)/);
  await logged(kumo, 'first', /Kumo runtimes: installed Node\.js v10\.24\.1/);

  // Cut the installed binary in half, then make the next call start a new instance.
  truncateSync(join(dir, 'node-v10.24.1', 'bin', 'node'), 1024 * 1024);
  await kumo.fc.updateFunction('first', 'fn', { timeout: 29 });
  const second = await invoke(kumo, 'first');
  assert.equal(second.errorType, undefined, second.body);
  assert.equal((JSON.parse(second.body) as { version: string }).version, 'v10.24.1');
  await logged(kumo, 'first', /truncated\): reinstalling/);
  assert.deepEqual(readdirSync(dir), ['node-v10.24.1'], 'no temporary folder is left behind');
});

test('an install that cannot finish answers FC error JSON within the bound and leaves nothing behind', async (t) => {
  // A registry that accepts connections and never answers.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dir = tempDir(t);
  const kumo = await startTestServer(t, {
    runtimesDir: dir,
    runtimesRegistry: `http://127.0.0.1:${port}/`,
    runtimeInstallTimeoutMs: 1500,
  });
  await deploy(kumo, 'stuck', 'nodejs16');
  const result = await invoke(kumo, 'stuck');
  assert.ok(result.status >= 400, `status ${result.status}`);
  const error = JSON.parse(result.body) as { ErrorCode: string; ErrorMessage: string };
  assert.equal(error.ErrorCode, 'FunctionNotStarted');
  assert.match(
    error.ErrorMessage,
    /cannot install Node\.js v16\.20\.2 for runtime nodejs16: not done after 1\.5 s/,
  );
  assert.match(error.ErrorMessage, /kumo runtimes install nodejs16/);
  assert.deepEqual(readdirSync(dir), [], 'nothing half-installed');
});

test('offline without the major, a runtime runs on the nearest Node.js and says so at create and in the function log', async (t) => {
  const dir = tempDir(t);
  const kumo = await startTestServer(t, { runtimesDir: dir, runtimesOffline: true });
  await deploy(kumo, 'offline', 'nodejs18');
  const created = await kumo.client.send('GET', '/services/offline/functions/fn');
  assert.match(
    decodeURIComponent(created.headers['x-kumo-runtime-note'] ?? ''),
    /^nodejs18 runs on Node\.js v20\.\d+\.\d+: Node\.js 18 is not in the runtimes cache/,
  );
  const result = await invoke(kumo, 'offline');
  assert.ok((JSON.parse(result.body) as { version: string }).version.startsWith('v20.'));
  await logged(kumo, 'offline', /Kumo: nodejs18 runs on Node\.js v20/);
});
