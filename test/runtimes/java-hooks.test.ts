import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { AGENTS_MOUNT } from '../../src/runtimes/index.js';
import { JAVA } from '../../src/runtimes/java.js';
import { compileJava } from '../helpers/java.js';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';

/**
 * The agent's lifecycle hooks (PreStopHandler, PreFreezeHandler), called over FC's protocol (`GET /pre-stop`,
 * `GET /pre-freeze` with the hook's handler header). Kumo's scheduler does not call hooks yet, so this test
 * starts the agent itself, with the command Kumo would run (agent paths as the host sees them).
 */
const FIXTURES = new URL('../fixtures/java/', import.meta.url).pathname;
const AGENTS_DIR = new URL('../../runtimes', import.meta.url).pathname;

test('preStop and preFreeze handlers run over FC’s protocol; a class without the hook gets FC’s error', async (t) => {
  const code = await compileJava([join(FIXTURES, 'app/Hooks.java'), join(FIXTURES, 'app/Hello.java')]);
  t.after(() => rmSync(code, { recursive: true, force: true }));
  const port = await freePort();
  const fn = { memorySize: 256 } as Parameters<typeof JAVA.command>[0];
  const [binary = 'java', ...args] = JAVA.command(fn).map((arg) => arg.replace(AGENTS_MOUNT, AGENTS_DIR));
  const env = { ...process.env, FC_SERVER_PORT: String(port), FC_FUNC_CODE_PATH: code };
  const agent: ChildProcess = spawn(binary, args, { env });
  let output = '';
  agent.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  t.after(() => agent.kill('SIGKILL'));
  await until(() => output.includes('runtime inited'), { what: 'the agent is listening', timeoutMs: 60_000 });

  const hook = async (path: string, header: string, handler: string) => {
    const response = await request(`http://127.0.0.1:${port}${path}`, {
      headers: {
        [header]: handler,
        'x-fc-request-id': `rid-${path.slice(1)}`,
        'x-fc-function-name': 'hooked',
      },
    });
    return { status: response.statusCode, text: await response.body.text() };
  };
  const stop = await hook('/pre-stop', 'x-fc-instance-lifecycle-pre-stop-handler', 'app.Hooks::preStop');
  assert.equal(stop.status, 200, stop.text);
  const freeze = await hook(
    '/pre-freeze',
    'x-fc-instance-lifecycle-pre-freeze-handler',
    'app.Hooks::preFreeze',
  );
  assert.equal(freeze.status, 200, freeze.text);
  await until(() => /rid-pre-freeze \[INFO\] preFreeze ran$/m.test(output), {
    what: 'the preFreeze log line',
  });
  assert.match(output, /Z rid-pre-stop \[INFO\] preStop ran for hooked$/m);

  const wrong = await hook('/pre-stop', 'x-fc-instance-lifecycle-pre-stop-handler', 'app.Hello::preStop');
  assert.equal(wrong.status, 404);
  assert.equal(
    JSON.parse(wrong.text).errorMessage,
    "The Lifecycle Handler 'preStop' is not implemented in class 'app.Hello'",
  );
});
