import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';

/**
 * The generic start of the PHP agent and of go1's runtime API bridge, as Kumo's pool starts them (with
 * KUMO_PREWARM_TOKEN, no function), run as plain processes and played against as an attacker would before Kumo
 * specialises them: every request but the one specialisation with the token is refused and changes nothing.
 */
const RUNTIMES = new URL('../../runtimes/', import.meta.url).pathname;

interface Agent {
  base: string;
  code: string;
  output: () => string;
}

async function startGeneric(
  t: { after(fn: () => void): void },
  argv: string[],
  files: Record<string, string>,
): Promise<Agent> {
  const code = mkdtempSync(join(tmpdir(), 'kumo-gate-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(code, name), content);
    chmodSync(join(code, name), 0o755);
  }
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    KUMO_PREWARM_TOKEN: 'the-token',
    FC_SERVER_PORT: `${port}`,
  };
  const child: ChildProcess = spawn(argv[0] ?? '', argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(code, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  await until(
    () =>
      fetch(base).then(
        (res) => res.status === 503 || undefined,
        () => undefined,
      ),
    {
      what: 'the generic agent listening',
    },
  );
  return { base, code, output: () => output };
}

const specialize = (
  agent: Agent,
  token: string,
  env: Record<string, string>,
  method = 'POST',
  path = '/kumo/specialize',
) =>
  fetch(`${agent.base}${path}`, {
    method,
    headers: { 'X-Kumo-Prewarm-Token': token, 'Content-Type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify({ env }),
  });

const invoke = (agent: Agent) =>
  fetch(`${agent.base}/invoke`, {
    method: 'POST',
    headers: {
      'x-fc-control-path': '/invoke',
      'x-fc-request-id': 'r1',
      'x-fc-function-handler': 'index.handler',
    },
    body: 'event',
  });

async function attackThenSpecialize(agent: Agent, whileGeneric = () => {}): Promise<void> {
  const fnEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    FC_SERVER_PORT: new URL(agent.base).port,
    FC_FUNC_CODE_PATH: agent.code,
    FC_FUNCTION_HANDLER: 'index.handler',
    MY_VAR: 'mine',
  };
  const refused = [
    await fetch(agent.base),
    await invoke(agent),
    await specialize(agent, 'wrong-token', { MY_VAR: 'evil' }),
    await specialize(agent, '', { MY_VAR: 'evil' }),
    await specialize(agent, 'the-token', {}, 'GET'),
    await specialize(agent, 'the-token', { MY_VAR: 'evil' }, 'PUT'),
    await specialize(agent, 'the-token', { MY_VAR: 'evil' }, 'POST', '/kumo/specialize/x'),
    await specialize(agent, 'the-token', { MY_VAR: 'evil' }, 'POST', '/invoke'),
  ];
  assert.deepEqual(
    refused.map((res) => res.status),
    refused.map(() => 503),
  );
  whileGeneric();
  assert.equal((await specialize(agent, 'the-token', fnEnv)).status, 204);
  const first = await invoke(agent);
  assert.equal(first.status, 200);
  assert.deepEqual(JSON.parse(await first.text()), { my: 'mine', token: null, cwd: agent.code });
  // A second specialisation is the function's request now: the environment stays.
  assert.notEqual((await specialize(agent, 'the-token', { MY_VAR: 'evil' })).status, 204);
  assert.deepEqual(JSON.parse(await (await invoke(agent)).text()), {
    my: 'mine',
    token: null,
    cwd: agent.code,
  });
}

test('php7.2: a generic agent refuses everything but its one specialisation', async (t) => {
  const handler = `<?php
function handler($event, $context) {
    return json_encode(['my' => getenv('MY_VAR') ?: null, 'token' => getenv('KUMO_PREWARM_TOKEN') ?: null, 'cwd' => getcwd()]);
}
`;
  const agent = await startGeneric(t, ['php', `${RUNTIMES}php/agent.php`], { 'index.php': handler });
  await attackThenSpecialize(agent);
  assert.match(agent.output(), /FunctionCompute php7.2 runtime inited\./);
});

test('go1: a generic bridge refuses everything but its one specialisation, and runs the executable only then', async (t) => {
  // The executable (`index.handler`, a Node.js script here) pulls its calls through the runtime API.
  const program = `#!${process.execPath}
const http = require('node:http');
const fs = require('node:fs');
fs.writeFileSync('started', 'yes');
const api = 'http://' + process.env.FC_RUNTIME_API + '/2020-11-11/runtime/invocation/';
function next() {
  http.get(api + 'next', (res) => {
    res.resume();
    const id = res.headers['x-fc-request-id'];
    const body = JSON.stringify({ my: process.env.MY_VAR || null, token: process.env.KUMO_PREWARM_TOKEN || null, cwd: process.cwd() });
    http.request(api + id + '/response', { method: 'POST' }, (r) => { r.resume(); next(); }).end(body);
  });
}
next();
`;
  const agent = await startGeneric(t, [process.execPath, `${RUNTIMES}runtime-api/bridge.cjs`], {
    'index.handler': program,
  });
  await attackThenSpecialize(agent, () =>
    assert.equal(existsSync(join(agent.code, 'started')), false, 'no executable before specialisation'),
  );
  assert.equal(existsSync(join(agent.code, 'started')), true);
});
