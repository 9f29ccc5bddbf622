// The PHP agent's own HTTP/1.1 server (runtimes/php/http_server.php), spoken to over raw sockets: pipelined and
// chunked requests, Connection: close and HTTP/1.0, and what it does with malformed, oversized or stalled clients.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';

const AGENT = fileURLToPath(new URL('../../runtimes/php/agent.php', import.meta.url));

const FIXTURE = `<?php
$inits = 0;
function handler($event, $context) { return "got:" . $event; }
function init($context) { global $inits; $inits++; }
function inits($event, $context) { global $inits; return "inits:$inits"; }
function stop($context) { echo "stopping {$context['function']['name']}\\n"; }
`;

/** Starts the agent on a fresh port with FIXTURE as its code; `output()` is its stdout and stderr so far. */
async function startAgent(
  t: import('node:test').TestContext,
): Promise<{ port: number; output: () => string }> {
  const code = mkdtempSync(join(tmpdir(), 'kumo-php-agent-'));
  writeFileSync(join(code, 'index.php'), FIXTURE);
  const port = await freePort();
  const child: ChildProcess = spawn('php', [AGENT], {
    env: {
      PATH: process.env.PATH,
      FC_FUNC_CODE_PATH: code,
      FC_SERVER_PORT: String(port),
      FC_FUNCTION_HANDLER: 'index.handler',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(code, { recursive: true, force: true });
  });
  await until(() => output.includes('runtime inited'), { what: 'the agent listens', detail: () => output });
  return { port, output: () => output };
}

/** Opens a socket, writes `bytes`, and collects what comes back until the server closes or `until` matches. */
function exchange(
  port: number,
  bytes: string | Buffer,
  done: (text: string) => boolean,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const finish = () => {
      socket.destroy();
      resolve({ text, closed });
    };
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (done(text)) setImmediate(() => (closed ? undefined : finish()));
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

const invoke = (body: string, extra = '') =>
  `POST /invoke HTTP/1.1\r\nHost: x\r\nX-Fc-Control-Path: /invoke\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
const count = (text: string, needle: string) => text.split(needle).length - 1;

test('PHP agent: pipelined requests get their answers in order on one connection', async (t) => {
  const { port } = await startAgent(t);
  const { text, closed } = await exchange(port, invoke('one') + invoke('two'), (s) => s.includes('got:two'));
  assert.ok(text.indexOf('got:one') < text.indexOf('got:two'), text);
  assert.equal(count(text, 'HTTP/1.1 200 OK'), 2);
  assert.equal(closed, false, 'keep-alive by default');
});

test('PHP agent: a chunked body with extensions and trailers arrives whole', async (t) => {
  const { port } = await startAgent(t);
  const head =
    'POST /invoke HTTP/1.1\r\nHost: x\r\nX-Fc-Control-Path: /invoke\r\nTransfer-Encoding: chunked\r\n\r\n';
  const body = '3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-Trailer: yes\r\n\r\n';
  const { text } = await exchange(port, head + body, (s) => s.includes('got:'));
  assert.match(text, /Content-Length: 11\r\n/);
  assert.match(text, /got:abcdefg$/);
});

test('PHP agent: Connection: close and HTTP/1.0 close after the answer', async (t) => {
  const { port } = await startAgent(t);
  const closing = await exchange(port, invoke('bye', 'Connection: close\r\n'), () => false);
  assert.equal(closing.closed, true);
  assert.match(closing.text, /Connection: close\r\n[\s\S]*got:bye$/);
  const old = await exchange(port, 'POST /invoke HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi', () => false);
  assert.equal(old.closed, true);
  assert.match(old.text, /got:hi$/);
});

test('PHP agent: malformed and oversized requests get a 400 and a closed connection; the agent goes on', async (t) => {
  const { port } = await startAgent(t);
  for (const bad of [
    'NONSENSE\r\n\r\n',
    'POST /invoke HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
    `POST /invoke HTTP/1.1\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
    'POST /invoke HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n',
    'POST /invoke HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  ]) {
    const answer = await exchange(port, bad, () => false);
    assert.equal(answer.closed, true, bad.slice(0, 40));
    assert.match(answer.text, /^HTTP\/1\.1 400 /, bad.slice(0, 40));
  }
  assert.match((await exchange(port, invoke('ok'), (s) => s.includes('got:'))).text, /got:ok$/);
});

test('PHP agent: /initialize runs the initializer once, /pre-stop its hook', async (t) => {
  const { port, output } = await startAgent(t);
  const control = (method: string, path: string, header: string, handler: string) =>
    `${method} ${path} HTTP/1.1\r\nX-Fc-Control-Path: ${path}\r\nX-Fc-Request-Id: r1\r\nX-Fc-Function-Name: fn\r\n` +
    `${header}: ${handler}\r\nContent-Length: 0\r\n\r\n`;
  const init = control('POST', '/initialize', 'X-Fc-Function-Initializer', 'index.init');
  const both = await exchange(port, init + init, (s) => count(s, 'HTTP/1.1 200 OK') === 2);
  assert.equal(count(both.text, 'HTTP/1.1 200 OK'), 2);
  const seen = control('POST', '/invoke', 'X-Fc-Function-Handler', 'index.inits');
  assert.match((await exchange(port, seen, (s) => s.includes('inits:'))).text, /inits:1$/);
  const stop = control('GET', '/pre-stop', 'X-Fc-Instance-Lifecycle-Pre-Stop-Handler', 'index.stop');
  assert.match((await exchange(port, stop, (s) => s.includes('\r\n\r\n'))).text, /^HTTP\/1\.1 200 /);
  await until(() => output().includes('r1 [INFO] stopping fn'), { what: 'the hook logs', detail: output });
});

test('PHP agent: a client that stalls halfway does not hold up the others', async (t) => {
  const { port } = await startAgent(t);
  const stalled = connect(port, '127.0.0.1');
  t.after(() => stalled.destroy());
  stalled.write('POST /invoke HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part of it');
  const { text } = await exchange(port, invoke('others'), (s) => s.includes('got:'));
  assert.match(text, /got:others$/);
});
