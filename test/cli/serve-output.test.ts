import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID, sdkClient } from '../helpers/server.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;
const INVOKE_PATH = '/2016-08-15/services/svc/functions/fn/invocations';

interface Served {
  child: ChildProcess;
  output: () => string;
  url: string;
}

/** Runs the built `kumo serve`, piped or (through util-linux `script`) on a pseudo-terminal. */
async function serve(t: { after(fn: () => unknown): void }, terminal: boolean): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-output-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const args = [KUMO, 'serve', '--port', '0', '--data-dir', dataDir];
  const env = {
    ...process.env,
    KUMO_ACCESS_KEY_ID: ACCESS_KEY_ID,
    KUMO_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    KUMO_ACCOUNT_ID: ACCOUNT_ID,
    KUMO_LOG_LEVEL: 'info',
    NO_COLOR: '1',
  };
  const quoted = [process.execPath, ...args].map((arg) => `'${arg}'`).join(' ');
  const child = terminal
    ? spawn('script', ['-qfec', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  t.after(async () => {
    if (child.exitCode !== null) return;
    // On the terminal, Ctrl-C reaches kumo as SIGINT (kumo is script's child, in its own session).
    if (terminal) child.stdin?.write('\x03');
    else child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await until(() => /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1], {
    what: 'kumo serve is listening',
    timeoutMs: 60_000,
    detail: () => output,
  });
  return { child, output: () => output.replaceAll('\r', ''), url };
}

async function deployAndInvoke(url: string): Promise<string> {
  const fc = sdkClient(url);
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  const result = await invoke(fc, 'svc', 'fn', 'hello');
  assert.equal(result.errorType, undefined);
  return result.headers['x-fc-request-id'] as string;
}

test('kumo serve on a terminal prints one human line per request and per instance start', async (t) => {
  const served = await serve(t, true);
  const requestId = await deployAndInvoke(served.url);
  const requestLine = new RegExp(
    `^\\d\\d:\\d\\d:\\d\\d INFO  POST ${INVOKE_PATH} 200 [\\d.]+ ms  ${requestId}$`,
    'm',
  );
  await until(() => requestLine.test(served.output()), {
    what: 'the request line',
    detail: served.output,
  });
  assert.match(served.output(), /^\d\d:\d\d:\d\d INFO {2}instance i-\S+ of svc\/fn started in \d+ ms$/m);
  assert.match(served.output(), /^Sandbox: \S+/m);
  assert.equal(served.output().match(/Sandbox: /g)?.length, 1, 'the sandbox is described once');
  assert.doesNotMatch(served.output(), /^\{/m, 'no JSON line on a terminal');
  // A failed request names its FC error code.
  await sdkClient(served.url)
    .getFunction('svc', 'missing')
    .catch(() => undefined);
  await until(
    () =>
      /GET \/2016-08-15\/services\/svc\/functions\/missing 404 .* FunctionNotFound$/m.test(served.output()),
    {
      what: 'the failed request line with its error code',
      detail: served.output,
    },
  );
});

test('kumo serve piped prints JSON lines: a request line and an instance start line', async (t) => {
  const served = await serve(t, false);
  const requestId = await deployAndInvoke(served.url);
  const entries = () =>
    served
      .output()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const request = await until(
    () => entries().find((e) => e.event === 'request' && e.requestId === requestId),
    { what: 'the request line', detail: served.output },
  );
  assert.equal(request.method, 'POST');
  assert.equal(request.path, INVOKE_PATH);
  assert.equal(request.status, 200);
  assert.equal(request.level, 30);
  assert.equal(typeof request.durationMs, 'number');
  const start = entries().find((e) => e.event === 'instance.start');
  assert.equal(start?.poolKey, 'svc/fn');
  assert.match(String(start?.instanceId), /^i-/);
  assert.equal(entries().filter((e) => e.event === 'sandbox').length, 1, 'the sandbox is described once');
});
