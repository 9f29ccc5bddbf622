import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { request } from 'undici';
import { AGENTS_MOUNT } from '../../src/runtimes/index.js';
import { JAVA } from '../../src/runtimes/java.js';
import { compileJava } from '../helpers/java.js';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';
import type { Probe } from '../sandbox/prewarm-helpers.js';

/**
 * The Java agent's generic start mode (kumo.agent.Prewarm), played against as an attacker would before a function
 * is in it: the agent runs as a host process with the command Kumo would run (agent paths as the host sees them).
 * The end-to-end behaviour in a sandbox is test/sandbox/prewarm-java.test.ts's.
 */
const AGENTS_DIR = new URL('../../runtimes', import.meta.url).pathname;
const PROBE = new URL('../fixtures/prewarm/java/probe/Index.java', import.meta.url).pathname;

test('a pre-warmed Java agent refuses everything but its one specialisation, then is its function’s', async (t) => {
  const code = realpathSync(await compileJava([PROBE]));
  writeFileSync(`${code}/data.txt`, 'A');
  t.after(() => rmSync(code, { recursive: true, force: true }));
  const port = await freePort();
  const [binary = 'java', ...args] = JAVA.command({ memorySize: 128 } as Parameters<
    typeof JAVA.command
  >[0]).map((arg) => arg.replace(AGENTS_MOUNT, AGENTS_DIR));
  const token = 'f00dfeedf00dfeedf00dfeedf00dfeed';
  const start = { PATH: '/usr/bin:/bin', FC_SERVER_PORT: String(port), KUMO_PREWARM_TOKEN: token };
  const agent: ChildProcess = spawn(binary, args, { env: start, cwd: '/' });
  let output = '';
  agent.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  t.after(() => agent.kill('SIGKILL'));
  const call = async (
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ) => {
    const response = await request(`http://127.0.0.1:${port}${path}`, { method, headers, body });
    return { status: response.statusCode, text: await response.body.text() };
  };
  const invoke = (event: string) =>
    call(
      'POST',
      '/invoke',
      { 'x-fc-request-id': 'rid', 'x-fc-function-handler': 'probe.Index::handleRequest' },
      event,
    );
  await until(
    () =>
      invoke('probe').then(
        (r) => (r.status === 503 ? r : undefined),
        () => undefined,
      ),
    {
      what: 'the pre-warmed agent answers',
      timeoutMs: 60_000,
    },
  );

  const env = {
    PATH: '/usr/bin:/bin',
    FC_SERVER_PORT: String(port),
    FC_FUNC_CODE_PATH: code,
    MY_VAR: 'mine',
  };
  const specialize = JSON.stringify({ env });
  const refused = [
    await call('GET', '/', {}),
    await call('POST', '/kumo/specialize', {}, specialize),
    await call('POST', '/kumo/specialize', { 'x-kumo-prewarm-token': 'wrong' }, specialize),
    await call('GET', '/kumo/specialize', { 'x-kumo-prewarm-token': token }),
    await call('POST', '/kumo/specialize/', { 'x-kumo-prewarm-token': token }, specialize),
    await call(
      'POST',
      '/invoke',
      { 'x-fc-control-path': '/kumo/specialize', 'x-kumo-prewarm-token': 'x' },
      'e',
    ),
  ];
  assert.deepEqual(
    refused.map((r) => r.status),
    [503, 503, 503, 503, 503, 503],
  );
  assert.doesNotMatch(output, /static initialiser ran|runtime inited/, 'no code was loaded');

  const accepted = await call('POST', '/kumo/specialize', { 'x-kumo-prewarm-token': token }, specialize);
  assert.equal(accepted.status, 204, accepted.text);
  const evil = JSON.stringify({ env: { ...env, MY_VAR: 'evil' } });
  const again = await call('POST', '/kumo/specialize', { 'x-kumo-prewarm-token': token }, evil);
  assert.notEqual(
    again.status,
    204,
    'a second specialisation is the function’s request (it has no HTTP handler)',
  );

  const seen = JSON.parse((await invoke('probe')).text) as Probe;
  assert.deepEqual(seen.env, env, 'System.getenv() is exactly the function’s environment');
  assert.deepEqual(seen.childEnv, env, 'and so is a child process’s');
  // Started in /, the process changed into the code folder (user.dir, the JVM's copy, stays /: in a sandbox both
  // are /code from the start).
  assert.equal(seen.relative, true, 'relative paths resolve in the code folder');
  assert.match(output, /FunctionCompute java11 runtime inited\./);
});
